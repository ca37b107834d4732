/**
 * One `Storage.commit` on PostgreSQL. The changes engines make all the time go in one round trip
 * (./commitFast.ts); the others, and any the one-round-trip function refuses, take the checked
 * path, three round trips on one pooled connection:
 *
 *   1. BEGIN + `stepwise.prepare_commit` (one simple-protocol query): `lock_commit` takes
 *      transaction-scoped advisory locks on every task the change touches (tasks of patched
 *      steps are looked up by the function), every guarded concurrency key and
 *      every new idempotency key, in one global order, so commits on one task run one after the
 *      other and never deadlock; then one read statement fetches everything the shared checks
 *      (../check.ts) need, and numbers the events (stepwise.event_seqs).
 *   2. Refuse a patch of a task with a stored unreadable mark (returned with the task's version),
 *      check in JavaScript with the same code as memory and SQLite (same errors, same order),
 *      then one write statement (data-modifying CTEs: inserts, patches, version bumps, transitions,
 *      events), then deletes if any.
 *   3. COMMIT.
 *
 * A refused commit rolls back; it may have used event seqs (numbers are never reused, may have
 * gaps). Any other failure discards the connection: it may hold the event seq section's lock.
 * The one-round-trip path creates keyed tasks under the key's unique index alone (no key lock):
 * a checked commit that loses its key to one in between reads again and names the owner.
 */
import type pg from 'pg';
import type { StepwiseEvent } from '../../model/events.js';
import { checkCommit, validateChange, type CommitLookup, type CommitPlan } from '../check.js';
import { parseMark, unreadableRowError } from '../rowCodec.js';
import type { ChangeSet, CommitResult } from '../storage.js';
import { PG_ATTEMPTS, PG_STEPS, PG_TASKS, encodePatch, encodeRow } from './codec.js';
import { LOCK } from './locks.js';
import { commitFast, fastEligible, foldAttempts, isFastRefusal } from './commitFast.js';
import { KEY_LOOKUP_PLANS } from './commitFastSql.js';

/** KEY_LOOKUP_PLANS for the rest of a transaction: `SET LOCAL a = off; SET LOCAL b = off`. */
const LOCAL_KEY_LOOKUP_PLANS = KEY_LOOKUP_PLANS.split(/ (?=SET )/).map((part) => part.replace(/^SET /, 'SET LOCAL ')).join('; ');

/** All writes of a commit except deletes. Empty arrays write nothing. */
const WRITE_SQL = `
WITH it AS (${PG_TASKS.insert}),
ut AS (${PG_TASKS.patch.replace(/\$1/g, '$2')}),
bt AS (UPDATE stepwise.tasks SET version = version + 1 WHERE id = ANY($3::text[])),
ist AS (${PG_STEPS.insert.replace(/\$1/g, '$4')}),
ust AS (${PG_STEPS.patch.replace(/\$1/g, '$5')}),
ia AS (${PG_ATTEMPTS.insert.replace(/\$1/g, '$6')}),
ua AS (${PG_ATTEMPTS.patch.replace(/\$1/g, '$7')}),
tr AS (
  INSERT INTO stepwise.transitions (task_id, step_name, field, from_value, to_value, reason, actor, at, details)
  SELECT r.task_id, r.step_name, r.field, r.from_value, r.to_value, r.reason, r.actor, r.at, r.details::json
  FROM json_to_recordset($8::json) AS r(task_id text, step_name text, field text, from_value text, to_value text,
    reason text, actor text, at bigint, details text)
  RETURNING seq
),
ev AS (
  INSERT INTO stepwise.events (seq, type, task_id, step_name, at, payload)
  SELECT r.seq, r.type, r.task_id, r.step_name, r.at, r.payload::json
  FROM json_to_recordset($9::json) AS r(seq bigint, type text, task_id text, step_name text, at bigint, payload text)
)
SELECT seq FROM tr ORDER BY seq`;

const DELETE_SQL = `
WITH s AS (DELETE FROM stepwise.steps WHERE task_id = ANY($1::text[])),
a AS (DELETE FROM stepwise.attempts WHERE task_id = ANY($1::text[])),
t AS (DELETE FROM stepwise.transitions WHERE task_id = ANY($1::text[])),
r AS (DELETE FROM stepwise.reservations WHERE task_id = ANY($1::text[]))
DELETE FROM stepwise.tasks WHERE id = ANY($1::text[])`;

interface Prefetched {
  taskVersions: Map<string, number>;
  /** Stored unreadable marks of the touched tasks that have one (migration 9). */
  marks: Map<string, string>;
  keyOwners: Map<string, string>;
  steps: Map<string, { taskId: string; version: number; state: string; concurrencyKey: string | null }>;
  names: Set<string>;
  attempts: Set<string>;
  running: Map<string, number>;
  eventSeqs: number[];
}

