/**
 * Engine loops serving a PostgreSQL database shared with other processes (each storage here has
 * its own pool and LISTEN connection, as another process would): 'work' hints wake a loop that
 * would otherwise wait for its poll.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type OpenedEngine } from '../../core/engine/open.js';
import type { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { usePostgres } from '../fixtures/postgres/database.js';

const db = usePostgres();
const cleanups: Array<() => Promise<unknown>> = [];
beforeEach(() => db.fresh());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const template = workflow('ping', [step('ping', { handler: 'ping' })]);

async function engineOn(storage: PostgresStorage, owner: string): Promise<OpenedEngine> {
  const opened = await openEngine({ workspace: { templates: [template], handlers: { ping: () => 'pong' } }, db: storage, executor: 'inline', owner });
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
