/**
 * A SQLite database written before the latest migrations reads back, once opened (and migrated),
 * exactly as the same rows written at the latest schema: every task, step, attempt, transition
 * and event, every listing and every scan. Covers migrations 9 (tasks_finished) and 10 (seqs
 * without AUTOINCREMENT).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TASK_STATUSES, type TaskStatus } from '../../core/model/states.js';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../core/storage/sqlite/migrations.js';
import type { Storage, TaskQuery } from '../../core/storage/storage.js';
import { onFile, sqliteAtVersion } from '../fixtures/storage/olderSqlite.js';
import { attempt, step, T0, task, transition } from '../fixtures/storage/records.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-upgrade-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FAR = T0 + 1_000_000;

/** Tasks in every status, flows with waits, leases, participants and keys, steps in every scanned state. */
async function seed(s: Storage): Promise<void> {
  const paused = { paused: true, breakpoints: ['b'], resumeStatus: 'running' as const };
  await s.commit({
    insertTasks: [
      task('w-done', { status: 'complete', createdAt: T0 + 1, finishedAt: T0 + 9, deleteAt: T0 + 100, result: { ok: 1 } }),
      task('f-error', { kind: 'flow', status: 'error', currentState: 'x', createdAt: T0 + 2, error: { class: 'Error', message: 'boom' } }),
      task('w-cancel', { status: 'cancelled', createdAt: T0 + 3 }),
      task('w-run', { status: 'running', createdAt: T0 + 4, timeoutAt: T0 + 500 }),
      task('f-wait', { kind: 'flow', status: 'waiting', currentState: 'wait', createdAt: T0 + 5, wakeAt: T0 + 50, participants: ['user:1'], idempotencyKey: 'k1' }),
      task('f-lease', { kind: 'flow', status: 'running', currentState: 'act', createdAt: T0 + 6, leaseOwner: 'e1', leaseExpiresAt: T0 + 10, stateAttempts: 1 }),
      task('w-paused', { status: 'paused', createdAt: T0 + 7, debug: paused }),
      task('w-child', { status: 'pending', createdAt: T0 + 8, parentTaskId: 'w-run', parentStepName: 'a', namespace: 'other', name: 'child', templateRef: 'other/child@1' }),
      task('w-last', { status: 'running', createdAt: T0 + 9 }),
    ],
    insertSteps: [
      step('w-run', 'a', { state: 'running', leaseOwner: 'e1', leaseExpiresAt: T0 + 20, attempts: 1, concurrencyKey: 'ck' }),
      step('w-run', 'b', { state: 'ready', updatedAt: T0 + 1 }),
      step('w-run', 'c', { state: 'waiting_for_retry', retryAt: T0 + 30, attempts: 1 }),
      step('w-run', 'd', { state: 'waiting', wakeAt: T0 + 40 }),
      step('w-run', 'e', { state: 'complete', results: { n: [1, 2] }, dependsOn: ['a'] }),
      step('w-done', 'a', { state: 'complete', results: 'x' }),
      step('w-last', 'a', { state: 'ready' }),
    ],
    insertAttempts: [
      attempt('w-run', 'a', 1),
      attempt('w-run', 'e', 1, { finishedAt: T0 + 3, durationMs: 3, outcome: 'success', output: { n: [1, 2] }, logs: [{ at: T0, level: 'info', message: 'hi' }] as never }),
      attempt('w-run', 'c', 1, { finishedAt: T0 + 2, durationMs: 2, outcome: 'error', error: { class: 'Error', message: 'retry me', retryable: true } }),
    ],
    transitions: [
      transition('w-run', null, 'pending', 'running'),
      transition('w-run', 'a', 'ready', 'running', { details: { attempt: 1 } }),
      transition('f-wait', null, 'running', 'waiting', { field: 'status' }),
      transition('w-done', null, 'running', 'complete'),
    ],
    events: [
      { type: 'step.ready', taskId: 'w-run', stepName: 'b', at: T0, payload: {} },
      { type: 'task.created', taskId: 'w-done', stepName: null, at: T0, payload: { templateRef: 'shop/order@1.0.0' } } as never,
    ],
  });
  // Transitions and events of the newest task last: a migration must not hand their seqs out again.
  await s.commit({
    transitions: [transition('w-last', null, 'pending', 'running'), transition('w-last', 'a', 'pending', 'ready')],
    events: [{ type: 'step.ready', taskId: 'w-last', stepName: 'a', at: T0 + 9, payload: {} }],
  });
}

