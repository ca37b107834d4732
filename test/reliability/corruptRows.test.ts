/**
 * Attack (issue 12): one malformed row stopped everything. A row whose JSON does not parse made
 * `stepwise tasks` and `insights` die with a raw SyntaxError stack, and the runner logged the
 * parse error every round and never ran healthy tasks started afterwards. Now storage names the
 * table, row and column, marks the row's task unreadable (tasks.unreadable, migration 3), lists
 * it as such, refuses to act on it, and every scan leaves it out: the rest is served as before.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cli } from './cli.js';
import { openEngine } from '../../core/engine/open.js';
import { StepwiseError } from '../../core/model/errors.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

/** Damage one column of one row behind the storage's back (a disk fault, a hand edit). */
function corrupt(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    expect(db.prepare(sql).run(...params).changes).toBe(1);
  } finally {
    db.close();
  }
}

describe('the engine keeps running healthy tasks past a corrupt row', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('marks the task with the bad row unreadable and runs the others', async () => {
    const errors: string[] = [];
    const templates = [workflow('two', [step('a'), step('b', { dependsOn: ['a'] })])];
    const handlers = { a: () => ({ ok: true }), b: () => ({ ok: true }) };
    h = await harness({ templates, handlers, engine: { onError: (err, where) => void errors.push(`${where}: ${(err as Error).message}`) } });
    // Started by another engine (another process, in real life): the engine under test keeps no
    // view of it from creating it, so it has to read the damaged row from the database.
    const starter = await openEngine({ workspace: { templates, handlers }, db: h.storage, clock: h.clock, executor: 'inline' });
    const bad = await starter.engine.start('test/two');
    await starter.close();
    corrupt(h.file, "UPDATE steps SET depends_on = '[\"a\"' WHERE task_id = ? AND name = 'b'", bad.id);
    const good = await h.engine.start('test/two');
    // Several rounds: the bad task must not come back each round, and must not stop the rest.
    for (let i = 0; i < 3; i++) await h.engine.runUntilIdle().catch((err: unknown) => void errors.push(`runUntilIdle: ${(err as Error).message}`));
    expect((await h.storage.getTask(good.id))!.status).toBe('complete');

    const read = await h.storage.getTask(bad.id).catch((err: unknown) => err);
    expect(read).toBeInstanceOf(StepwiseError);
    expect((read as StepwiseError).code).toBe('ROW_UNREADABLE');
    expect((read as StepwiseError).message).toMatch(/steps\.depends_on of row \S+ is not valid JSON/);
    const listed = (await h.storage.listTasks()).tasks.find((t) => t.id === bad.id)!;
    expect(listed.unreadable).toMatchObject({ table: 'steps', column: 'depends_on', taskId: bad.id });
    expect((await h.storage.listTasks()).tasks.find((t) => t.id === good.id)!.unreadable).toBeUndefined();
    // Reported at most once per place it was met, not once per round.
    expect(errors.length).toBeLessThanOrEqual(2);
    for (const e of errors) expect(e).toMatch(/cannot be read: steps\.depends_on/);

    // A bad event payload is left out of the feed; later events still arrive.
    corrupt(h.file, "UPDATE events SET payload = 'nope' WHERE seq = (SELECT MIN(seq) FROM events WHERE task_id = ?)", good.id);
    const events = await h.storage.readEvents(0, 10_000);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.taskId !== good.id || e.payload !== undefined)).toBe(true);
  });

  it('a task repaired by hand is readable again', async () => {
    h = await harness({ templates: [workflow('one', [step('a')])], handlers: { a: () => 1 } });
    const task = await h.engine.start('test/one');
    corrupt(h.file, "UPDATE tasks SET input = '{oops' WHERE id = ?", task.id);
    await expect(h.storage.getTask(task.id)).rejects.toMatchObject({ code: 'ROW_UNREADABLE' });
    await h.engine.runUntilIdle().catch(() => undefined);
    corrupt(h.file, "UPDATE tasks SET input = '{}' WHERE id = ?", task.id);
    expect((await h.storage.getTask(task.id))!.unreadable).toBeUndefined();
    await h.engine.runUntilIdle();
    expect((await h.storage.getTask(task.id))!.status).toBe('complete');
  });
});

describe('the CLI shows a corrupt row as one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-corrupt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));


  it('tasks and insights list everything, show names the bad column', async () => {
    const ws = join(dir, 'ws');
    const db = join(dir, 'stepwise.db');
    mkdirSync(join(ws, 'templates'), { recursive: true });
    mkdirSync(join(ws, 'handlers'));
    writeFileSync(join(ws, 'templates', 'hello.yaml'), 'name: hello\nnamespace: c\nversion: 1.0.0\nsteps:\n  - { name: a, handler: a }\n');
    writeFileSync(join(ws, 'handlers', 'a.ts'), 'export const a = () => ({ ok: true });\n');
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const run = await cli('run', 'hello', '--workspace', ws, '--db', db, '--executor', 'inline', '--json');
      expect(run.code).toBe(0);
      ids.push((JSON.parse(run.out) as { task: { id: string } }).task.id);
    }
    corrupt(db, "UPDATE tasks SET result = '{\"ok\": tru' WHERE id = ?", ids[0]);
    const common = ['--workspace', ws, '--db', db];

    const tasks = await cli('tasks', ...common);
    expect(tasks.code).toBe(0);
    expect(tasks.err).toBe('');
    const line = tasks.out.split('\n').find((l) => l.includes(ids[0]!))!;
    expect(line).toMatch(/unreadable .*\(tasks\.result of row \S+ is not valid JSON/);
    expect(tasks.out.split('\n').find((l) => l.includes(ids[1]!))).toMatch(/complete/);

    const json = await cli('tasks', ...common, '--json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.out) as { tasks: { id: string; unreadable?: { column: string } }[] };
    expect(listed.tasks.find((t) => t.id === ids[0])!.unreadable).toMatchObject({ column: 'result' });

    const show = await cli('show', ids[0]!, ...common);
    expect(show.code).toBe(1);
    expect(show.err.split('\n')).toHaveLength(1);
    expect(show.err).toMatch(/^error: ROW_UNREADABLE: Task \S+ cannot be read: tasks\.result of row/);

    const insights = await cli('insights', ...common);
    expect(insights.code).toBe(0);
    expect(insights.err).toBe('');
    expect(insights.out).toMatch(/Unreadable tasks: 1 .*\n.*\n.*\n.*tasks\.result of row/);
  });
});
