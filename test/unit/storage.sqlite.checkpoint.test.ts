/** SQLite-only: migration 2 (partial indexes without NULL keys) and when the WAL is checkpointed. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStorage, WAL_AUTOCHECKPOINT_PAGES } from '../../core/storage/sqlite.js';
import { TASKS, encodeRecord } from '../../core/storage/sqlite/codec.js';
import { MIGRATIONS, migrate } from '../../core/storage/sqlite/migrations.js';
import { T0, task } from '../fixtures/storage/records.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-ckpt-'));
  file = join(dir, 'db.sqlite');
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite migration 2: partial indexes skip NULL keys', () => {
  it('upgrades a version-1 file, keeps its rows, and the due queries still find them', async () => {
    const v1 = new Database(file);
    v1.pragma('journal_mode = WAL');
    migrate(v1, file, 1, MIGRATIONS.slice(0, 1));
    // Rows as version 1 stored them: only the columns it had (migration 3 added the task leases).
    const v1Columns = new Set((v1.prepare(`SELECT name FROM pragma_table_info('tasks')`).pluck().all() as string[]));
    const kept = TASKS.columns.map((c, i) => [c.column, i] as const).filter(([column]) => v1Columns.has(column));
    const insert = v1.prepare(`INSERT INTO tasks (${kept.map(([c]) => c).join(', ')}) VALUES (${kept.map(() => '?').join(', ')})`);
    const v1Row = (t: ReturnType<typeof task>) => {
      const row = encodeRecord(TASKS, t);
      return kept.map(([, i]) => row[i]);
    };
    insert.run(...v1Row(task('wakes', { kind: 'flow', status: 'waiting', wakeAt: T0 + 5 })));
    insert.run(...v1Row(task('waits', { kind: 'flow', status: 'waiting', wakeAt: null })));
    insert.run(...v1Row(task('times', { status: 'running', timeoutAt: T0 + 1 })));
    v1.close();

    const s = new SqliteStorage({ file });
    expect(s.appliedMigrations).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect((await s.dueTasks(T0 + 10)).map((t) => t.id)).toEqual(['times', 'wakes']);
    expect(await s.getTask('wakes')).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, stateAttempts: 0 });
    expect((await s.listTasks()).total).toBe(3);
    await s.close();

    const db = new Database(file, { readonly: true });
    const sql = (name: string) => (db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(name) as string) ?? '';
    expect(sql('tasks_wake')).toContain('wake_at IS NOT NULL');
    expect(sql('tasks_timeout')).toContain('timeout_at IS NOT NULL');
    expect(sql('steps_wake')).toContain('wake_at IS NOT NULL');
    expect(sql('steps_concurrency')).toContain('concurrency_key IS NOT NULL');
    // Only rows with a key are indexed: the waiting task without a wake time is not.
    expect(db.prepare(`SELECT COUNT(*) FROM tasks INDEXED BY tasks_wake WHERE status = 'waiting' AND wake_at IS NOT NULL`).pluck().get()).toBe(1);
    db.close();
  });
});

describe('SQLite WAL checkpoints', () => {
  it('a commit past the SQLite default of 1000 WAL pages does not checkpoint; past the raised threshold it does', async () => {
    vi.useFakeTimers(); // no idle checkpoint in between
    const s = new SqliteStorage({ file });
    const size = () => statSync(file).size;
    const before = size();
    const big = 'x'.repeat(4000); // about one page per task
    const tasks = (from: number, n: number) => Array.from({ length: n }, (_, i) => task(`t${from + i}`, { data: { big } }));
    await s.commit({ insertTasks: tasks(0, 1500) });
    expect(size()).toBe(before);
    await s.commit({ insertTasks: tasks(1500, WAL_AUTOCHECKPOINT_PAGES) });
    expect(size()).toBeGreaterThan(before);
    await s.close();
  });

  it('checkpoints once commits pause, not while they keep coming', async () => {
    vi.useFakeTimers();
    const s = new SqliteStorage({ file });
    // Everything so far (the schema too) sits in the WAL: the database file itself is empty.
    const size = () => statSync(file).size;
    const before = size();
    await s.commit({ insertTasks: [task('t1')] });
    vi.advanceTimersByTime(400);
    await s.commit({ insertTasks: [task('t2')] });
    vi.advanceTimersByTime(200); // the first timer fires, sees a newer commit and waits again
    expect(size()).toBe(before);
    vi.advanceTimersByTime(600);
    expect(size()).toBeGreaterThan(before);
    expect((await s.listTasks()).total).toBe(2);
    await s.close();
  });
});