async function everyPage(s: Storage, q: TaskQuery): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let total = -1;
  for (let cursor: string | undefined; ; ) {
    const page = await s.listTasks({ ...q, limit: 3, ...(cursor ? { cursor } : {}) });
    ids.push(...page.tasks.map((t) => t.id));
    total = page.total;
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return { ids, total };
}

/** Everything a storage answers about the seeded rows. */
async function snapshot(s: Storage): Promise<Record<string, unknown>> {
  const all = await everyPage(s, {});
  const tasks: Record<string, unknown> = {};
  for (const id of all.ids) {
    tasks[id] = {
      task: await s.getTask(id),
      steps: await s.getSteps(id),
      attempts: await s.listAttempts(id),
      transitions: await s.listTransitions(id),
      lastTransitionSeq: await s.lastTransitionSeq(id),
    };
  }
  const lists: Record<string, unknown> = {};
  const statusLists: TaskStatus[][] = [...TASK_STATUSES.map((x) => [x]), ['complete', 'running'], ['error', 'waiting', 'paused', 'cancelled'], []];
  for (const status of statusLists) lists[`status ${status.join(',')}`] = await everyPage(s, { status });
  lists['flows running'] = await everyPage(s, { kind: 'flow', status: 'running' });
  lists.participant = await everyPage(s, { participant: 'user:1' });
  lists.template = await everyPage(s, { templateRef: 'other/child@1' });
  lists.name = await everyPage(s, { namespace: 'shop', name: 'order' });
  lists.parent = await everyPage(s, { parentTaskId: 'w-run' });
  return {
    all,
    tasks,
    lists,
    events: await s.readEvents(0, 10_000),
    lastEventSeq: await s.lastEventSeq(),
    byKey: (await s.findTaskByIdempotencyKey('k1'))?.id,
    dueTasks: await s.dueTasks(FAR),
    expiredTaskLeases: await s.expiredTaskLeases(FAR),
    dueSteps: await s.dueSteps(FAR),
    expiredLeases: await s.expiredLeases(FAR),
    ready: await s.tasksWithReadySteps(),
    expiredTasks: await s.expiredTasks(FAR),
    running: await s.countRunningWithConcurrencyKey('ck'),
    maxAttempt: await s.maxAttemptNumber('w-run', 'e'),
  };
}

async function opened<T>(file: string, body: (s: SqliteStorage) => Promise<T>): Promise<T> {
  const s = new SqliteStorage({ file });
  try {
    return await body(s);
  } finally {
    await s.close();
  }
}

