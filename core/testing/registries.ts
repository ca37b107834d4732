/**
 * Template and handler registries over plain lists, for tests and scripts that do not load a
 * workspace. Resolution rules match the engine's: `namespace/name@version`, `namespace/name`
 * (highest version) or a bare `name` (must be unambiguous).
 */
import { StepwiseError } from '../model/errors.js';
import type { HandlerFn, Template } from '../model/template.js';
import { templateRef } from '../model/template.js';
import type { HandlerEntry } from '../model/workspace.js';
import type { HandlerRegistry, TemplateRegistry } from '../engine/context.js';

const byVersionDesc = (a: Template, b: Template) => b.version.localeCompare(a.version, undefined, { numeric: true });

export function listTemplateRegistry(templates: readonly Template[]): TemplateRegistry {
  return {
    list: () => [...templates],
    resolve(ref) {
      const [path, version] = ref.split('@') as [string, string | undefined];
      const slash = path.lastIndexOf('/');
      const namespace = slash >= 0 ? path.slice(0, slash) : undefined;
      const name = slash >= 0 ? path.slice(slash + 1) : path;
      const matches = templates
        .filter((t) => t.name === name && (namespace === undefined || t.namespace === namespace) && (version === undefined || t.version === version))
        .sort(byVersionDesc);
      const namespaces = new Set(matches.map((t) => t.namespace));
      if (matches.length === 0 || (namespace === undefined && namespaces.size > 1)) {
        const known = templates.map((t) => templateRef(t)).join(', ') || '(none)';
        const why = matches.length === 0 ? 'is not loaded' : `is ambiguous (${[...namespaces].join(', ')}): add the namespace`;
        throw new StepwiseError('TEMPLATE_NOT_FOUND', `Template '${ref}' ${why}. Known templates: ${known}.`, { ref });
      }
      return matches[0]!;
    },
  };
}

export type HandlerSource = Record<string, HandlerFn> | Map<string, HandlerEntry | HandlerFn>;

export function mapHandlerRegistry(handlers: HandlerSource = {}): HandlerRegistry {
  const lookup = (name: string): HandlerFn | undefined => {
    if (handlers instanceof Map) {
      const entry = handlers.get(name);
      return typeof entry === 'function' ? entry : entry?.fn;
    }
    return Object.prototype.hasOwnProperty.call(handlers, name) ? handlers[name] : undefined;
  };
  return {
    get: (name, template) => template?.inlineHandlers?.[name] ?? lookup(name),
    fileOf: (name) => (handlers instanceof Map ? (handlers.get(name) as HandlerEntry | undefined)?.file : undefined),
  };
}
