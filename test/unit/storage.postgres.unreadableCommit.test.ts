/**
 * A commit that patches a task marked unreadable is refused with ROW_UNREADABLE on PostgreSQL as
 * on SQLite (storage.sqlite.unreadableCommit.test.ts), also when another process stored the mark
 * and this one never read the task: by the one-round-trip path (commit_fast's task UPDATE requires
 * `unreadable IS NULL`, the call is refused, the checked path names the mark) and by the checked
 * path alone (prepare_commit returns the stored marks). Nothing of the commit is written, and the
 * mark wins over STALE.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { usePostgres } from '../fixtures/postgres/database.js';
import { T0, readyEvent, step, task, transition } from '../fixtures/storage/records.js';

const db = usePostgres();
const opened: PostgresStorage[] = [];

beforeEach(async () => {
  await db.fresh();
  const s = await open();
  await s.commit({ insertTasks: [task('t1'), task('t2')], insertSteps: [step('t1', 'a'), step('t2', 'a')] });
});
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function open(oneRoundTripCommit = true): Promise<PostgresStorage> {
  const s = await PostgresStorage.open({ url: db.url, oneRoundTripCommit });
  opened.push(s);
  return s;
}

async function sql(text: string, ...params: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** Process A: its read meets a row of t2 that does not decode, refuses it and stores the mark. */
async function markByAnotherProcess(id: string): Promise<void> {
  await sql(`UPDATE stepwise.tasks SET input = '[1]' WHERE id = $1`, id);
  const a = await PostgresStorage.open({ url: db.url });
  await expect(a.getTask(id)).rejects.toMatchObject({ code: 'ROW_UNREADABLE' });
  await a.close(); // waits for the mark's write
  expect((await sql('SELECT unreadable FROM stepwise.tasks WHERE id = $1', id)).rows[0].unreadable).toContain('"column":"input"');
}

const touch = (id: string, expectedVersion: number) => ({ id, expectedVersion, set: { updatedAt: T0 + 1 } });

/** A commit of engine shape over t1 and `marked`, with a step patch, a transition and an event. */
function commitOver(marked: string, v1: number, v2: number): ChangeSet {
  return {
    updateTasks: [touch('t1', v1), touch(marked, v2)],
    updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { state: 'ready' } }],
    transitions: [transition('t1', 'a', 'pending', 'ready')],
    events: [readyEvent('t1', 'a')],
  };
}

async function refusal(commit: Promise<unknown>): Promise<string> {
  const err = await commit.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StepwiseError);
  return (err as StepwiseError).code;
}

/** What a commit over t1 could have written. */
async function written(): Promise<unknown> {
  const r = await sql(`SELECT (SELECT version FROM stepwise.tasks WHERE id = 't1') AS task,
    (SELECT version FROM stepwise.steps WHERE id = 't1:a') AS step,
    (SELECT count(*) FROM stepwise.transitions) AS transitions, (SELECT count(*) FROM stepwise.events) AS events`);
  return r.rows[0];
}

describe.each([
  ['the one-round-trip path', true],
  ['the checked path', false],
])('commits to a task marked unreadable by another process (PostgreSQL, %s)', (_, fast) => {
  it('are refused with ROW_UNREADABLE and write nothing of the commit', async () => {
    const b = await open(fast);
    const v1 = (await b.getTask('t1'))!.version;
    await markByAnotherProcess('t2');
    const before = await written();
    const stats = { ...b.commitStats };
    expect(await refusal(b.commit(commitOver('t2', v1, 1)))).toBe('ROW_UNREADABLE');
    expect(await written()).toEqual(before);
    // The fast call ran and was refused (nothing is known locally); the checked path named the mark.
    expect([b.commitStats.fast - stats.fast, b.commitStats.fastRefused - stats.fastRefused, b.commitStats.checked - stats.checked]).toEqual(fast ? [0, 1, 1] : [0, 0, 1]);
  });

  it('name the mark rather than STALE, whichever task is stale; a mark set in SQL counts too', async () => {
    const b = await open(fast);
    const v1 = (await b.getTask('t1'))!.version;
    await sql(`UPDATE stepwise.tasks SET unreadable = 'not a mark' WHERE id = 't2'`);
    const before = await written();
    expect(await refusal(b.commit(commitOver('t2', 99, 1)))).toBe('ROW_UNREADABLE');
    expect(await refusal(b.commit({ updateTasks: [touch('t2', 99)] }))).toBe('ROW_UNREADABLE');
    const err = await b.commit(commitOver('t2', v1, 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ROW_UNREADABLE', details: { taskId: 't2' } });
    expect(await written()).toEqual(before);
  });

  it('leave tasks without a mark alone: they commit, and a stale one is STALE', async () => {
    const b = await open(fast);
    await markByAnotherProcess('t2');
    const v1 = (await b.getTask('t1'))!.version;
    await b.commit({ updateTasks: [touch('t1', v1)] });
    expect((await b.getTask('t1'))!.version).toBe(v1 + 1);
    expect(await refusal(b.commit({ updateTasks: [touch('t1', v1)] }))).toBe('STALE');
    // The connection each refusal used went back to the pool in a good state.
    await b.commit({ updateTasks: [touch('t1', v1 + 1)] });
  });
});
