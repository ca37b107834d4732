/**
 * Engine loops serving a PostgreSQL database shared with other processes (each storage here has
 * its own pool and LISTEN connection, as another process would): 'work' hints wake a loop that
 * would otherwise wait for its poll; housekeeping deletes each expired task once, with one
 * `task.deleted`, however many engines run it at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type OpenedEngine } from '../../core/engine/open.js';
import { ManualClock } from '../../core/model/clock.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { PostgresStorage } from '../../core/storage/postgres/storage.js';
import type { Storage } from '../../core/storage/storage.js';
import { isTaskFinished } from '../../core/model/states.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result } from '../../core/template/flowBuilders.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { usePostgres } from '../fixtures/postgres/database.js';

const db = usePostgres();
const cleanups: Array<() => Promise<unknown>> = [];
beforeEach(() => db.fresh());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const template = workflow('ping', [step('ping', { handler: 'ping' })]);

const shortLived = workflow('short_lived', [step('ping', { handler: 'ping' })], { deleteAfterMs: 1 });

const pause = () => new Promise((r) => setTimeout(r, 5));
/** Four actions in a row: every engine round finds these flows active or due. */
const relay = defineFlow({
  name: 'relay',
  namespace: 'test',
  startsWith: 'one',
  states: {
    one: action(pause, { goTo: 'two' }),
    two: action(pause, { goTo: 'three' }),
    three: action(pause, { goTo: 'four' }),
    four: action(pause, { goTo: 'done' }),
    done: result(),
  },
});

async function engineOn(storage: Storage, owner: string, clock?: ManualClock): Promise<OpenedEngine> {
  const opened = await openEngine({
    workspace: { templates: [template, shortLived, relay], handlers: { ping: () => 'pong' } },
    db: storage,
    executor: 'inline',
    owner,
    ...(clock ? { clock } : {}),
  });
  cleanups.push(() => opened.close());
  return opened;
}

async function storage(): Promise<PostgresStorage> {
  const s = await db.open();
  cleanups.push(() => s.close());
  return s;
}

async function statusWithin(s: PostgresStorage, taskId: string, ms: number): Promise<string | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = (await s.getTask(taskId))?.status;
    if (status === 'complete' || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('an engine loop on PostgreSQL', () => {
  for (const hints of [true, false]) {
    it(hints ? 'runs a task another process started at once, woken by its work hint (poll: 10 minutes)' : 'without hints waits for its poll', async () => {
      const runnerStorage = await storage();
      const starterStorage = await storage();
      const runner = await engineOn(runnerStorage, 'runner');
      const starter = await engineOn(starterStorage, 'starter');
      await runnerStorage.hintsReady();
      runner.engine.startLoop({ pollMs: 600_000, hints });
      cleanups.push(() => runner.engine.stop());
      // The first task proves the loop's first rounds are over: from now on it waits for its poll.
      const first = await starter.engine.start('ping');
      if (!hints) await runner.engine.tick();
      expect(await statusWithin(starterStorage, first.id, 60_000)).toBe('complete');
      // Let the round that follows its end finish, so only a hint (or the poll) could wake the loop.
      await new Promise((r) => setTimeout(r, 1_500));
      const second = await starter.engine.start('ping');
      if (hints) expect(await statusWithin(starterStorage, second.id, 60_000)).toBe('complete');
      else expect(await statusWithin(starterStorage, second.id, 2_000)).not.toBe('complete');
    });
  }
});

describe('reservations of finished tasks', () => {
  it('a completed task is not held: the commit that finishes it ends its runner’s reservation, and later rounds do not renew it', async () => {
    const s = await storage();
    const runner = await engineOn(s, 'runner');
    runner.engine.startLoop({ pollMs: 50 });
    cleanups.push(() => runner.engine.stop());
    const task = await runner.engine.start('ping');
    expect(await statusWithin(s, task.id, 60_000)).toBe('complete');
    // The reservation used to last its time out (up to 5 s) after the task completed.
    expect((await s.listHolds(Date.now())).reservations).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect((await s.listHolds(Date.now())).reservations).toEqual([]);
  });
});

describe('flows on several engines', () => {
  it('four engine loops take different flows (reserved): every flow completes, each action runs once, almost no commit is refused STALE', async () => {
    const storages = await Promise.all([0, 1, 2, 3].map(() => storage()));
    const refused = new Map<string, number>();
    let commits = 0;
    for (const s of storages) {
      const commit = s.commit.bind(s);
      s.commit = async (changes) => {
        commits += 1;
        try {
          return await commit(changes);
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'other';
          refused.set(code, (refused.get(code) ?? 0) + 1);
          throw err;
        }
      };
    }
    const engines = await Promise.all(storages.map((s, i) => engineOn(s, `engine-${i}`)));
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push((await engines[0]!.engine.start('relay', {}, { later: true })).id);
    for (const e of engines) {
      e.engine.startLoop({ pollMs: 50 });
      cleanups.push(() => e.engine.stop());
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const tasks = await Promise.all(ids.map((id) => storages[0]!.getTask(id)));
      if (tasks.every((t) => t && isTaskFinished('flow', t.status))) break;
      if (Date.now() > deadline) throw new Error(`flows unfinished: ${tasks.map((t) => t?.status).join(',')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const id of ids) {
      const task = (await storages[0]!.getTask(id))!;
      expect(task.currentState).toBe('done');
      const attempts = await storages[0]!.listAttempts(id);
      // One attempt per action state: no engine ran another's action again.
      expect(attempts.map((a) => a.stepName)).toEqual(['one', 'two', 'three', 'four']);
    }
    const stale = refused.get('STALE') ?? 0;
    process.stdout.write(`flows on 4 engines: ${commits} commits, refused ${JSON.stringify(Object.fromEntries(refused))}\n`);
    expect(stale / commits).toBeLessThanOrEqual(0.01);
  });
});

describe('housekeeping', () => {
  const deletedEvents = async (s: Storage, taskIds: string[]) => {
    const settled = (s as { settled?: () => Promise<void> }).settled;
    if (settled) await settled.call(s);
    return (await s.readEvents(0, 10_000)).filter((e) => e.type === 'task.deleted' && taskIds.includes(e.taskId));
  };

  it('four engines on PostgreSQL delete each expired task once, with one task.deleted each', async () => {
    const storages = await Promise.all([0, 1, 2, 3].map(() => storage()));
    const engines = await Promise.all(storages.map((s, i) => engineOn(s, `engine-${i}`)));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await engines[0]!.engine.start('short_lived');
      await engines[0]!.engine.runUntilIdle({ taskId: t.id });
      ids.push(t.id);
    }
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all(engines.map((e) => e.engine.tick()));
    await Promise.all(engines.map((e) => e.engine.tick()));
    for (const id of ids) expect(await storages[0]!.getTask(id)).toBeNull();
    expect((await deletedEvents(storages[0]!, ids)).map((e) => e.taskId).sort()).toEqual([...ids].sort());
  });

  it('without a housekeeping lock (memory), engines deleting at once are told apart by versions', async () => {
    const shared = new MemoryStorage();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engines = await Promise.all([0, 1, 2].map((i) => engineOn(shared, `engine-${i}`, clock)));
    const t = await engines[0]!.engine.start('short_lived');
    await engines[0]!.engine.runUntilIdle({ taskId: t.id });
    clock.advance(10);
    await Promise.all(engines.map((e) => e.engine.tick()));
    expect(await shared.getTask(t.id)).toBeNull();
    expect(await deletedEvents(shared, [t.id])).toHaveLength(1);
  });
});
