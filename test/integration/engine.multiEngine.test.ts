import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { ManualClock } from '../../core/model/clock.js';
import type { StepContext } from '../../core/model/handlers.js';
import type { TaskRecord } from '../../core/model/runtime.js';
import { openStorage, SqliteStorage, storageConfigOf } from '../../core/storage/index.js';
import { harnessOnPostgres, openTestStorage } from '../fixtures/postgres/database.js';
import type { Storage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step, workflow } from '../fixtures/engine/harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const template = workflow('approval', [
  step('prepare'),
  step('approve', { type: 'wait', handler: null, dependsOn: ['prepare'] }),
  step('apply', { dependsOn: ['approve'] }),
]);
const fan = workflow('fan', [step('root', { handler: 'leaf' }), ...Array.from({ length: 60 }, (_, i) => step(`leaf_${i}`, { handler: 'leaf', dependsOn: ['root'] }))]);
const handlers = { prepare: () => 'p', apply: (ctx: StepContext) => ({ approvedBy: ctx.results.approve }), leaf: () => 'ok' };

/**
 * Two engines, each with its own connection to one database (two processes, in effect): a SQLite
 * file, or in the `postgres` project a PostgreSQL database.
 */
async function twoEngines(executor: 'inline' | 'pool' = 'inline'): Promise<[Engine, Engine, Storage]> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-multi-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const shared = harnessOnPostgres() ? await openTestStorage() : null;
  if (shared) cleanups.push(() => shared.dispose());
  const database = shared ? shared.url : join(dir, 'shared.db');
  const clock = new ManualClock();
  const engines: Engine[] = [];
  let first: Storage | undefined;
  for (const owner of ['engine-a', 'engine-b']) {
    const storage = await openStorage(storageConfigOf(database, { clock }));
    first ??= storage;
    const engine = createEngine({
      storage,
      clock,
      owner,
      executor,
      templates: createTemplateRegistry([template, fan]),
      handlers: createHandlerRegistry(new Map(Object.entries(handlers).map(([name, fn]) => [name, { name, fn, file: '' }]))),
    });
    cleanups.push(async () => {
      await engine.close();
      await storage.close();
    });
    engines.push(engine);
  }
  return [engines[0]!, engines[1]!, first!];
}

describe('engines sharing one database', () => {
  it('sees what another engine changed, and refuses a second signal instead of completing a step twice', async () => {
    const [a, b, storage] = await twoEngines();
    const task = await a.start('approval', {});
    expect((await a.runUntilIdle({ taskId: task.id })).task?.status).toBe('waiting');

    // B signals; A's cached view of the task is now stale.
    await b.signal(task.id, 'approve', { by: 'b' });
    await expect(a.signal(task.id, 'approve', { by: 'a' })).rejects.toMatchObject({ code: 'INVALID_STATE' });

    const run = await a.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(run.task?.result).toEqual({ apply: { approvedBy: { by: 'b' } } });
    const completions = (await storage.listTransitions(task.id)).filter((t) => t.stepName !== null && t.to === 'complete');
    expect(completions.map((t) => t.stepName)).toEqual(['prepare', 'approve', 'apply']);
  });

  it('two engines racing over one task complete it, each step once (a lost race is not a failure)', async () => {
    const [a, b, storage] = await twoEngines('pool');
    const task = await a.start('fan', {});
    await Promise.all([a.runUntilIdle({ taskId: task.id }), b.runUntilIdle({ taskId: task.id })]);
    await a.runUntilIdle({ taskId: task.id });
    expect((await storage.getTask(task.id))!.status).toBe('complete');
    const completions = (await storage.listTransitions(task.id)).filter((t) => t.stepName !== null && t.to === 'complete').map((t) => t.stepName);
    expect(completions.sort()).toEqual(fan.steps.map((s) => s.name).sort());
    const attempts = await storage.listAttempts(task.id);
    expect(attempts.filter((x) => x.outcome === 'success')).toHaveLength(fan.steps.length);
  });

  it('lets a cancellation by another engine win over a stale plan', async () => {
    const [a, b] = await twoEngines();
    const task = await a.start('approval', {});
    await a.runUntilIdle({ taskId: task.id });
    await b.cancelTask(task.id, 'from b');
    await expect(a.signal(task.id, 'approve', {})).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('cancelled') });
    expect((await a.runUntilIdle({ taskId: task.id })).task?.status).toBe('cancelled');
  });
});

/**
 * SQLite whose concurrency count answers late, as a busy process would: the window between an
 * engine counting a key's running steps and claiming one is where another engine claims too.
 * `reversed` scans ready tasks newest first, so the two engines go for different tasks at once
 * (with the same order they mostly collide on one task and the loser is refused as STALE).
 */
class SlowCountStorage extends SqliteStorage {
  constructor(
    file: string,
    private readonly reversed: boolean,
  ) {
    super({ file });
  }
  override async countRunningWithConcurrencyKey(key: string): Promise<number> {
    const n = await super.countRunningWithConcurrencyKey(key);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return n;
  }
  override async tasksWithReadySteps(limit?: number): Promise<string[]> {
    const ids = await super.tasksWithReadySteps(limit);
    return this.reversed ? ids.reverse() : ids;
  }
}

describe('a concurrency key shared by engines on one database', () => {
  it('never runs more steps with the key than its limit, whichever engine claims them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-multi-key-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'shared.db');
    const clock = new ManualClock();
    const LIMIT = 2;
    const keyed = workflow('charge', [step('call', { concurrency: { key: 'customer:{{ input.customer_id }}', limit: LIMIT } })]);
    let running = 0;
    let maxRunning = 0;
    const ranBy = new Map<string, string>();
    const engines: Engine[] = [];
    let storage: Storage | undefined;
    for (const owner of ['engine-a', 'engine-b']) {
      const s = new SlowCountStorage(file, owner === 'engine-b');
      storage ??= s;
      const call = async (ctx: StepContext) => {
        ranBy.set(ctx.taskId, owner);
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 15));
        running -= 1;
        return owner;
      };
      const engine = createEngine({
        storage: s,
        clock,
        owner,
        executor: 'pool',
        concurrency: 4,
        templates: createTemplateRegistry([keyed]),
        handlers: createHandlerRegistry(new Map([['call', { name: 'call', fn: call, file: '' }]])),
      });
      cleanups.push(async () => {
        await engine.close();
        await s.close();
      });
      engines.push(engine);
    }
    const tasks: TaskRecord[] = [];
    for (let i = 0; i < 8; i++) tasks.push(await engines[0]!.start('charge', { customer_id: 42 }));
    const allDone = async () => (await Promise.all(tasks.map((t) => storage!.getTask(t.id)))).every((t) => t!.status === 'complete');
    // Each engine drives until every task is done: an engine that finds the key full goes idle
    // and looks again, as a runner polls.
    const drive = async (engine: Engine) => {
      for (let round = 0; round < 500 && !(await allDone()); round++) {
        await engine.runUntilIdle();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    await Promise.all(engines.map(drive));

    expect(await allDone()).toBe(true);
    expect(maxRunning).toBe(LIMIT);
    // Both engines took part, so the limit held across them, not only within one.
    expect(new Set(ranBy.values())).toEqual(new Set(['engine-a', 'engine-b']));
    for (const t of tasks) {
      const attempts = await storage!.listAttempts(t.id, 'call');
      expect(attempts.map((a) => a.outcome)).toEqual(['success']);
    }
  });
});
