/**
 * The engine's lookups over a loaded workspace: templates by reference, handlers by name.
 *
 * A template reference is `namespace/name@version`, `namespace/name` (highest version), a bare
 * `name` (when only one namespace has it), or the path of the template's file.
 */
import { isAbsolute, resolve } from 'node:path';
import type { HandlerRegistry, TemplateRegistry } from '../engine/context.js';
import { StepwiseError } from '../model/errors.js';
import { dispatchHandler } from '../model/handlerDispatch.js';
import { getOwn } from '../model/ownKeys.js';
import { templateRef, type HandlerFn, type Template } from '../model/template.js';
import type { HandlerEntry, HandlerExport } from '../model/workspace.js';

/** Higher version first; numeric-aware, so 1.10.0 > 1.9.0. */
export function compareVersionsDesc(a: string, b: string): number {
  return b.localeCompare(a, undefined, { numeric: true });
}

export function createTemplateRegistry(templates: readonly Template[], options: { root?: string } = {}): TemplateRegistry {
  const all = [...templates];
  const notFound = (ref: string, why: string): never => {
    const known = [...new Set(all.map((t) => templateRef(t)))].sort();
    throw new StepwiseError(
      'TEMPLATE_NOT_FOUND',
      `Template '${ref}' ${why}. Known templates: ${known.length > 0 ? known.join(', ') : '(none: the workspace has no templates)'}.`,
      { ref, known },
    );
  };
  // What a name reference resolved to: the templates never change, and the engine resolves a
  // flow's reference at every step. File references are resolved each time (they depend on the
  // current folder).
  const byName = new Map<string, Template>();
  const resolveName = (ref: string): Template => {
    const at = ref.lastIndexOf('@');
    const path = at > 0 ? ref.slice(0, at) : ref;
    const version = at > 0 ? ref.slice(at + 1) : undefined;
    const slash = path.lastIndexOf('/');
    const namespace = slash >= 0 ? path.slice(0, slash) : undefined;
    const name = slash >= 0 ? path.slice(slash + 1) : path;
    const matches = all
      .filter((t) => t.name === name && (namespace === undefined || t.namespace === namespace) && (version === undefined || t.version === version))
      .sort((a, b) => compareVersionsDesc(a.version, b.version));
    if (matches.length === 0) return notFound(ref, 'is not in the workspace');
    const namespaces = [...new Set(matches.map((t) => t.namespace))];
    if (namespaces.length > 1) return notFound(ref, `is ambiguous: it exists in namespaces ${namespaces.join(', ')}; write namespace/name`);
    return matches[0]!;
  };
  return {
    list: () => [...all],
    resolve(ref: string): Template {
      const known = byName.get(ref);
      if (known) return known;
      if (isFileRef(ref)) return resolveFile(all, ref, options.root) ?? resolveName(ref);
      const found = resolveName(ref);
      byName.set(ref, found);
      return found;
    },
  };
}

const isFileRef = (ref: string): boolean => /\.(ya?ml|[cm]?[jt]s)$/.test(ref);

function resolveFile(templates: Template[], ref: string, root: string | undefined): Template | undefined {
  const candidates = [isAbsolute(ref) ? ref : resolve(ref), ...(root && !isAbsolute(ref) ? [resolve(root, ref)] : [])];
  return templates.find((t) => t.source.file !== undefined && candidates.includes(resolve(t.source.file)));
}

/** Handlers by name: a plain object of handlers (functions, or objects/classes with methods), or a loaded workspace's handler map. */
export type HandlerSource = Record<string, HandlerExport> | ReadonlyMap<string, HandlerEntry>;

export function handlerMap(source: HandlerSource = {}): ReadonlyMap<string, HandlerEntry> {
  if (source instanceof Map) return source;
  return new Map(Object.entries(source as Record<string, HandlerExport>).map(([name, fn]) => [name, { name, fn, file: '' }]));
}

/** Inline handlers of the template first (TypeScript definitions), then the workspace's modules. */
export function createHandlerRegistry(handlers: ReadonlyMap<string, HandlerEntry>): HandlerRegistry {
  return {
    get(name: string, template?: Template, method?: string): HandlerFn | undefined {
      const value = getOwn(template?.inlineHandlers, name) ?? handlers.get(name)?.fn;
      return value === undefined ? undefined : dispatchHandler(value, method);
    },
    fileOf(name: string, template?: Template): string | undefined {
      return getOwn(template?.inlineHandlers, name) === undefined ? handlers.get(name)?.file : undefined;
    },
  };
}