const nameKey = (taskId: string, name: string) => `${taskId}\u0000${name}`;

function lookupOf(p: Prefetched): CommitLookup {
  return {
    taskVersion: (id) => p.taskVersions.get(id) ?? null,
    taskIdByIdempotencyKey: (key) => p.keyOwners.get(key) ?? null,
    step: (id) => {
      const s = p.steps.get(id);
      return s ? { taskId: s.taskId, version: s.version } : null;
    },
    stepExistsByName: (taskId, name) => p.names.has(nameKey(taskId, name)),
    attemptExists: (id) => p.attempts.has(id),
    runningWithKey: (key) => p.running.get(key) ?? 0,
    stepRun: (id) => {
      const s = p.steps.get(id);
      return s ? { state: s.state, concurrencyKey: s.concurrencyKey } : null;
    },
  };
}

/** Task ids a change refers to (all locked; the tasks of patched steps are added by lock_commit). */
export function touchedTasks(c: ChangeSet): string[] {
  const ids = new Set<string>();
  for (const t of c.insertTasks ?? []) ids.add(t.id);
  for (const p of c.updateTasks ?? []) ids.add(p.id);
  for (const s of c.insertSteps ?? []) ids.add(s.taskId);
  for (const a of c.insertAttempts ?? []) ids.add(a.taskId);
  for (const t of c.transitions ?? []) ids.add(t.taskId);
  for (const e of c.events ?? []) ids.add(e.taskId);
  for (const id of c.deleteTasks ?? []) ids.add(id);
  return [...ids];
}

const strings = (v: unknown): v is string => typeof v === 'string';

/**
 * BEGIN and stepwise.prepare_commit (locks, then the reads) in one round trip: a simple-protocol
 * query of two statements, the arguments as one escaped JSON literal.
 */
async function beginLockAndRead(client: pg.PoolClient, c: ChangeSet): Promise<Prefetched> {
  const tasks = touchedTasks(c);
  const patchedSteps = (c.updateSteps ?? []).map((p) => p.id).filter(strings);
  const guardKeys = [...new Set((c.concurrencyGuards ?? []).map((g) => g.key).filter(strings))];
  const newKeys = [...new Set((c.insertTasks ?? []).map((t) => t.idempotencyKey).filter((k): k is string => typeof k === 'string'))];
  const insertSteps = c.insertSteps ?? [];
  const args = {
    tasks,
    patchedSteps,
    classes: [...guardKeys.map(() => LOCK.concurrencyKey), ...newKeys.map(() => LOCK.idempotencyKey)],
    keys: [...guardKeys, ...newKeys],
    newKeys,
    steps: [...patchedSteps, ...insertSteps.map((s) => s.id)].filter(strings),
    nameTasks: insertSteps.map((s) => s.taskId),
    names: insertSteps.map((s) => s.name),
    attempts: [...(c.updateAttempts ?? []).map((p) => p.id), ...(c.insertAttempts ?? []).map((a) => a.id)].filter(strings),
    guardKeys,
    events: c.events?.length ?? 0,
  };
  // The transaction's own statements (the write, the deletes) are key lookups too (KEY_LOOKUP_PLANS).
  const results = (await client.query(`BEGIN; ${LOCAL_KEY_LOOKUP_PLANS}; SELECT * FROM stepwise.prepare_commit(${client.escapeLiteral(JSON.stringify(args))})`)) as unknown as pg.QueryResult[];
  const rows = results[results.length - 1]!.rows as Array<{ k: string; a: string; b: string | null; n: number | null; st: string | null; ck: string | null }>;
  const p: Prefetched = {
    taskVersions: new Map(),
    marks: new Map(),
    keyOwners: new Map(),
    steps: new Map(),
    names: new Set(),
    attempts: new Set(),
    running: new Map(),
    eventSeqs: [],
  };
  for (const { k, a, b, n, st, ck } of rows) {
    switch (k) {
      case 't':
        p.taskVersions.set(a, n!);
        if (b !== null) p.marks.set(a, b);
        break;
      case 'i':
        p.keyOwners.set(a, b!);
        break;
      case 's':
        p.steps.set(a, { taskId: b!, version: n!, state: st!, concurrencyKey: ck });
        break;
      case 'n':
        p.names.add(nameKey(a, b!));
        break;
      case 'a':
        p.attempts.add(a);
        break;
      case 'c':
        p.running.set(a, n!);
        break;
      case 'e':
        p.eventSeqs.push(n!);
        break;
    }
  }
  p.eventSeqs.sort((x, y) => x - y);
  return p;
}

