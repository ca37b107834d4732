/**
 * Listing unfinished tasks does not scan the finished ones: on a database of mostly finished
 * tasks, with the statistics `PRAGMA optimize` leaves (a status index over every task then looks
 * as if it matched every row), a query for running flows searches the tasks_active partial index
 * (migration 8); finished statuses search tasks_finished (migration 9), a mix searches both.
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
    // Finished statuses search tasks_finished (migration 9); the active index does not hold them.
    const complete = taskFilter({}, ['complete']);
    expect(complete.sql).not.toMatch(/NOT IN/);
    expect(plan(file, `SELECT COUNT(*) FROM tasks WHERE ${complete.sql}`, complete.params)).toMatch(/USING COVERING INDEX tasks_finished/);
    expect(plan(file, `SELECT id FROM tasks WHERE ${complete.sql} ORDER BY created_at DESC, id DESC LIMIT 10`, complete.params)).toMatch(/^SEARCH tasks USING COVERING INDEX tasks_finished \(status=\?\)$/);
    // Both kinds, matching few rows: one search in each index, not a scan of the finished tasks.
    const mixed = taskFilter({}, ['running', 'error']);
    const mixedPlan = plan(file, `SELECT COUNT(*) FROM tasks WHERE ${mixed.sql}`, mixed.params);
    expect(mixedPlan).toMatch(/MULTI-INDEX OR.*tasks_finished.*tasks_active/);
    expect(mixedPlan).not.toMatch(/SCAN/);
    expect(plan(file, `SELECT id FROM tasks WHERE ${mixed.sql} ORDER BY created_at DESC, id DESC LIMIT 10`, mixed.params)).not.toMatch(/SCAN tasks(?! USING)/);
  });

  it('lists any mix of finished and unfinished statuses with the right rows and totals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-active-'));
    dirs.push(dir);
    const s = new SqliteStorage({ file: join(dir, 'test.db') });
    try {
      const statuses = ['complete', 'error', 'cancelled', 'running', 'waiting', 'paused', 'pending'] as const;
      await s.commit({ insertTasks: Array.from({ length: 21 }, (_, i) => task(`t${String(i).padStart(2, '0')}`, { status: statuses[i % 7], createdAt: i })) });
      const ids = (status: (typeof statuses)[number]) => Array.from({ length: 21 }, (_, i) => i).filter((i) => statuses[i % 7] === status).map((i) => `t${String(i).padStart(2, '0')}`);
      const want = (list: (typeof statuses)[number][]) => list.flatMap(ids).sort().reverse();
      for (const list of [['complete', 'waiting'], ['error', 'cancelled', 'pending'], ['running', 'paused'], ['complete'], ['cancelled', 'error']] as (typeof statuses)[number][][]) {
        const page = await s.listTasks({ status: list, limit: 4 });
        expect(page.total, list.join()).toBe(want(list).length);
        const all = [...page.tasks];
        for (let cursor = page.nextCursor; cursor; ) {
          const next = await s.listTasks({ status: list, limit: 4, cursor });
          all.push(...next.tasks);
          cursor = next.nextCursor;
        }
        expect(all.map((t) => t.id), list.join()).toEqual(want(list));
      }
    } finally {
      await s.close();
    }
  });
});
