/**
 * The one-round-trip commit on PostgreSQL (stepwise.commit_fast): the changes engines make go by
 * it and write what the checked path writes; a change it refuses goes on by the checked path,
 * which refuses it with the contract's error and writes nothing. The contract suite
 * (storage.postgres.test.ts) covers the rest of the behaviour through whichever path a change takes.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { validateChange } from '../../core/storage/check.js';
import { commitFast } from '../../core/storage/postgres/commitFast.js';
import { FAST_COMMIT_BODY, FAST_COMMIT_MIGRATION_10, FAST_COMMIT_MIGRATION_11, FAST_COMMIT_MIGRATION_8 } from '../../core/storage/postgres/commitFastSql.js';
import { PG_MIGRATIONS, migratePostgres } from '../../core/storage/postgres/migrations.js';
import type { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { openStorage } from '../../core/storage/index.js';
import { usePostgres } from '../fixtures/postgres/database.js';
import { createDatabase, dropDatabase } from '../fixtures/postgres/server.js';
import { T0, attempt, completedEvent, readyEvent, step, task, transition } from '../fixtures/storage/records.js';

const db = usePostgres();
let s: PostgresStorage;

beforeEach(async () => {
  await db.fresh();
  s = await db.open();
  await s.commit({ insertTasks: [task('t1', { status: 'running' })], insertSteps: [step('t1', 'a', { state: 'running' }), step('t1', 'b', { state: 'ready' })] });
  await s.commit({ insertAttempts: [attempt('t1', 'a', 1)] });
});
afterEach(async () => {
  await s.close();
});

/** An engine-shaped commit: a's outcome and b's claim. */
function outcome(taskVersion: number, aVersion = 1) {
  return {
    updateTasks: [{ id: 't1', expectedVersion: taskVersion, set: { updatedAt: T0 + 5 } }],
    updateSteps: [
      { id: 't1:a', expectedVersion: aVersion, set: { state: 'complete' as const, results: { n: '\u0000x' }, leaseOwner: null } },
      { id: 't1:b', expectedVersion: 1, set: { state: 'running' as const, leaseOwner: 'e1', leaseExpiresAt: T0 + 30_000 } },
    ],
    insertAttempts: [attempt('t1', 'b', 1)],
    updateAttempts: [{ id: 't1:a:1', set: { outcome: 'success' as const, finishedAt: T0 + 5 } }],
    transitions: [transition('t1', 'a', 'running', 'complete'), transition('t1', 'b', 'ready', 'running')],
    events: [completedEvent('t1', 'a'), readyEvent('t1', 'b')],
  };
}