async function write(client: pg.PoolClient, c: ChangeSet, plan: CommitPlan, eventSeqs: number[]): Promise<CommitResult> {
  const attempts = foldAttempts(c, plan.attemptKeys);
  const events = c.events ?? [];
  const values = [
    JSON.stringify((c.insertTasks ?? []).map((t) => encodeRow(PG_TASKS, t))),
    JSON.stringify((c.updateTasks ?? []).map((p, i) => encodePatch(PG_TASKS, p.id, plan.taskKeys[i]!, p.set, p.expectedVersion + 1))),
    plan.bumpTasks,
    JSON.stringify((c.insertSteps ?? []).map((s) => encodeRow(PG_STEPS, s))),
    JSON.stringify((c.updateSteps ?? []).map((p, i) => encodePatch(PG_STEPS, p.id, plan.stepKeys[i]!, p.set, p.expectedVersion + 1))),
    JSON.stringify(attempts.inserts.map((a) => encodeRow(PG_ATTEMPTS, a))),
    JSON.stringify(attempts.patches.map((p) => encodePatch(PG_ATTEMPTS, p.id, p.keys, p.set, null))),
    JSON.stringify(encodeTransitions(c)),
    JSON.stringify(events.map((e, i) => ({ seq: eventSeqs[i], type: e.type, task_id: e.taskId, step_name: e.stepName, at: e.at, payload: JSON.stringify(e.payload) }))),
  ];
  const r = await client.query({ name: 'stepwise_write_commit', text: WRITE_SQL, values, rowMode: 'array' });
  if ((c.deleteTasks ?? []).length > 0) await client.query({ name: 'stepwise_delete_tasks', text: DELETE_SQL, values: [c.deleteTasks] });
  return {
    transitionSeqs: (r.rows as unknown[][]).map((row) => row[0] as number),
    events: events.map((e, i) => ({ ...e, seq: eventSeqs[i]! }) as StepwiseEvent),
  };
}

/**
 * Refuses a patch of a task marked unreadable by any process (ROW_UNREADABLE, before any STALE,
 * as SQLite's commit): the checks and the writes would work on rows that do not decode.
 */
function refuseMarked(c: ChangeSet, marks: Map<string, string>): void {
  if (marks.size === 0) return;
  for (const p of c.updateTasks ?? []) {
    const text = marks.get(p.id);
    if (text !== undefined) throw unreadableRowError(parseMark(text, p.id));
  }
}

/** Transition rows as the write statements read them. */
export function encodeTransitions(c: ChangeSet): object[] {
  return (c.transitions ?? []).map((t) => ({
    task_id: t.taskId,
    step_name: t.stepName,
    field: t.field,
    from_value: t.from,
    to_value: t.to,
    reason: t.reason,
    actor: t.actor,
    at: t.at,
    details: isEmpty(t.details) ? null : JSON.stringify(t.details),
  }));
}

function isEmpty(o: object | null | undefined): boolean {
  if (!o) return true;
  for (const _ in o) return false;
  return true;
}

/**
 * Runs the commit on `client` (which the caller releases: with an error unless this resolved or
 * threw a refusal, see `isRefusal`).
 */
export async function commitOn(client: pg.PoolClient, c: ChangeSet, stats?: CommitStats, fast = true): Promise<CommitResult> {
  // USAGE problems are refused before any round trip (checkCommit repeats this, harmlessly).
  const keys = validateChange(c);
  if (fast && fastEligible(c, keys)) {
    try {
      const result = await commitFast(client, c, keys);
      if (stats) stats.fast++;
      return result;
    } catch (err) {
      if (!isFastRefusal(err)) throw err;
      // Rolled back already (the call was its own transaction): the checked path names the error.
      if (stats) stats.fastRefused++;
    }
  }
  if (stats) stats.checked++;
  try {
    return await commitChecked(client, c);
  } catch (err) {
    // An idempotency key taken after prepare_commit read the keys, by a commit that took no lock
    // on it (the one-round-trip path creates keyed tasks under the unique index alone): read
    // again, now that its owner has committed, and checkCommit names the owner (DUPLICATE).
    if (!isTakenKey(err)) throw err;
    return await commitChecked(client, c);
  }
}

/** The checked path: BEGIN, locks and reads, checks, writes, COMMIT (ROLLBACK on any error). */
async function commitChecked(client: pg.PoolClient, c: ChangeSet): Promise<CommitResult> {
  try {
    const prefetched = await beginLockAndRead(client, c);
    refuseMarked(c, prefetched.marks);
    const plan = checkCommit(c, lookupOf(prefetched));
    const result = await write(client, c, plan, prefetched.eventSeqs);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A write refused by the unique index on idempotency keys (migration 1). */
function isTakenKey(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23505' && e.constraint === 'tasks_idempotency';
}

/** How commits went (tests and profiles): by the one-round-trip path, refused there, by the checked path. */
export interface CommitStats {
  fast: number;
  fastRefused: number;
  checked: number;
}
