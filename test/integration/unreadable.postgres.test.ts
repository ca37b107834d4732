/**
 * A row that does not decode on PostgreSQL (issue 13; the SQLite side is
 * test/reliability/corruptRows.test.ts). The server keeps json columns valid JSON, so the damage
 * here is the other kind: a column of the wrong shape (`depends_on` an object, `input` an array,
 * transition details a string), written behind the storage's back. The task is marked unreadable
 * (stepwise.tasks.unreadable) and skipped by every engine on the database; the others run.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type OpenedEngine } from '../../core/engine/open.js';
import { StepwiseError } from '../../core/model/errors.js';
import type { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { usePostgres } from '../fixtures/postgres/database.js';

const db = usePostgres();
const cleanups: Array<() => Promise<unknown>> = [];
beforeEach(() => db.fresh());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const templates = [workflow('two', [step('a'), step('b', { dependsOn: ['a'] })])];
const handlers = { a: () => ({ ok: true }), b: () => ({ ok: true }) };

/** Damage one column of one row behind the storage's back (a hand edit, another program). */
async function corrupt(sql: string, ...params: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    expect((await client.query(sql, params)).rowCount).toBe(1);
  } finally {
    await client.end();
  }
}

async function engine(owner: string, errors: string[] = []): Promise<OpenedEngine & { storage: PostgresStorage }> {
  const storage = await db.open();
  const opened = await openEngine({ workspace: { templates, handlers }, db: storage, executor: 'inline', owner, onError: (err, where) => void errors.push(`${where}: ${(err as Error).message}`) });
  cleanups.push(async () => {
    await opened.close();
    await storage.close();
  });
  return Object.assign(opened, { storage });
}

describe('an unreadable task on PostgreSQL', () => {
  it('is marked and skipped by every engine; the others run, and reads name the bad column', async () => {
    const errors: string[] = [];
    const starter = await engine('starter');
    const bad = await starter.engine.start('test/two');
    await corrupt(`UPDATE stepwise.steps SET depends_on = '{"a": 1}' WHERE task_id = $1 AND name = 'b'`, bad.id);
    const a = await engine('a', errors);
    const good = await a.engine.start('test/two');
    // Several rounds: the bad task must not come back each round, and must not stop the rest.
    for (let i = 0; i < 3; i++) await a.engine.runUntilIdle().catch((err: unknown) => void errors.push(`runUntilIdle: ${(err as Error).message}`));
    expect((await a.storage.getTask(good.id))!.status).toBe('complete');
    expect(errors.length).toBeLessThanOrEqual(2);
    for (const e of errors) expect(e).toMatch(/cannot be read: steps\.depends_on/);

    const read = await a.storage.getTask(bad.id).catch((err: unknown) => err);
    expect(read).toBeInstanceOf(StepwiseError);
    expect((read as StepwiseError).code).toBe('ROW_UNREADABLE');
    expect((read as StepwiseError).message).toMatch(/steps\.depends_on of row \S+ is expected a JSON array, found an object/);
    expect((await a.storage.listTasks()).tasks.find((t) => t.id === bad.id)!.unreadable).toMatchObject({ table: 'steps', column: 'depends_on', taskId: bad.id });
    expect((await a.storage.listTasks()).tasks.find((t) => t.id === good.id)!.unreadable).toBeUndefined();

    // The mark is stored: another engine on the database never reaches for the task.
    const otherErrors: string[] = [];
    const b = await engine('b', otherErrors);
    expect(await b.storage.tasksWithReadySteps()).not.toContain(bad.id);
    expect(await b.storage.reserveTasks('b', { now: await b.storage.now(), limit: 10, ttlMs: 30_000 })).not.toContain(bad.id);
    await b.engine.runUntilIdle();
    expect(otherErrors).toEqual([]);
    expect((await b.storage.listTasks()).tasks.find((t) => t.id === bad.id)!.unreadable).toMatchObject({ column: 'depends_on' });
    await expect(b.storage.getSteps(bad.id)).rejects.toMatchObject({ code: 'ROW_UNREADABLE' });
  });

  it('a task whose input or transition details are of the wrong shape is refused; repaired by hand, it runs again', async () => {
    const a = await engine('a');
    const task = await a.engine.start('test/two');
    await corrupt(`UPDATE stepwise.tasks SET input = '[1, 2]' WHERE id = $1`, task.id);
    await expect(a.storage.getTask(task.id)).rejects.toMatchObject({ code: 'ROW_UNREADABLE', details: { table: 'tasks', column: 'input' } });
    await a.engine.runUntilIdle().catch(() => undefined);
    await corrupt(`UPDATE stepwise.tasks SET input = '{}' WHERE id = $1`, task.id);
    await corrupt(`UPDATE stepwise.transitions SET details = '"oops"' WHERE seq = (SELECT MIN(seq) FROM stepwise.transitions WHERE task_id = $1)`, task.id);
    // Still marked: a transition does not decode.
    await expect(a.storage.getTask(task.id)).rejects.toMatchObject({ code: 'ROW_UNREADABLE' });
    await expect(a.storage.listTransitions(task.id)).rejects.toMatchObject({ code: 'ROW_UNREADABLE', details: { table: 'transitions', column: 'details' } });
    await corrupt(`UPDATE stepwise.transitions SET details = '{}' WHERE seq = (SELECT MIN(seq) FROM stepwise.transitions WHERE task_id = $1)`, task.id);
    expect((await a.storage.getTask(task.id))!.unreadable).toBeUndefined();
    expect((await a.storage.listTasks()).tasks[0]!.unreadable).toBeUndefined();
    await a.engine.runUntilIdle();
    expect((await a.storage.getTask(task.id))!.status).toBe('complete');
  });
});
