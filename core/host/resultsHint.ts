/**
 * What to prefill when a user marks a failed step complete by hand. `{}` just moves the failure
 * one step down (the next handler reads a field that is not there), so the dialog starts from
 * the best guess there is: the step's own results (it ran before), its last successful attempt,
 * the same step's results in a recent finished task of the template, an example built from the
 * step's `result_schema`, or else an object with the keys its dependents' handlers read. Those keys are found in the handlers' source text
 * (`const { pushed } = ctx.results.push_to_ledger`, `ctx.results.push_to_ledger.pushed`): a
 * heuristic, so the dialog says which steps read which keys "as far as their code shows". PURE
 * apart from `suggestResults`, which reads storage.
 */
import type { Json, JsonObject, StepRecord, TaskRecord } from '../model/runtime.js';
import type { JsonSchema, WorkflowTemplate } from '../model/template.js';
import type { Workspace } from '../model/workspace.js';
import type { Storage } from '../storage/storage.js';
import { shortTaskId } from '../model/taskId.js';

export interface ResultsSuggestion {
  value: Json;
  /** Where `value` comes from. */
  source: 'own results' | 'last success' | 'example task' | 'result schema' | 'keys read' | 'none';
  /** e.g. the task the example came from. */
  detail: string | null;
  /** The dependents and the keys of this step's results their handlers read (empty: none found). */
  readBy: Array<{ step: string; keys: string[] }>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The keys of step `step`'s results that handler source `source` reads, as far as the text shows. */
export function keysRead(source: string, step: string): string[] {
  const name = escape(step);
  // `results.step`, `results?.step`, `results['step']`, `results["step"]`
  const access = `results(?:\\??\\.${name}\\b|\\??\\.?\\[\\s*['"\`]${name}['"\`]\\s*\\])`;
  const keys = new Set<string>();
  const destructure = new RegExp(`\\{([^{}]*)\\}\\s*=\\s*[\\w$.?]*${access}`, 'g');
  for (const m of source.matchAll(destructure)) {
    for (const part of m[1]!.split(',')) {
      const key = /^\s*(?:\.\.\.)?([A-Za-z_$][\w$]*)/.exec(part)?.[1];
      if (key && !part.trim().startsWith('...')) keys.add(key);
    }
  }
  const member = new RegExp(`${access}\\s*(?:\\?\\.|\\.)\\s*([A-Za-z_$][\\w$]*)|${access}\\s*\\??\\.?\\[\\s*['"\`]([^'"\`]+)['"\`]\\s*\\]`, 'g');
  for (const m of source.matchAll(member)) keys.add((m[1] ?? m[2])!);
  return [...keys];
}

/** Which dependents of `step` read which of its keys (each dependent's handler source scanned). */
export function readersOf(template: WorkflowTemplate, step: string, sourceOf: (handler: string) => string | null): ResultsSuggestion['readBy'] {
  return template.steps
    .filter((s) => s.dependsOn.includes(step) && s.handler)
    .map((s) => ({ step: s.name, keys: keysRead(sourceOf(s.handler!.callable) ?? '', step) }));
}

const isSchema = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A value shaped like `schema`: its own example, default, const or first enum value where it has
 * one, else an empty value of its type (objects with every property, arrays with one item). A
 * prefill to edit, not valid data: the dialog says to fill the values in. Hand-written (a few
 * keywords) rather than a sampler dependency for the host.
 */
export function exampleOf(schema: JsonSchema, depth = 0): Json {
  if (depth > 8) return null;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0] as Json;
  for (const key of ['example', 'default', 'const'] as const) if (schema[key] !== undefined) return schema[key] as Json;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as Json;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const first = (schema[key] as unknown[] | undefined)?.find(isSchema);
    if (first) return exampleOf(first, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.filter(isSchema).map((s) => exampleOf(s, depth + 1));
    if (parts.every((p) => isSchema(p))) return Object.assign({}, ...parts) as JsonObject;
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type];
  const type = types.find((t) => t !== 'null') ?? (schema.properties ? 'object' : types[0]);
  switch (type) {
    case 'object': {
      const props = isSchema(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, isSchema(v) ? exampleOf(v, depth + 1) : null])) as JsonObject;
    }
    case 'array':
      return isSchema(schema.items) ? [exampleOf(schema.items, depth + 1)] : [];
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

const present = (v: Json | undefined): v is Json => v !== undefined && v !== null && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

export async function suggestResults(storage: Storage, workspace: Workspace, task: TaskRecord, step: StepRecord): Promise<ResultsSuggestion> {
  const template = workspace.templates.find((t) => t.kind === 'workflow' && `${t.namespace}/${t.name}@${t.version}` === task.templateRef) as WorkflowTemplate | undefined;
  const sourceOf = (handler: string) => {
    const fn = workspace.handlers.get(handler)?.fn ?? template?.inlineHandlers?.[handler];
    return fn ? Function.prototype.toString.call(fn) : null;
  };
  const readBy = template ? readersOf(template, step.templateStep, sourceOf) : [];
  if (present(step.results)) return { value: step.results, source: 'own results', detail: null, readBy };
  const attempts = await storage.listAttempts(task.id, step.name);
  const success = [...attempts].reverse().find((a) => a.outcome === 'success' && present(a.output as Json | undefined));
  if (success) return { value: success.output as Json, source: 'last success', detail: `attempt #${success.number}`, readBy };
  // The same step in a recent task of the template that got past it.
  const recent = await storage.listTasks({ templateRef: task.templateRef, limit: 25 });
  for (const other of recent.tasks) {
    if (other.id === task.id) continue;
    const theirs = await storage.getStep(other.id, step.name);
    if (theirs && (theirs.state === 'complete' || theirs.state === 'resolved_manually') && present(theirs.results)) {
      return { value: theirs.results, source: 'example task', detail: `task ${shortTaskId(other.id)}`, readBy };
    }
  }
  const keys = [...new Set(readBy.flatMap((r) => r.keys))];
  const schema = template?.steps.find((s) => s.name === step.templateStep)?.resultSchema;
  const example = schema ? exampleOf(schema) : undefined;
  if (example !== undefined && present(example)) {
    // Keys the dependents read that the schema does not list are added, to be filled in.
    const value = isSchema(example) ? ({ ...Object.fromEntries(keys.map((k) => [k, null])), ...example } as JsonObject) : example;
    return { value, source: 'result schema', detail: null, readBy };
  }
  if (keys.length > 0) return { value: Object.fromEntries(keys.map((k) => [k, null])) as JsonObject, source: 'keys read', detail: null, readBy };
  return { value: {}, source: 'none', detail: null, readBy };
}
