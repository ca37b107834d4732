/**
 * What PostgreSQL storage guarantees between processes (each storage here has its own pool, as a
 * runner on another machine would): event readers never skip a late commit, a task's commits
 * serialise, concurrency limits and idempotency keys hold across storages, and commits that touch
 * the same tasks in opposite orders never deadlock.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { PG_MIGRATIONS } from '../../core/storage/postgres/migrations.js';
import { createDatabase, dropDatabase } from '../fixtures/postgres/server.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { readyEvent, step, task, transition } from '../fixtures/storage/records.js';
import { usePostgres } from '../fixtures/postgres/database.js';

const db = usePostgres();
let a: PostgresStorage;
let b: PostgresStorage;

beforeAll(async () => {
  a = await db.open();
  b = await db.open();
});
afterAll(async () => {
  await a.close();
  await b.close();
});
beforeEach(() => db.fresh());

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof StepwiseError ? e.code : `thrown: ${String(e)}`),
  );
}

describe('event watermark', () => {
  let raw: pg.Client;
  beforeEach(async () => {
    raw = new pg.Client({ connectionString: db.url });
    await raw.connect();
  });
  afterEach(async () => {
    await raw.end();
  });

  it('a global reader never passes an event numbered earlier whose transaction is still running', async () => {
    await a.commit({ insertTasks: [task('t1'), task('t2')] });
    await a.settled();
    // Another engine's commit: numbered, not yet committed.
    await raw.query('BEGIN');
    const held = Number((await raw.query('SELECT stepwise.event_seqs(1) AS seq')).rows[0].seq);
    const later = await b.commit({ events: [readyEvent('t2', 'a')] });
    expect(later.events[0]!.seq).toBeGreaterThan(held);

    const before = await a.lastEventSeq();
    expect(before).toBeLessThan(held);
    expect((await a.readEvents(0)).map((e) => e.seq)).toEqual([]);
    // One task's events need no watermark: t2's commit is readable at once.
    expect((await a.readEvents(0, undefined, { taskId: 't2' })).map((e) => e.seq)).toEqual([later.events[0]!.seq]);

    await raw.query(`INSERT INTO stepwise.events (seq, type, task_id, step_name, at, payload) VALUES ($1, 'step.ready', 't1', 'a', 0, '{}')`, [held]);
    await raw.query('COMMIT');
    await a.settled();
    expect((await a.readEvents(before)).map((e) => e.seq)).toEqual([held, later.events[0]!.seq]);
    expect(await a.lastEventSeq()).toBe(later.events[0]!.seq);
  });

  it('followers polling while many commits race see every event exactly once, in seq order', async () => {
    await a.commit({ insertTasks: Array.from({ length: 8 }, (_, i) => task(`t${i}`)) });
    await a.settled();
    let cursor = await a.lastEventSeq();
    const seen: number[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing || cursor < (await b.lastEventSeq())) {
        const page = await b.readEvents(cursor, 50);
        for (const e of page) {
          expect(e.seq).toBeGreaterThan(cursor);
          seen.push(e.seq);
          cursor = e.seq;
        }
        await b.settled().catch(() => undefined);
      }
    })();
    const written: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const s = w % 2 ? a : b;
        for (let i = 0; i < 15; i++) {
          const r = await s.commit({ events: [readyEvent(`t${w}`, 'a'), readyEvent(`t${w}`, 'b')] });
          written.push(...r.events.map((e) => e.seq));
        }
      }),
    );
    writing = false;
    await reader;
    expect(seen).toEqual([...written].sort((x, y) => x - y));
  });
});

describe('commits between storages', () => {
  it('two commits from the same version: one wins, the other is STALE', async () => {
    await a.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 's')] });
    const claim = (owner: string): ChangeSet => ({
      updateSteps: [{ id: 't1:s', expectedVersion: 1, set: { state: 'running', leaseOwner: owner } }],
      transitions: [transition('t1', 's', 'pending', 'running')],
    });
    for (let round = 0; round < 5; round++) {
      await db.fresh();
      await a.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 's')] });
      const codes = await Promise.all([codeOf(a.commit(claim('a'))), codeOf(b.commit(claim('b')))]);
      expect(codes.sort()).toEqual(['STALE', 'ok']);
      expect((await a.getStep('t1', 's'))!.version).toBe(2);
      expect(await a.listTransitions('t1')).toHaveLength(1);
    }
  });

  it('a concurrency limit holds across storages claiming at once', async () => {
    const n = 12;
    await a.commit({
      insertTasks: Array.from({ length: n }, (_, i) => task(`t${i}`)),
      insertSteps: Array.from({ length: n }, (_, i) => step(`t${i}`, 's', { state: 'ready', concurrencyKey: 'k' })),
    });
    const codes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        codeOf((i % 2 ? a : b).commit({ updateSteps: [{ id: `t${i}:s`, expectedVersion: 1, set: { state: 'running' } }], concurrencyGuards: [{ key: 'k', limit: 3 }] })),
      ),
    );
    expect(codes.filter((c) => c === 'ok')).toHaveLength(3);
    expect(codes.filter((c) => c === 'CONCURRENCY_LIMIT')).toHaveLength(n - 3);
    expect(await a.countRunningWithConcurrencyKey('k')).toBe(3);
  });

  it('one idempotency key creates one task; the other creation learns which', async () => {
    const results = await Promise.all(
      ['x', 'y', 'z'].map((id, i) => (i % 2 ? a : b).commit({ insertTasks: [task(id, { idempotencyKey: 'order-1' })] }).then(() => id, (e: StepwiseError) => e)),
    );
    const winners = results.filter((r): r is string => typeof r === 'string');
    expect(winners).toHaveLength(1);
    for (const r of results) if (typeof r !== 'string') expect(r).toMatchObject({ code: 'DUPLICATE', details: { existingTaskId: winners[0] } });
  });

  it('commits touching the same tasks in opposite orders never deadlock', async () => {
    const ids = ['p', 'q', 'r'];
    await a.commit({ insertTasks: ids.map((id) => task(id)) });
    const bump = (order: string[]): ChangeSet => ({ transitions: order.map((id) => transition(id, null, 'pending', 'running')), events: order.map((id) => readyEvent(id, 'x')) });
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 10; i++) await (w % 2 ? a : b).commit(bump(w % 2 ? ids : [...ids].reverse()));
      }),
    );
    for (const id of ids) expect(await a.listTransitions(id)).toHaveLength(60);
  });

  it("a task deleted by one storage refuses another storage's write to it as STALE", async () => {
    await a.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 's')] });
    const codes = await Promise.all([
      codeOf(a.commit({ deleteTasks: ['t1'], events: [{ type: 'task.deleted', taskId: 't1', stepName: null, at: 0, payload: {} }] })),
      codeOf(b.commit({ insertSteps: [step('t1', 'late')], transitions: [transition('t1', 'late', null, 'pending')] })),
    ]);
    expect(codes[0]).toBe('ok');
    expect(['ok', 'STALE']).toContain(codes[1]);
    // Whatever the order, nothing of t1 is left behind.
    expect(await a.getSteps('t1')).toEqual([]);
    expect(await a.listTransitions('t1')).toEqual([]);
  });
});

describe('hints', () => {
  const settle = async (heard: object) => {
    // Quiet for 150 ms: every hint sent so far has arrived.
    for (let last = JSON.stringify(heard); ; ) {
      await new Promise((r) => setTimeout(r, 150));
      const now = JSON.stringify(heard);
      if (now === last) return;
      last = now;
    }
  };

  it('announces new events and new work to other storages, and nothing for a commit that makes neither', async () => {
    const heard = { events: 0, work: 0 };
    const off = [b.subscribe('events', () => heard.events++), b.subscribe('work', () => heard.work++)];
    await b.hintsReady();
    await a.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 's', { state: 'ready' })], events: [readyEvent('t1', 's')] });
    await expect.poll(() => heard.events).toBeGreaterThan(0);
    await expect.poll(() => heard.work).toBeGreaterThan(0);
    await settle(heard);
    const before = { ...heard };
    await a.commit({ updateSteps: [{ id: 't1:s', expectedVersion: 1, set: { state: 'complete' } }] });
    await settle(heard);
    expect(heard).toEqual(before);
    for (const f of off) f();
  });

  it('does not wake the storage that sent a hint (its own commits), only the others', async () => {
    const heardA = { work: 0 };
    const heardB = { work: 0 };
    const off = [a.subscribe('work', () => heardA.work++), b.subscribe('work', () => heardB.work++)];
    await Promise.all([a.hintsReady(), b.hintsReady()]);
    await a.commit({ insertTasks: [task('own')], insertSteps: [step('own', 's', { state: 'ready' })], events: [readyEvent('own', 's')] });
    await expect.poll(() => heardB.work).toBeGreaterThan(0);
    await expect.poll(() => a.hintStats.own).toBeGreaterThan(0);
    await settle(heardA);
    expect(heardA.work).toBe(0);
    for (const f of off) f();
  });

  it('sends one NOTIFY per channel for all announcements made in one event-loop turn', async () => {
    const { PgHints } = await import('../../core/storage/postgres/notify.js');
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const sender = new PgHints({ url: db.url }, pool);
    let heard = 0;
    const off = b.subscribe('work', () => heard++);
    await b.hintsReady();
    try {
      for (let i = 0; i < 20; i++) sender.announce('work');
      await expect.poll(() => heard).toBe(1);
      await settle({ heard });
      expect(heard).toBe(1);
      expect(sender.stats.sent).toBe(1);
    } finally {
      off();
      await sender.close();
      await pool.end();
    }
  });
});

describe('connections', () => {
  it('a commit interrupted by the statement timeout fails cleanly and the storage keeps working', async () => {
    const slow = await PostgresStorage.open({ url: db.url, statementTimeoutMs: 200, maxConnections: 2 });
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await slow.commit({ insertTasks: [task('t1')] });
      // Hold t1's commit lock elsewhere: the next commit on t1 waits past its timeout.
      await blocker.query('BEGIN');
      await blocker.query('SELECT stepwise.lock_commit($1, $2, $3, $4)', [['t1'], [], [], []]);
      const err = await slow.commit({ transitions: [transition('t1', null, 'pending', 'running')] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORAGE_ERROR', details: { pgCode: '57014' } });
      await blocker.query('ROLLBACK');
      for (let i = 0; i < 4; i++) await slow.commit({ transitions: [transition('t1', null, 'pending', 'running')], events: [readyEvent('t1', 'a')] });
      expect(await slow.listTransitions('t1')).toHaveLength(4);
    } finally {
      await blocker.end();
      await slow.close();
    }
  });

  it('a reservation skips a task whose row another transaction holds (SKIP LOCKED), without waiting', async () => {
    await a.commit({
      insertTasks: [task('t1'), task('t2')],
      insertSteps: [step('t1', 's', { state: 'ready', updatedAt: 1 }), step('t2', 's', { state: 'ready', updatedAt: 2 })],
    });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      // Another engine's commit writing t1 (or reserving it) at this instant.
      await holder.query('BEGIN');
      await holder.query(`UPDATE stepwise.tasks SET updated_at = updated_at WHERE id = 't1'`);
      const started = Date.now();
      expect(await b.reserveTasks('engine-b', { limit: 2, ttlMs: 60_000, now: 0 })).toEqual(['t2']);
      expect(Date.now() - started).toBeLessThan(5_000);
      await holder.query('ROLLBACK');
      expect(await b.reserveTasks('engine-b', { limit: 2, ttlMs: 60_000, now: 0 })).toEqual(['t1', 't2']);
      // Expiry is on the database's clock: `now` (0 here, far in the past) changes nothing.
      expect(await a.reserveTasks('engine-a', { limit: 2, ttlMs: 60_000, now: Number.MAX_SAFE_INTEGER })).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it('four processes opening an empty database at once apply each migration exactly once', async () => {
    const admin = inject('postgresUrl');
    const url = await createDatabase(admin, `sw_migrate_${process.pid}`);
    try {
      const opened = await Promise.all(Array.from({ length: 4 }, () => PostgresStorage.open({ url })));
      const applied = opened.flatMap((s) => s.appliedMigrations).sort((x, y) => x - y);
      expect(applied).toEqual(PG_MIGRATIONS.map((m) => m.version));
      await opened[0]!.commit({ insertTasks: [task('t1')], events: [readyEvent('t1', 'a')] });
      for (const s of opened) await s.close();
    } finally {
      await dropDatabase(admin, `sw_migrate_${process.pid}`);
    }
  });

  it('refuses a database from a newer Stepwise without changing it', async () => {
    const raw = new pg.Client({ connectionString: db.url });
    await raw.connect();
    try {
      await raw.query(`INSERT INTO stepwise.schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`);
      const err = await db.open().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SCHEMA_TOO_NEW', details: { found: 999 } });
    } finally {
      await raw.query('DELETE FROM stepwise.schema_migrations WHERE version = 999');
      await raw.end();
    }
  });

  it('names the server it cannot reach', async () => {
    const err = await (await import('../../core/storage/index.js')).openStorage('postgres://nobody@127.0.0.1:1/none').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_ERROR' });
    expect((err as Error).message).toMatch(/127\.0\.0\.1:1.*running and reachable/);
  });
});
