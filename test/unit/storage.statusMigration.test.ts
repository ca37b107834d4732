/**
 * Migration 7 (one_task_status), on SQLite and PostgreSQL: tasks stored with flows' old words and
 * paused tasks stored with their working status are rewritten to the one vocabulary; history rows
 * stay as written and the history reader maps their old words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import type { TaskRecord } from '../../core/model/runtime.js';
import { normalizeTaskStatus } from '../../core/model/states.js';
import { stateAt } from '../../core/ops/history.js';
import { migratePostgres } from '../../core/storage/postgres/migrations.js';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import { migrate } from '../../core/storage/sqlite/migrations.js';
import type { Storage } from '../../core/storage/storage.js';
import { usePostgres } from '../fixtures/postgres/database.js';
import { T0, task, transition } from '../fixtures/storage/records.js';

const paused = { paused: true, pauseReason: 'user', breakpoints: ['b'] };

/** Stored as a version 5 database held them. */
const OLD: Array<[TaskRecord, string]> = [
  [task('f-active', { kind: 'flow', currentState: 'work' }), 'active'],
  [task('f-completed', { kind: 'flow', currentState: 'done' }), 'completed'],
  [task('f-failed', { kind: 'flow', currentState: 'work' }), 'failed'],
  [task('f-paused', { kind: 'flow', currentState: 'wait', debug: paused }), 'waiting'],
  [task('w-paused', { debug: paused }), 'running'],
  [task('w-done-paused', { debug: paused }), 'complete'],
  [task('w-error', {}), 'error'],
];

const EXPECTED: Record<string, Partial<TaskRecord>> = {
  'f-active': { status: 'running' },
  'f-completed': { status: 'complete' },
  'f-failed': { status: 'error' },
  'f-paused': { status: 'paused', debug: { ...paused, resumeStatus: 'waiting' } },
  'w-paused': { status: 'paused', debug: { ...paused, resumeStatus: 'running' } },
  // Finished while paused: it keeps its finished status.
  'w-done-paused': { status: 'complete', debug: paused },
  'w-error': { status: 'error' },
};

async function seed(storage: Storage): Promise<void> {
  await storage.commit({
    insertTasks: OLD.map(([t]) => t),
    transitions: [transition('f-completed', null, null, 'active', { field: 'status' }), transition('f-completed', null, 'active', 'completed', { field: 'status', at: T0 + 5 })],
  });
}

async function expectMigrated(storage: Storage): Promise<void> {
  for (const [id, want] of Object.entries(EXPECTED)) expect(await storage.getTask(id), id).toMatchObject(want);
  // History is left as written; the reader maps its old words.
  const rows = await storage.listTransitions('f-completed');
  expect(rows.map((r) => r.to)).toEqual(['active', 'completed']);
  expect((await stateAt(storage, 'f-completed', rows[1]!.seq)).status).toBe('complete');
  expect((await stateAt(storage, 'f-completed', rows[0]!.seq)).status).toBe('running');
  // The filters find them under the new words only.
  expect((await storage.listTasks({ status: 'paused' })).tasks.map((t) => t.id).sort()).toEqual(['f-paused', 'w-paused']);
}

describe('one task status vocabulary: migration 7', () => {
  it('maps the old words and nothing else', () => {
    expect(['active', 'completed', 'failed', 'paused', 'waiting', 'nonsense'].map(normalizeTaskStatus)).toEqual(['running', 'complete', 'error', 'paused', 'waiting', null]);
  });

  it('SQLite: rewrites stored tasks, leaves history, recreates the timeout index for the new words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-status-'));
    const file = join(dir, 'db.sqlite');
    try {
      const s = new SqliteStorage({ file, clock: new ManualClock(T0) });
      await seed(s);
      await s.close();
      // Back to version 5: the old words, the pause only in debug, migration 7 not recorded.
      const db = new Database(file);
      for (const [t, status] of OLD) db.prepare('UPDATE tasks SET status = ? WHERE id = ?').run(status, t.id);
      db.prepare('DELETE FROM schema_migrations WHERE version = 7').run();
      expect(migrate(db, file, T0)).toEqual([7]);
      expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'tasks_timeout'`).pluck().get()).toContain(`NOT IN ('complete', 'error', 'cancelled')`);
      db.close();
      const again = new SqliteStorage({ file, clock: new ManualClock(T0) });
      try {
        await expectMigrated(again);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', () => {
    const db = usePostgres();
    let client: pg.Client;
    beforeAll(async () => {
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    });
    afterAll(() => client.end());

    it('rewrites stored tasks the same way', async () => {
      await db.fresh();
      const s = await db.open();
      try {
        await seed(s);
        for (const [t, status] of OLD) await client.query('UPDATE stepwise.tasks SET status = $1 WHERE id = $2', [status, t.id]);
        await client.query('DELETE FROM stepwise.schema_migrations WHERE version = 7');
        expect(await migratePostgres(client, 'test', T0)).toEqual([7]);
        await expectMigrated(s);
      } finally {
        await s.close();
      }
    });
  });
});
