/**
 * The TaskStore commits through Storage.sync when storage offers it (memory, SQLite): a chain
 * step's end, planned and committed with no promise in between. What must hold: the same records,
 * transitions and events as through `commit`; STALE still replans; a commit handed over is not
 * changed afterwards by the engine (an attempt's log lines written after its end stay out of it).
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../core/engine/engine.js';
import { TaskStore } from '../../core/engine/runtime/taskStore.js';
import type { EngineContext } from '../../core/engine/context.js';
import { createEventBus } from '../../core/events/bus.js';
import { ManualClock } from '../../core/model/clock.js';
import type { StepContext } from '../../core/model/handlers.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { ChangeSet, SyncStorage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step as stepOf, workflow } from '../fixtures/engine/harness.js';
import { step, task } from '../fixtures/storage/records.js';

/** Memory storage whose synchronous and asynchronous commits are counted apart. */
async function counted() {
  const storage = new MemoryStorage();
  await storage.commit({ insertTasks: [task('t1', { status: 'running' })], insertSteps: ['a', 'b'].map((n) => step('t1', n, { state: 'ready' })) });
  const sync = storage.sync!;
  const calls = { sync: 0, async: 0 };
  const countedSync: SyncStorage = { ...sync, commit: (c: ChangeSet) => (calls.sync++, sync.commit(c)) };
  const commit = storage.commit.bind(storage);
  storage.commit = (c) => (calls.async++, commit(c));
  Object.defineProperty(storage, 'sync', { value: countedSync, configurable: true });
  const ctx = { storage, clock: new ManualClock(), bus: createEventBus(), owner: 'test', leaseMs: 1000 } as unknown as EngineContext;
  return { storage, calls, ctx, store: new TaskStore(ctx) };
}

describe('TaskStore on synchronous storage', () => {
  it('commits through Storage.sync, with the same records, transitions and events', async () => {
    const { storage, calls, ctx, store } = await counted();
    const published: string[] = [];
    ctx.bus.on('step.cancelled', (e) => void published.push(e.stepName!));
    const r = await store.change('t1', (d) => (d.moveStep('a', 'cancelled', 'x'), 'planned'));
    expect(r?.value).toBe('planned');
    expect(calls).toEqual({ sync: 1, async: 0 });
    expect(r?.view.steps.get('a')).toMatchObject({ state: 'cancelled', version: 2 });
    expect((await storage.getStep('t1', 'a'))?.state).toBe('cancelled');
    expect((await storage.listTransitions('t1')).at(-1)).toMatchObject({ stepName: 'a', to: 'cancelled' });
    expect(published).toEqual(['a']);
  });

  it('replans on a fresh view after a STALE, as through commit', async () => {
    const { storage, calls, store } = await counted();
    await store.change('t1', (d) => d.moveStep('a', 'cancelled', 'x'));
    // Another process moves the task on: the cached view is stale.
    const t = (await storage.getTask('t1'))!;
    await storage.commit({ updateTasks: [{ id: 't1', expectedVersion: t.version, set: { updatedAt: 5 } }] });
    let plans = 0;
    const r = await store.change('t1', (d) => (plans++, d.moveStep('b', 'cancelled', 'y')));
    expect(plans).toBe(2);
    expect(calls.sync).toBe(3);
    expect(r?.view.task.version).toBe((await storage.getTask('t1'))!.version);
    expect((await storage.getStep('t1', 'b'))?.state).toBe('cancelled');
  });

  it("still commits a pool's ends that finish together as one: a fan-out of 64 on a pool of 8 in about 64 / 8 commits", async () => {
    const storage = new MemoryStorage();
    const sync = storage.sync!;
    let commits = 0;
    Object.defineProperty(storage, 'sync', { value: { ...sync, commit: (c: ChangeSet) => (commits++, sync.commit(c)) } satisfies SyncStorage, configurable: true });
    const steps = Array.from({ length: 64 }, (_, i) => stepOf(`s${i}`, { handler: 'h' }));
    const engine = createEngine({
      storage,
      templates: createTemplateRegistry([workflow('wide', steps)]),
      handlers: createHandlerRegistry(new Map([['h', { name: 'h', file: '', fn: () => null }]])),
      executor: 'pool',
      concurrency: 8,
    });
    const t = await engine.start('wide');
    commits = 0;
    const run = await engine.runUntilIdle({ taskId: t.id });
    expect(run.task?.status).toBe('complete');
    // Each commit records up to 8 ends and claims as many next steps (plus the first claim and
    // the task's end). One commit per end or two per eight would double this.
    expect(commits).toBeLessThanOrEqual(64 / 8 + 2);
    await engine.close();
  });

  it('keeps an attempt as its end committed it: lines logged after the end are not added', async () => {
    const storage = new MemoryStorage();
    let late: (() => void) | null = null;
    const engine = createEngine({
      storage,
      templates: createTemplateRegistry([workflow('one', [stepOf('a', { handler: 'h' })])]),
      handlers: createHandlerRegistry(
        new Map([
          [
            'h',
            {
              name: 'h',
              file: '',
              fn: (ctx: StepContext) => {
                ctx.log.info('during');
                late = () => ctx.log.info('after the end');
                return 'ok';
              },
            },
          ],
        ]),
      ),
      executor: 'inline',
    });
    expect(storage.sync).not.toBeNull();
    const t = await engine.start('one');
    await engine.runUntilIdle({ taskId: t.id });
    late!();
    const [attempt] = await storage.listAttempts(t.id, 'a');
    expect(attempt!.logs.map((l) => l.message)).toEqual(['during']);
    await engine.close();
  });
});
