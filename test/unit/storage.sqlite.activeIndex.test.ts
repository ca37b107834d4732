/**
 * Listing unfinished tasks does not scan the finished ones: on a database of mostly finished
 * tasks, with the statistics `PRAGMA optimize` leaves (tasks_status then looks as if it matched
 * every row), a query for running flows searches the tasks_active partial index (migration 8).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import { taskFilter } from '../../core/storage/sqlite/queries.js';
import { task } from '../fixtures/storage/records.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function plan(file: string, sql: string, params: unknown[]): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  } finally {
    db.close();
  }
}

describe('unfinished tasks among many finished ones (SQLite)', () => {
  it('lists running flows through tasks_active, with the right rows and total', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-active-'));
    dirs.push(dir);
    const file = join(dir, 'test.db');
    let s = new SqliteStorage({ file });
    const finished = Array.from({ length: 300 }, (_, i) => task(`done${String(i).padStart(3, '0')}`, { status: 'complete', kind: 'flow', createdAt: i }));
    await s.commit({ insertTasks: [...finished, task('run1', { status: 'running', kind: 'flow', createdAt: 1000 }), task('run2', { status: 'running', kind: 'workflow', createdAt: 1001 })] });
    await s.close(); // PRAGMA optimize: the statistics a long-used database has
    s = new SqliteStorage({ file });
    try {
      const page = await s.listTasks({ kind: 'flow', status: 'running', limit: 10 });
      expect(page.tasks.map((t) => t.id)).toEqual(['run1']);
      expect(page.total).toBe(1);
      expect((await s.listTasks({ status: ['running', 'pending'], limit: 10 })).total).toBe(2);
      expect((await s.listTasks({ status: 'complete', limit: 1 })).total).toBe(300);
    } finally {
      await s.close();
    }
    const running = taskFilter({ kind: 'flow' }, ['running']);
    expect(plan(file, `SELECT COUNT(*) FROM tasks WHERE ${running.sql}`, running.params)).toMatch(/USING INDEX tasks_active/);
    expect(plan(file, `SELECT id FROM tasks WHERE ${running.sql} ORDER BY created_at DESC, id DESC LIMIT 10`, running.params)).not.toMatch(/SCAN tasks(?! USING)/);
    // A finished status keeps its own index; the active one would not hold its rows.
    expect(taskFilter({}, ['complete']).sql).not.toMatch(/NOT IN/);
  });
});
