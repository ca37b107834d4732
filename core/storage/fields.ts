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

/** A patch's keys as written (sorted), or why the patch is malformed. */
export type PatchKeys = readonly string[] | { bad: string; why: string };

/**
 * One node of a kind's key trie: the defined keys of a patch, in the patch's own order, lead
 * from the root to the node holding their sorted list. The engine patches a handful of shapes
 * (claim, completion, lease), so after the first of each shape a patch costs a Map lookup per
 * key (keys are interned property names) instead of two Set checks per key, a sort and, in
 * SQLite, a signature string per patch: and every patch of a shape gets the *same* array, which
 * storage can key its per-shape caches on (sqlite/codec.ts).
 */
interface KeyNode {
  next: Map<string, KeyNode>;
  keys: readonly string[] | null;
}

/**
 * Nodes per kind at most. Only known, mutable fields make nodes, so a trie stays small unless a
 * caller patches one kind in very many key orders; past the bound, patches are validated and
 * sorted without caching (same answers).
 */
const MAX_NODES = 4096;

const tries: Record<'task' | 'step' | 'attempt', { root: KeyNode; nodes: number }> = {
  task: { root: { next: new Map(), keys: null }, nodes: 0 },
  step: { root: { next: new Map(), keys: null }, nodes: 0 },
  attempt: { root: { next: new Map(), keys: null }, nodes: 0 },
};

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * The keys of a patch that will be written, in a stable order (sorted). Keys whose value is
 * `undefined` are ignored (a Partial may carry them); null is a value and is written.
 * Returns a description of the first bad key, or the list — frozen and shared by every patch
 * with the same keys in the same order (never change it).
 */
export function patchKeys(kind: 'task' | 'step' | 'attempt', set: object): PatchKeys {
  const trie = tries[kind];
  const values = set as Record<string, unknown>;
  let node = trie.root;
  for (const key of Object.keys(set)) {
    if (values[key] === undefined) continue;
    let child = node.next.get(key);
    if (child === undefined) {
      const why = badKey(kind, key);
      if (why !== null) return { bad: key, why };
      if (trie.nodes >= MAX_NODES) return sortedKeys(kind, set);
      child = { next: new Map(), keys: null };
      node.next.set(key, child);
      trie.nodes++;
    }
    node = child;
  }
  if (node === trie.root) return EMPTY;
  return (node.keys ??= Object.freeze(sortedKeys(kind, set) as string[]));
}

/** Why `key` may not be patched in a `kind`, or null. */
function badKey(kind: 'task' | 'step' | 'attempt', key: string): string | null {
  if (!KNOWN[kind].has(key)) return `'${key}' is not a field of a ${kind}`;
  if (IMMUTABLE[kind].has(key)) return `'${key}' of a ${kind} cannot be changed by a patch`;
  return null;
}

/** patchKeys without the trie: every key checked, the defined ones sorted into a new array. */
function sortedKeys(kind: 'task' | 'step' | 'attempt', set: object): PatchKeys {
  const keys: string[] = [];
  const values = set as Record<string, unknown>;
  for (const key of Object.keys(set)) {
    if (values[key] === undefined) continue;
    const why = badKey(kind, key);
    if (why !== null) return { bad: key, why };
    keys.push(key);
  }
  keys.sort();
  return keys;
}