describe('PostgreSQL one-round-trip commit', () => {
  it('commits an outcome with claims in one call and writes what the checked path writes', async () => {
    const before = { ...s.commitStats };
    const version = (await s.getTask('t1'))!.version;
    const r = await s.commit(outcome(version));
    expect(s.commitStats.fast - before.fast).toBe(1);
    expect(s.commitStats.checked - before.checked).toBe(0);
    expect(r.transitionSeqs).toHaveLength(2);
    expect(r.transitionSeqs[1]).toBeGreaterThan(r.transitionSeqs[0]!);
    expect(r.events.map((e) => e.type)).toEqual(['step.completed', 'step.ready']);
    expect(r.events[1]!.seq).toBeGreaterThan(r.events[0]!.seq);
    await s.settled();
    expect((await s.readEvents(r.events[0]!.seq - 1, 10)).map((e) => [e.seq, e.type, e.payload])).toEqual(r.events.map((e) => [e.seq, e.type, e.payload]));
    const a = (await s.getStep('t1', 'a'))!;
    expect([a.state, a.results, a.version, a.leaseOwner]).toEqual(['complete', { n: '\u0000x' }, 2, null]);
    const b = (await s.getStep('t1', 'b'))!;
    expect([b.state, b.leaseOwner, b.leaseExpiresAt, b.version]).toEqual(['running', 'e1', T0 + 30_000, 2]);
    expect((await s.getTask('t1'))!).toMatchObject({ version: version + 1, updatedAt: T0 + 5, status: 'running' });
    const attempts = await s.listAttempts('t1');
    expect(attempts.map((x) => [x.id, x.outcome, x.finishedAt])).toEqual([
      ['t1:a:1', 'success', T0 + 5],
      ['t1:b:1', null, null],
    ]);
    expect((await s.listTransitions('t1')).slice(-2).map((t) => t.seq)).toEqual(r.transitionSeqs);
  });

  it('bumps the version of a task whose steps change without a patch of the task', async () => {
    const version = (await s.getTask('t1'))!.version;
    await s.commit({ updateSteps: [{ id: 't1:b', expectedVersion: 1, set: { progress: { fraction: 0.5 } } }], insertSteps: [step('t1', 'c')] });
    expect(s.commitStats.fast).toBeGreaterThan(0);
    expect((await s.getTask('t1'))!.version).toBe(version + 1);
    expect((await s.getStep('t1', 'c'))!.state).toBe('pending');
  });

  it('refuses a stale step with STALE by the checked path, writing nothing', async () => {
    const version = (await s.getTask('t1'))!.version;
    const transitions = await s.listTransitions('t1');
    const before = { ...s.commitStats };
    await expect(s.commit(outcome(version, 7))).rejects.toMatchObject({ code: 'STALE', details: { record: 'step', id: 't1:a', expectedVersion: 7, actualVersion: 1 } });
    expect(s.commitStats.fastRefused - before.fastRefused).toBe(1);
    expect(s.commitStats.checked - before.checked).toBe(1);
    expect(await s.listTransitions('t1')).toEqual(transitions);
    expect((await s.getStep('t1', 'b'))!.state).toBe('ready');
    expect(await s.listAttempts('t1')).toHaveLength(1);
    expect((await s.getTask('t1'))!.version).toBe(version);
  });

  it('refuses a duplicate attempt, a missing attempt and a missing task as the contract says', async () => {
    const version = (await s.getTask('t1'))!.version;
    await expect(s.commit({ ...outcome(version), insertAttempts: [attempt('t1', 'a', 1)] })).rejects.toMatchObject({ code: 'DUPLICATE' });
    await expect(s.commit({ ...outcome(version), updateAttempts: [{ id: 'nope', set: { outcome: 'success' } }] })).rejects.toMatchObject({ code: 'STALE', details: { record: 'attempt' } });
    await expect(s.commit({ transitions: [transition('ghost', null, null, 'running')] })).rejects.toMatchObject({ code: 'STALE', details: { record: 'task', id: 'ghost' } });
    expect((await s.getTask('t1'))!.version).toBe(version);
    // The connection each refusal used is still good.
    await s.commit(outcome(version));
    expect((await s.getStep('t1', 'a'))!.state).toBe('complete');
  });

  it('creates tasks in one call; a duplicate id or key is refused there and named by the checked path', async () => {
    const before = { ...s.commitStats };
    const r = await s.commit({ insertTasks: [task('t2')], insertSteps: [step('t2', 'a', { state: 'ready' })], transitions: [transition('t2', null, null, 'pending')], events: [readyEvent('t2', 'a')] });
    expect(s.commitStats.fast - before.fast).toBe(1);
    expect(r.transitionSeqs).toHaveLength(1);
    expect((await s.getTask('t2'))!).toMatchObject({ id: 't2', version: 1, input: { orderId: 't2', lines: [1, 2] }, debug: { paused: false, breakpoints: [] } });
    expect((await s.getSteps('t2')).map((x) => [x.name, x.state])).toEqual([['a', 'ready']]);
    await expect(s.commit({ insertTasks: [task('t2')] })).rejects.toMatchObject({ code: 'DUPLICATE', details: { record: 'task', id: 't2' } });
    expect(s.commitStats.fastRefused - before.fastRefused).toBe(1);
    const checked = s.commitStats.checked;
    await s.commit({ insertTasks: [task('t3', { idempotencyKey: 'k' })] });
    await expect(s.commit({ insertTasks: [task('t4', { idempotencyKey: 'k' })] })).rejects.toMatchObject({ code: 'DUPLICATE' });
    // Keyed creation goes by the function too (storage.postgres.keyedCreate): only the refused one is checked.
    expect(s.commitStats.checked - checked).toBe(1);
    expect(await s.getTask('t4')).toBeNull();
  });

  it('leaves the texts of released migrations 8, 10 and 11 as they were (a change is a new migration)', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect([sha(FAST_COMMIT_MIGRATION_8), sha(FAST_COMMIT_MIGRATION_10), sha(FAST_COMMIT_MIGRATION_11)]).toEqual([
      'bcdd16c7735a55d0d325ad6e3ea4caecc96042bed9d9ab4d2837565a3bac54b6',
      '256d12d254450a6870472654e3bf859a6ff971a2e4c81ff11acaa75d150d265a',
      '88420bf22d33cb499b0c4b4299f913977d5682cc121f7d988fdd7fa715362efa',
    ]);
  });

  it('finds the rows a commit patches by key, not by scanning steps and attempts (migration 13)', async () => {
    // More rows than a commit touches, so a scan would show; pg_stat_xact_user_tables counts this
    // transaction's scans on this connection.
    await s.commit({ insertSteps: Array.from({ length: 40 }, (_, i) => step('t1', `x${i}`, { state: 'ready' })), insertAttempts: Array.from({ length: 40 }, (_, i) => attempt('t1', `x${i}`, 1)) });
    const version = (await s.getTask('t1'))!.version;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      const c = outcome(version);
      await commitFast(client as unknown as pg.PoolClient, c, validateChange(c));
      const r = await client.query(`SELECT relname, seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname IN ('steps', 'attempts', 'tasks') ORDER BY relname`);
      expect(r.rows.map((x) => [x.relname, Number(x.seq_scan)])).toEqual([['attempts', 0], ['steps', 0], ['tasks', 0]]);
      expect(r.rows.every((x) => Number(x.idx_scan) > 0)).toBe(true);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it('upgrades a database at migration 11 (json patches, planner defaults) to 14 (12 is the reservations trigger)', async () => {
    const admin = inject('postgresUrl');
    const name = `sw_m13_${process.pid}`;
    const client = new pg.Client({ connectionString: await createDatabase(admin, name) });
    await client.connect();
    try {
      expect(await migratePostgres(client, 'test', T0, PG_MIGRATIONS.filter((m) => m.version <= 11))).not.toContain(13);
      expect(await migratePostgres(client, 'test', T0)).toEqual([12, 13, 14]);
      const r = await client.query(`SELECT proname, proconfig, prosrc FROM pg_proc WHERE pronamespace = 'stepwise'::regnamespace AND proname IN ('commit_fast', 'lock_commit', 'prepare_commit') ORDER BY proname`);
      const plans = ['enable_seqscan=off', 'enable_hashjoin=off', 'enable_mergejoin=off', 'plan_cache_mode=force_generic_plan'];
      expect(r.rows.map((x) => [x.proname, x.proconfig])).toEqual([['commit_fast', plans], ['lock_commit', plans], ['prepare_commit', plans]]);
      expect(r.rows[0].prosrc).toBe(FAST_COMMIT_BODY);
    } finally {
      await client.end();
      await dropDatabase(admin, name);
    }
  });

  it('upgrades a database at migration 13 with rows to 14: the rows stay, commits go on by both paths', async () => {
    const admin = inject('postgresUrl');
    const name = `sw_m14_${process.pid}`;
    const url = await createDatabase(admin, name);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect(await migratePostgres(client, 'test', T0, PG_MIGRATIONS.filter((m) => m.version <= 13))).toContain(13);
      const seed = { insertTasks: [task('t1', { status: 'running' })], insertSteps: [step('t1', 'a', { state: 'running' }), step('t1', 'b', { state: 'ready' })], insertAttempts: [attempt('t1', 'a', 1)] };
      await commitFast(client as unknown as pg.PoolClient, seed, validateChange(seed));
      expect(await migratePostgres(client, 'test', T0)).toEqual([14]);
      const upgraded = await openStorage({ kind: 'postgres', url });
      try {
        expect(upgraded.kind).toBe('postgres');
        const pgStorage = upgraded as PostgresStorage;
        await pgStorage.commit(outcome(1));
        expect((await pgStorage.getSteps('t1')).map((x) => [x.name, x.state])).toEqual([['a', 'complete'], ['b', 'running']]);
        expect(pgStorage.commitStats.fast).toBe(1);
        // A stale outcome goes by the checked path (prepare_commit, also altered) and is refused there.
        await expect(pgStorage.commit(outcome(1))).rejects.toMatchObject({ code: 'STALE' });
        expect(pgStorage.commitStats.checked).toBe(1);
        expect((await pgStorage.listAttempts('t1')).map((x) => [x.stepName, x.number])).toEqual([['a', 1], ['b', 1]]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await client.end();
      await dropDatabase(admin, name);
    }
  });

  it("caches a commit's generic plans from a connection's first call (migration 14), not after five custom plans", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const c = outcome((await s.getTask('t1'))!.version);
      await commitFast(client as unknown as pg.PoolClient, c, validateChange(c));
      // A generic plan is kept in a CachedPlan memory context named by its statement; a custom plan is not kept.
      const r = await client.query(`SELECT count(*)::int AS n FROM pg_backend_memory_contexts WHERE name = 'CachedPlan' AND ident LIKE 'WITH it AS (INSERT INTO stepwise.tasks%'`);
      expect(r.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('is the function the latest migration installed (a codec change needs a migration that re-creates it)', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const r = await client.query(`SELECT prosrc FROM pg_proc WHERE proname = 'commit_fast' AND pronamespace = 'stepwise'::regnamespace`);
      expect(r.rows, 'stepwise.commit_fast differs from FAST_COMMIT_BODY: the codec changed; add a migration that re-creates the function (as FAST_COMMIT_MIGRATION_10 does)').toEqual([{ prosrc: FAST_COMMIT_BODY }]);
    } finally {
      await client.end();
    }
  });
});
