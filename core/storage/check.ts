/**
 * The checks every `commit` runs before it writes anything, shared by all implementations so they
 * refuse the same commits with the same errors. Order (documented in storage.ts):
 *   1. malformed patches (USAGE), 2. versions of patched tasks and steps (STALE),
 *   3. records the change refers to must exist (STALE), 4. identities must be free (DUPLICATE),
 *   5. concurrency guards (CONCURRENCY_LIMIT, ./guards.ts).
 * The result also says which tasks get an implicit version bump.
 */
import type { ChangeSet } from './storage.js';
import { duplicateIdempotencyKey, duplicateRecord, invalidChange, staleRecord } from './errors.js';
import { patchKeys } from './fields.js';
import { checkGuards, validateGuards, type GuardLookup } from './guards.js';

/** Synchronous reads of the current state (both SQLite and memory answer these without I/O waits). */
export interface CommitLookup extends GuardLookup {
  taskVersion(id: string): number | null;
  taskIdByIdempotencyKey(key: string): string | null;
  step(id: string): { taskId: string; version: number } | null;
  stepExistsByName(taskId: string, name: string): boolean;
  attemptExists(id: string): boolean;
}

export interface CommitPlan {
  /** Patch keys to write, parallel to updateTasks / updateSteps / updateAttempts. */
  taskKeys: string[][];
  stepKeys: string[][];
  attemptKeys: string[][];
  /** Task id of each entry of updateSteps. */
  stepTaskIds: string[];
  /** Tasks whose version goes up by one because their steps changed or were added. */
  bumpTasks: string[];
}

function keysOf(kind: 'task' | 'step' | 'attempt', id: string, set: object): string[] {
  const keys = patchKeys(kind, set);
  if (!Array.isArray(keys)) throw invalidChange(`${keys.why} (patch of ${kind} '${id}').`, { record: kind, id, field: keys.bad });
  return keys;
}

function once(kind: string, ids: Iterable<string>): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw invalidChange(`${kind} '${id}' is patched twice in one commit; merge the patches.`, { record: kind, id });
    seen.add(id);
  }
}

/**
 * Check 1 alone (USAGE), before anything is read: returns the patch keys. Storage that reads over
 * the network (PostgreSQL) calls it first so a malformed change takes no locks.
 */
export function validateChange(c: ChangeSet): Pick<CommitPlan, 'taskKeys' | 'stepKeys' | 'attemptKeys'> {
  const updateTasks = c.updateTasks ?? [];
  const updateSteps = c.updateSteps ?? [];
  const updateAttempts = c.updateAttempts ?? [];
  const taskKeys = updateTasks.map((p) => keysOf('task', p.id, p.set));
  const stepKeys = updateSteps.map((p) => keysOf('step', p.id, p.set));
  const attemptKeys = updateAttempts.map((p) => keysOf('attempt', p.id, p.set));
  once('task', updateTasks.map((p) => p.id));
  once('step', updateSteps.map((p) => p.id));
  once('attempt', updateAttempts.map((p) => p.id));
  validateGuards(c);
  return { taskKeys, stepKeys, attemptKeys };
}

export function checkCommit(c: ChangeSet, db: CommitLookup): CommitPlan {
  const updateTasks = c.updateTasks ?? [];
  const updateSteps = c.updateSteps ?? [];
  const updateAttempts = c.updateAttempts ?? [];
  const insertTasks = c.insertTasks ?? [];

  // 1. Malformed patches.
  const { taskKeys, stepKeys, attemptKeys } = validateChange(c);

  // 2. Versions. A task known to exist is remembered so step 3 does not look it up again.
  const existing = new Set<string>();
  const patched = new Set<string>();
  for (const p of updateTasks) {
    const actual = db.taskVersion(p.id);
    if (actual !== p.expectedVersion) throw staleRecord('task', p.id, p.expectedVersion, actual);
    existing.add(p.id);
    patched.add(p.id);
  }
  const inserted = new Set(insertTasks.map((t) => t.id));
  const bump = new Set<string>();
  const stepTaskIds: string[] = [];
  for (const p of updateSteps) {
    const actual = db.step(p.id);
    if (actual === null || actual.version !== p.expectedVersion) {
      throw staleRecord('step', p.id, p.expectedVersion, actual?.version ?? null);
    }
    existing.add(actual.taskId);
    stepTaskIds.push(actual.taskId);
    if (!patched.has(actual.taskId)) bump.add(actual.taskId);
  }

  // 3. Referenced records exist.
  const requireTask = (taskId: string): void => {
    if (existing.has(taskId) || inserted.has(taskId)) return;
    if (db.taskVersion(taskId) === null) throw staleRecord('task', taskId, null, null);
    existing.add(taskId);
  };
  for (const s of c.insertSteps ?? []) {
    requireTask(s.taskId);
    if (!patched.has(s.taskId) && !inserted.has(s.taskId)) bump.add(s.taskId);
  }
  for (const a of c.insertAttempts ?? []) requireTask(a.taskId);
  for (const t of c.transitions ?? []) requireTask(t.taskId);
  const insertedAttempts = new Set((c.insertAttempts ?? []).map((a) => a.id));
  for (const p of updateAttempts) {
    if (!insertedAttempts.has(p.id) && !db.attemptExists(p.id)) throw staleRecord('attempt', p.id, null, null);
  }

  // 4. Identities are free (in storage and within this commit).
  const keys = new Map<string, string>();
  const taskIds = new Set<string>();
  for (const t of insertTasks) {
    if (taskIds.has(t.id) || db.taskVersion(t.id) !== null) throw duplicateRecord('task', t.id);
    taskIds.add(t.id);
    if (t.idempotencyKey !== null && t.idempotencyKey !== undefined) {
      const owner = keys.get(t.idempotencyKey) ?? db.taskIdByIdempotencyKey(t.idempotencyKey);
      if (owner !== null) throw duplicateIdempotencyKey(t.idempotencyKey, owner);
      keys.set(t.idempotencyKey, t.id);
    }
  }
  const stepIds = new Set<string>();
  const stepNames = new Set<string>();
  for (const s of c.insertSteps ?? []) {
    const name = `${s.taskId}\u0000${s.name}`;
    if (stepIds.has(s.id) || db.step(s.id) !== null) throw duplicateRecord('step', s.id);
    if (stepNames.has(name) || (!inserted.has(s.taskId) && db.stepExistsByName(s.taskId, s.name))) {
      throw duplicateRecord('step', `${s.taskId}/${s.name}`, 'name');
    }
    stepIds.add(s.id);
    stepNames.add(name);
  }
  const attemptIds = new Set<string>();
  for (const a of c.insertAttempts ?? []) {
    if (attemptIds.has(a.id) || db.attemptExists(a.id)) throw duplicateRecord('attempt', a.id);
    attemptIds.add(a.id);
  }

  // 5. Concurrency guards (only read when the commit carries some).
  checkGuards(c, db);

  return { taskKeys, stepKeys, attemptKeys, stepTaskIds, bumpTasks: [...bump] };
}
