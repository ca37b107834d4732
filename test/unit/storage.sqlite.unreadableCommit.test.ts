/**
 * A commit that changes a task marked unreadable is refused (ROW_UNREADABLE), also when the mark
 * was stored by another process: the task UPDATE itself checks the stored mark (no SELECT per
 * task), and a mark wins over STALE whichever of the commit's tasks is stale.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import { T0, task } from '../fixtures/storage/records.js';

let dir: string;
let file: string;
let s: SqliteStorage;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-unreadable-'));
  file = join(dir, 'test.db');
  s = new SqliteStorage({ file });
  await s.commit({ insertTasks: [task('t1'), task('t2')] });
});
afterEach(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Marks `id` the way another process's read would (a stored mark this process does not know). */
function markElsewhere(id: string): void {
  const other = new Database(file);
  other.prepare('UPDATE tasks SET unreadable = ? WHERE id = ?').run(JSON.stringify({ table: 'steps', rowId: `${id}:a`, column: 'depends_on', taskId: id, reason: 'not valid JSON' }), id);
  other.close();
}

const touch = (id: string, expectedVersion: number) => ({ id, expectedVersion, set: { updatedAt: T0 + 1 } });

async function refusal(commit: Promise<unknown>): Promise<string> {
  const err = await commit.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StepwiseError);
  return (err as StepwiseError).code;
}

describe('commits to a task marked unreadable (SQLite)', () => {
  it('refuses a change to a task marked by another process, and writes nothing of the commit', async () => {
    markElsewhere('t2');
    const v = (await s.listTasks()).tasks.find((t) => t.id === 't1')!.version;
    expect(await refusal(s.commit({ updateTasks: [touch('t1', v), touch('t2', 1)] }))).toBe('ROW_UNREADABLE');
    expect((await s.listTasks()).tasks.find((t) => t.id === 't1')!.version).toBe(v);
  });

  it('names the mark rather than STALE, whichever task of the commit is stale', async () => {
    markElsewhere('t2');
    expect(await refusal(s.commit({ updateTasks: [touch('t1', 99), touch('t2', 1)] }))).toBe('ROW_UNREADABLE');
    expect(await refusal(s.commit({ updateTasks: [touch('t2', 99)] }))).toBe('ROW_UNREADABLE');
  });

  it('still commits to tasks without a mark, and says STALE for a stale one', async () => {
    markElsewhere('t2');
    const v = (await s.listTasks()).tasks.find((t) => t.id === 't1')!.version;
    await s.commit({ updateTasks: [touch('t1', v)] });
    expect(await refusal(s.commit({ updateTasks: [touch('t1', v)] }))).toBe('STALE');
  });
});
