/**
 * Call sites of TypeScript definitions, kept beside the model rather than in it: `defineWorkflow`
 * and `defineFlow` return exactly the model a YAML file produces (positions included only when a
 * loader places the template in its file), so the sites live in WeakMaps keyed by the objects.
 */
import type { SourceLocation } from '../model/template.js';
import { captureCallSite } from './callSite.js';

export interface DefinitionSites {
  /** Where `defineWorkflow(...)` / `defineFlow(...)` was called. */
  template?: SourceLocation;
  /** Per step (workflow) or state (flow), in model order: the builder call, when there was one. */
  nodes: (SourceLocation | undefined)[];
  /** Per interaction, in model order: the `interaction(...)` call. */
  interactions: (SourceLocation | undefined)[];
}

const templateSites = new WeakMap<object, DefinitionSites>();
const builderSites = new WeakMap<object, SourceLocation>();

export function recordSites(template: object, sites: DefinitionSites): void {
  templateSites.set(template, sites);
}

export function sitesOf(template: object): DefinitionSites | undefined {
  return templateSites.get(template);
}

/** Called by each builder on the description it returns. */
export function markBuilt<T extends object>(def: T): T {
  const site = captureCallSite();
  if (site) builderSites.set(def, site);
  return def;
}

export function builtAt(def: unknown): SourceLocation | undefined {
  return typeof def === 'object' && def !== null ? builderSites.get(def) : undefined;
}