const indexes = (file: string): string[] => onFile(file, (db) => db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' ORDER BY name`).pluck().all() as string[]);

describe('an older SQLite database, opened by this Stepwise', () => {
  it('from migration 8: reads back identically, with tasks_finished instead of tasks_status', async () => {
    const latest = join(dir, 'latest.db');
    const old = join(dir, 'v8.db');
    await sqliteAtVersion(old, latest, 8, seed);
    expect(indexes(old)).toContain('tasks_status');
    const want = await opened(latest, snapshot);
    const got = await opened(old, async (s) => {
      expect(s.appliedMigrations).toEqual(MIGRATIONS.filter((m) => m.version > 8).map((m) => m.version));
      return snapshot(s);
    });
    expect(got).toEqual(want);
    expect((want.lists as Record<string, { total: number }>)['status complete,running']!.total).toBe(4);
    expect(indexes(old)).toContain('tasks_finished');
    expect(indexes(old)).not.toContain('tasks_status');
    expect(indexes(old)).toEqual(indexes(latest));
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(9);
  });
});

describe('seqs after migration 10 (no AUTOINCREMENT)', () => {
  it('from migration 9: reads back identically; seqs of a task deleted before the upgrade stay unused', async () => {
    const latest = join(dir, 'latest.db');
    const old = join(dir, 'v9.db');
    await sqliteAtVersion(old, latest, 9, seed);
    const want = await opened(latest, snapshot);
    // Deleted by the Stepwise of migration 9: its transitions go, sqlite_sequence keeps their seqs.
    const before = onFile(old, (db) => {
      const maxOf = (t: string) => db.prepare(`SELECT MAX(seq) FROM ${t}`).pluck().get() as number;
      const seqs = { transitions: maxOf('transitions'), events: maxOf('events') };
      db.prepare(`DELETE FROM tasks WHERE id = 'w-last'`).run();
      expect(maxOf('transitions')).toBeLessThan(seqs.transitions);
      expect(db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'transitions'`).pluck().get()).toBe(seqs.transitions);
      return seqs;
    });
    await opened(old, async (s) => {
      expect(s.appliedMigrations).toEqual(MIGRATIONS.filter((m) => m.version > 9).map((m) => m.version));
      const got = await snapshot(s);
      const { tasks, ...rest } = got;
      const { tasks: wantTasks, ...wantRest } = want;
      // Everything but the deleted task reads back as written.
      expect(tasks).toEqual(Object.fromEntries(Object.entries(wantTasks as Record<string, unknown>).filter(([id]) => id !== 'w-last')));
      expect(rest.events).toEqual(wantRest.events);
      expect(rest.lastEventSeq).toBe(before.events);
      const r = await s.commit({ transitions: [transition('w-run', 'b', 'ready', 'running')], events: [{ type: 'step.ready', taskId: 'w-run', stepName: 'b', at: T0, payload: {} }] });
      expect(r.transitionSeqs).toEqual([before.transitions + 1]);
      expect(r.events.map((e) => e.seq)).toEqual([before.events + 1]);
    });
    expect(onFile(old, (db) => db.prepare(`SELECT sql FROM sqlite_master WHERE name IN ('transitions', 'events') ORDER BY name`).pluck().all())).toEqual(
      onFile(latest, (db) => db.prepare(`SELECT sql FROM sqlite_master WHERE name IN ('transitions', 'events') ORDER BY name`).pluck().all()),
    );
  });

  it('never hands out a deleted task\'s seqs again, however many deletions and commits follow', async () => {
    const s = new SqliteStorage({ file: join(dir, 'db.sqlite') });
    try {
      const used: number[] = [];
      const log = async (id: string, n: number) => {
        const r = await s.commit({ transitions: Array.from({ length: n }, () => transition(id, null, 'running', 'running')) });
        used.push(...r.transitionSeqs);
      };
      await s.commit({ insertTasks: ['a', 'b', 'c', 'd'].map((id) => task(id)) });
      await log('a', 2);
      await log('b', 3);
      await s.commit({ deleteTasks: ['b'] }); // the newest seqs
      await log('c', 1);
      await s.commit({ deleteTasks: ['a'] }); // older seqs: the floor stays where it was
      await s.commit({ deleteTasks: ['c'] }); // the newest again
      await log('d', 2);
      expect(new Set(used).size).toBe(used.length);
      expect(used).toEqual([...used].sort((x, y) => x - y));
      expect((await s.listTransitions('d')).map((t) => t.seq)).toEqual(used.slice(-2));
      await s.close();
      const again = new SqliteStorage({ file: join(dir, 'db.sqlite') });
      const r = await again.commit({ transitions: [transition('d', null, 'running', 'complete')] });
      expect(r.transitionSeqs[0]).toBe(used[used.length - 1]! + 1);
      await again.close();
    } finally {
      await s.close();
    }
  });
});
