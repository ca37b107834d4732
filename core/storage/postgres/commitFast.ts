/**
 * The one-round-trip commit (stepwise.commit_fast, ./commitFastSql.ts) for the changes engines
 * make all the time: patches of a task and its steps, new steps and attempts, transitions and
 * events. Changes that create or delete tasks or carry concurrency guards take the checked path
 * (./commit.ts), as does any change the function refuses: there the same checks as memory and
 * SQLite name the exact error.
 */
import type pg from 'pg';
import type { StepwiseEvent } from '../../model/events.js';
import type { AttemptRecord } from '../../model/runtime.js';
import type { ChangeSet, CommitResult } from '../storage.js';
import { PG_ATTEMPTS, PG_STEPS, PG_TASKS, encodePatch, encodeRow } from './codec.js';
import { FAST_COMMIT_REFUSED } from './commitFastSql.js';
import { encodeTransitions, touchedTasks } from './commit.js';

const FAST_SQL = `SELECT tr_seqs, ev_seqs FROM stepwise.commit_fast($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`;

export interface AttemptKeys {
  taskKeys: (readonly string[])[];
  stepKeys: (readonly string[])[];
  attemptKeys: (readonly string[])[];
}

/**
 * Whether `c` can go by the function: no task deleted (cascades), no concurrency guard (counted
 * under key locks by the checked path), and every attempt patch either folded into this commit's
 * insert or writing something (its UPDATE is its existence check). Tasks with an idempotency key
 * go too: the key's unique index refuses one already taken (23505), and the checked path then
 * names its owner.
 */
export function fastEligible(c: ChangeSet, keys: AttemptKeys): boolean {
  if ((c.deleteTasks?.length ?? 0) > 0 || (c.concurrencyGuards?.length ?? 0) > 0) return false;
  const inserted = new Set((c.insertAttempts ?? []).map((a) => a.id));
  return (c.updateAttempts ?? []).every((p, i) => inserted.has(p.id) || keys.attemptKeys[i]!.length > 0);
}

/** A refusal of the function: the caller retries by the checked path. */
export function isFastRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === FAST_COMMIT_REFUSED || code === '23505';
}

/** Runs `c` (fastEligible) as one statement on `client`; throws isFastRefusal errors when a check fails. */
export async function commitFast(client: pg.PoolClient, c: ChangeSet, keys: AttemptKeys): Promise<CommitResult> {
  const updateTasks = c.updateTasks ?? [];
  const updateSteps = c.updateSteps ?? [];
  const insertSteps = c.insertSteps ?? [];
  const patched = updateTasks.map((p) => p.id);
  const patchedSet = new Set(patched);
  const inserted = new Set((c.insertTasks ?? []).map((t) => t.id));
  // New tasks exist once the statement ran; their version moves with nothing else.
  const known = (id: string) => patchedSet.has(id) || inserted.has(id);
  // Tasks that must exist (steps, attempts and transitions refer to them); events may name a deleted task.
  const required = new Set<string>();
  for (const s of insertSteps) if (!known(s.taskId)) required.add(s.taskId);
  for (const a of c.insertAttempts ?? []) if (!known(a.taskId)) required.add(a.taskId);
  for (const t of c.transitions ?? []) if (!known(t.taskId)) required.add(t.taskId);
  const bump = [...new Set(insertSteps.map((s) => s.taskId).filter((id) => !known(id)))];
  const attempts = foldAttempts(c, keys.attemptKeys);
  const events = c.events ?? [];
  const values = [
    touchedTasks(c),
    updateSteps.map((p) => p.id),
    [...required],
    patched,
    bump,
    events.length,
    JSON.stringify(updateTasks.map((p, i) => encodePatch(PG_TASKS, p.id, keys.taskKeys[i]!, p.set, p.expectedVersion + 1))),
    JSON.stringify(updateSteps.map((p, i) => encodePatch(PG_STEPS, p.id, keys.stepKeys[i]!, p.set, p.expectedVersion + 1))),
    JSON.stringify(insertSteps.map((s) => encodeRow(PG_STEPS, s))),
    JSON.stringify(attempts.inserts.map((a) => encodeRow(PG_ATTEMPTS, a))),
    JSON.stringify(attempts.patches.map((p) => encodePatch(PG_ATTEMPTS, p.id, p.keys, p.set, null))),
    JSON.stringify(encodeTransitions(c)),
    JSON.stringify(events.map((e) => ({ type: e.type, task_id: e.taskId, step_name: e.stepName, at: e.at, payload: JSON.stringify(e.payload) }))),
    updateTasks.length,
    updateSteps.length,
    attempts.patches.length,
    JSON.stringify((c.insertTasks ?? []).map((t) => encodeRow(PG_TASKS, t))),
  ];
  const r = await client.query({ name: 'stepwise_commit_fast', text: FAST_SQL, values, rowMode: 'array' });
  const [trSeqs, evSeqs] = r.rows[0] as [Array<number | string>, Array<number | string>];
  return {
    transitionSeqs: trSeqs.map(Number),
    events: events.map((e, i) => ({ ...e, seq: Number(evSeqs[i]) }) as StepwiseEvent),
  };
}

/** Attempts inserted and patched in one commit are written once, already patched. */
export function foldAttempts(c: ChangeSet, attemptKeys: (readonly string[])[]): { inserts: AttemptRecord[]; patches: Array<{ id: string; keys: readonly string[]; set: object }> } {
  const inserts = new Map((c.insertAttempts ?? []).map((a) => [a.id, { ...a }]));
  const patches: Array<{ id: string; keys: readonly string[]; set: object }> = [];
  (c.updateAttempts ?? []).forEach((p, i) => {
    const keys = attemptKeys[i]!;
    const inserted = inserts.get(p.id);
    if (inserted) {
      for (const k of keys) (inserted as Record<string, unknown>)[k] = (p.set as Record<string, unknown>)[k];
    } else if (keys.length > 0) patches.push({ id: p.id, keys, set: p.set });
  });
  return { inserts: [...inserts.values()], patches };
}
