/**
 * The checks every `commit` runs before it writes anything, shared by all implementations so they
 * refuse the same commits with the same errors. Order (documented in storage.ts):
 *   1. malformed patches (USAGE), 2. versions of patched tasks and steps (STALE),
 *   3. records the change refers to must exist (STALE), 4. identities must be free (DUPLICATE),
 *   5. concurrency guards (CONCURRENCY_LIMIT, ./guards.ts).
 * The result also says which tasks get an implicit version bump.
 */
import type { StepRecord, TaskRecord } from '../model/runtime.js';
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
  /**
   * Patch keys to write, parallel to updateTasks / updateSteps / updateAttempts: shared by every
   * patch of the same shape (fields.ts patchKeys), never changed.
   */
  taskKeys: (readonly string[])[];
  stepKeys: (readonly string[])[];
  attemptKeys: (readonly string[])[];
  /** Task id of each entry of updateSteps. */
  stepTaskIds: string[];
  /** Tasks whose version goes up by one because their steps changed or were added. */
  bumpTasks: string[];
}

function keysOf(kind: 'task' | 'step' | 'attempt', id: string, set: object): readonly string[] {
  const keys = patchKeys(kind, set);
  if ('bad' in keys) throw invalidChange(`${keys.why} (patch of ${kind} '${id}').`, { record: kind, id, field: keys.bad });
  return keys;
}

function once(kind: string, patches: readonly { id: string }[]): void {
  if (patches.length < 2) return;
  const seen = new Set<string>();
  for (const { id } of patches) {
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
  once('task', updateTasks);
  once('step', updateSteps);
  once('attempt', updateAttempts);
  validateGuards(c);
  return { taskKeys, stepKeys, attemptKeys };
}

/** What the version checks learned, for the later checks and the writes. */
export interface CheckState {
  /** Tasks known to exist (patched, or owning a patched step): not looked up again. */
  existing: Set<string>;
  /** Tasks patched by this commit (their version moves with the patch, no extra bump). */
  patched: Set<string>;
  /** Tasks inserted by this commit. */
  inserted: ReadonlySet<string>;
  /** Tasks whose version goes up by one because their steps changed or were added. */
  bump: Set<string>;
  /** Task id of each entry of updateSteps. */
  stepTaskIds: string[];
  /** Attempts inserted by this commit (insertedAttemptIds). */
  insertedAttempts: ReadonlySet<string>;
}

/** Shared by every commit that inserts no tasks or no attempts (only ever read). */
const NONE: ReadonlySet<string> = new Set();

export function newCheckState(c: ChangeSet): CheckState {
  const inserted = c.insertTasks !== undefined && c.insertTasks.length > 0 ? new Set(c.insertTasks.map((t) => t.id)) : NONE;
  return { existing: new Set(), patched: new Set(), inserted, bump: new Set(), stepTaskIds: [], insertedAttempts: insertedAttemptIds(c) };
}

/** Check 2 bookkeeping for a patched task whose version matched. */
export function taskVersionMatched(state: CheckState, id: string): void {
  state.existing.add(id);
  state.patched.add(id);
}

/** Check 2 bookkeeping for a patched step whose version matched (after every task patch). */
export function stepVersionMatched(state: CheckState, taskId: string): void {
  state.existing.add(taskId);
  state.stepTaskIds.push(taskId);
  if (!state.patched.has(taskId)) state.bump.add(taskId);
}

/**
 * Check 3: records the change refers to exist. `attemptExists` answers for a patched attempt
 * this commit does not insert (SQLite answers it by running the attempt's UPDATE: see sqlite.ts).
 */
export function checkReferences(c: ChangeSet, db: CommitLookup, state: CheckState, attemptExists: (id: string, index: number) => boolean): void {
  const { existing, inserted, patched, bump } = state;
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
  const { insertedAttempts } = state;
  const updateAttempts = c.updateAttempts ?? [];
  for (let i = 0; i < updateAttempts.length; i++) {
    const id = updateAttempts[i]!.id;
    if (!insertedAttempts.has(id) && !attemptExists(id, i)) throw staleRecord('attempt', id, null, null);
  }
}

export function insertedAttemptIds(c: ChangeSet): ReadonlySet<string> {
  return c.insertAttempts !== undefined && c.insertAttempts.length > 0 ? new Set(c.insertAttempts.map((a) => a.id)) : NONE;
}

/**
 * Check 4: identities are free (in storage and within this commit). `attempts: false` leaves the
 * attempt ids to the caller (SQLite lets the PRIMARY KEY refuse them, as the last check 4 does).
 */
export function checkIdentities(c: ChangeSet, db: CommitLookup, state: CheckState, attempts: boolean): void {
  if (c.insertTasks !== undefined && c.insertTasks.length > 0) checkTaskIdentities(c.insertTasks, db);
  if (c.insertSteps !== undefined && c.insertSteps.length > 0) checkStepIdentities(c.insertSteps, db, state);
  if (!attempts || c.insertAttempts === undefined || c.insertAttempts.length === 0) return;
  const attemptIds = new Set<string>();
  for (const a of c.insertAttempts) {
    if (attemptIds.has(a.id) || db.attemptExists(a.id)) throw duplicateRecord('attempt', a.id);
    attemptIds.add(a.id);
  }
}

function checkTaskIdentities(insertTasks: readonly TaskRecord[], db: CommitLookup): void {
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
}

function checkStepIdentities(insertSteps: readonly StepRecord[], db: CommitLookup, state: CheckState): void {
  const stepIds = new Set<string>();
  const stepNames = new Set<string>();
  for (const s of insertSteps) {
    const name = `${s.taskId}\u0000${s.name}`;
    if (stepIds.has(s.id) || db.step(s.id) !== null) throw duplicateRecord('step', s.id);
    if (stepNames.has(name) || (!state.inserted.has(s.taskId) && db.stepExistsByName(s.taskId, s.name))) {
      throw duplicateRecord('step', `${s.taskId}/${s.name}`, 'name');
    }
    stepIds.add(s.id);
    stepNames.add(name);
  }
}

export function checkCommit(c: ChangeSet, db: CommitLookup): CommitPlan {
  // 1. Malformed patches.
  const { taskKeys, stepKeys, attemptKeys } = validateChange(c);

  // 2. Versions. A task known to exist is remembered so step 3 does not look it up again.
  const state = newCheckState(c);
  for (const p of c.updateTasks ?? []) {
    const actual = db.taskVersion(p.id);
    if (actual !== p.expectedVersion) throw staleRecord('task', p.id, p.expectedVersion, actual);
    taskVersionMatched(state, p.id);
  }
  for (const p of c.updateSteps ?? []) {
    const actual = db.step(p.id);
    if (actual === null || actual.version !== p.expectedVersion) {
      throw staleRecord('step', p.id, p.expectedVersion, actual?.version ?? null);
    }
    stepVersionMatched(state, actual.taskId);
  }

  // 3. Referenced records exist. 4. Identities are free.
  checkReferences(c, db, state, (id) => db.attemptExists(id));
  checkIdentities(c, db, state, true);

  // 5. Concurrency guards (only read when the commit carries some).
  checkGuards(c, db);

  return { taskKeys, stepKeys, attemptKeys, stepTaskIds: state.stepTaskIds, bumpTasks: [...state.bump] };
}
