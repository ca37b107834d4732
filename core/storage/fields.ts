/**
 * The fields of each record, listed once. Implementations use them to validate patches (an unknown
 * or identity field in `set` is a caller bug) and SQLite maps them to columns.
 */
import type { AttemptRecord, StepRecord, TaskRecord } from '../model/runtime.js';

/** Compile-time proof that a list names every key of T (and nothing else). */
type Exhaustive<T, L extends readonly (keyof T)[]> = Exclude<keyof T, L[number]> extends never ? L : never;

function fields<T>() {
  return <const L extends readonly (keyof T)[]>(list: Exhaustive<T, L>): L => list;
}

// `unreadable` is not a field: storage derives it when a row does not decode (rowCodec.ts).
export const TASK_FIELDS = fields<Omit<TaskRecord, 'unreadable'>>()([
  'id', 'kind', 'namespace', 'name', 'templateVersion', 'templateRef', 'status', 'input', 'data',
  'currentState', 'parentTaskId', 'parentStepName', 'idempotencyKey', 'participants', 'error',
  'result', 'createdAt', 'updatedAt', 'finishedAt', 'wakeAt', 'timeoutAt', 'deleteAt', 'debug',
  'leaseOwner', 'leaseExpiresAt', 'stateAttempts', 'version',
]);

export const STEP_FIELDS = fields<StepRecord>()([
  'id', 'taskId', 'name', 'templateStep', 'type', 'state', 'dependsOn', 'attempts', 'maxAttempts',
  'retryAt', 'wakeAt', 'results', 'batch', 'error', 'leaseOwner', 'leaseExpiresAt', 'concurrencyKey',
  'progress', 'dynamic', 'createdBy', 'createdAt', 'updatedAt', 'version',
]);

export const ATTEMPT_FIELDS = fields<AttemptRecord>()([
  'id', 'taskId', 'stepName', 'number', 'startedAt', 'finishedAt', 'durationMs', 'outcome', 'error',
  'output', 'logs',
]);

/**
 * Fields a patch may not change: identities, and `version`, which only storage moves.
 * `kind` and `idempotencyKey` are part of a task's identity too.
 */
const IMMUTABLE: Record<'task' | 'step' | 'attempt', ReadonlySet<string>> = {
  task: new Set(['id', 'version', 'kind', 'idempotencyKey']),
  step: new Set(['id', 'version', 'taskId', 'name']),
  attempt: new Set(['id', 'taskId', 'stepName', 'number']),
};

const KNOWN: Record<'task' | 'step' | 'attempt', ReadonlySet<string>> = {
  task: new Set<string>(TASK_FIELDS),
  step: new Set<string>(STEP_FIELDS),
  attempt: new Set<string>(ATTEMPT_FIELDS),
};

/**
 * The keys of a patch that will be written, in a stable order. Keys whose value is `undefined`
 * are ignored (a Partial may carry them); null is a value and is written.
 * Returns a string describing the first bad key, or the list.
 */
export function patchKeys(kind: 'task' | 'step' | 'attempt', set: object): string[] | { bad: string; why: string } {
  const keys: string[] = [];
  const values = set as Record<string, unknown>;
  for (const key of Object.keys(set)) {
    if (values[key] === undefined) continue;
    if (!KNOWN[kind].has(key)) return { bad: key, why: `'${key}' is not a field of a ${kind}` };
    if (IMMUTABLE[kind].has(key)) return { bad: key, why: `'${key}' of a ${kind} cannot be changed by a patch` };
    keys.push(key);
  }
  keys.sort();
  return keys;
}
