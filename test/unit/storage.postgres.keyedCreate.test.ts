/**
 * Creating a task with an idempotency key on PostgreSQL: in one round trip (stepwise.commit_fast;
 * the key's unique index refuses a key already taken, and the checked path names its owner), and
 * a checked commit that loses its key to a commit that took no lock on it (the one-round-trip
 * path) still says DUPLICATE with the owner instead of failing on the index.
 */
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { validateChange } from '../../core/storage/check.js';
import { commitFast } from '../../core/storage/postgres/commitFast.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { usePostgres } from '../fixtures/postgres/database.js';
import { step, task } from '../fixtures/storage/records.js';

const db = usePostgres();
beforeEach(() => db.fresh());

describe('PostgreSQL task creation with an idempotency key', () => {
  it('goes in one call; a taken key is refused there and the checked path names its owner, writing nothing', async () => {
    const s = await db.open();
    try {
      const before = { ...s.commitStats };
      await s.commit({ insertTasks: [task('t1', { idempotencyKey: 'k' })], insertSteps: [step('t1', 'a', { state: 'ready' })] });
      expect([s.commitStats.fast - before.fast, s.commitStats.checked - before.checked]).toEqual([1, 0]);
      await expect(s.commit({ insertTasks: [task('t2', { idempotencyKey: 'k' })] })).rejects.toMatchObject({
        code: 'DUPLICATE',
        details: { idempotencyKey: 'k', existingTaskId: 't1' },
      });
      expect([s.commitStats.fastRefused - before.fastRefused, s.commitStats.checked - before.checked]).toEqual([1, 1]);
      expect(await s.getTask('t2')).toBeNull();
      expect((await s.getTask('t1'))!.idempotencyKey).toBe('k');
    } finally {
      await s.close();
    }
  });

  it('a checked commit whose key a lock-free commit takes meanwhile says DUPLICATE naming it, and writes nothing', async () => {
    const s = await PostgresStorage.open({ url: db.url, oneRoundTripCommit: false });
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      // The other commit holds the key in the unique index, uncommitted, without the key's lock.
      await other.query('BEGIN');
      const theirs = { insertTasks: [task('theirs', { idempotencyKey: 'race' })] };
      await commitFast(other as unknown as pg.PoolClient, theirs, validateChange(theirs));
      const mine = s.commit({ insertTasks: [task('mine', { idempotencyKey: 'race' })] });
      const refused = mine.then(
        () => null,
        (err: unknown) => err,
      );
      // The checked commit read no owner and now waits on the index for the other transaction.
      for (let i = 0; ; i++) {
        const waiting = await other.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (waiting.rows[0].n > 0) break;
        if (i > 200) throw new Error('the checked commit never waited for the key');
        await new Promise((r) => setTimeout(r, 25));
      }
      await other.query('COMMIT');
      expect(await refused).toMatchObject({ code: 'DUPLICATE', details: { idempotencyKey: 'race', existingTaskId: 'theirs' } });
      expect(await s.getTask('mine')).toBeNull();
      // Its connection went back to the pool in good order.
      await s.commit({ insertTasks: [task('after', { idempotencyKey: 'other-key' })] });
      expect((await s.getTask('after'))!.idempotencyKey).toBe('other-key');
    } finally {
      await other.end();
      await s.close();
    }
  });
});
