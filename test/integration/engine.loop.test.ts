import { hostname } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_PRUNE_MS } from '../../core/model/cluster.js';
import { packageVersion } from '../../core/packageInfo.js';
import type { StepContext } from '../../core/model/handlers.js';
import { createEngine } from '../../core/engine/engine.js';
import { openEngine } from '../../core/engine/open.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the engine loop (runner, workbench host)', () => {
  it('picks up new tasks, keeps a heartbeat while it runs and removes it on stop', async () => {
    h = await harness({ templates: [workflow('quick', [step('a'), step('b', { dependsOn: ['a'] })])], handlers: { a: () => 1, b: () => 2 }, engine: { owner: 'loop-1' } });
    h.engine.startLoop({ pollMs: 20, heartbeat: 'host' });
    await vi.waitFor(async () => expect(await h!.storage.heartbeats()).toMatchObject([{ owner: 'loop-1', kind: 'host', pid: process.pid }]));
    const task = await h.engine.start('quick', {});
    await vi.waitFor(async () => expect((await h!.storage.getTask(task.id))!.status).toBe('complete'));
    await h.engine.stop();
    expect(await h.storage.heartbeats()).toEqual([]);
  });

  it('announces its machine, version, start and interval, and prunes heartbeats silent for an hour', async () => {
    h = await harness({ templates: [workflow('quick', [step('a')])], handlers: { a: () => 1 }, engine: { owner: 'loop-2' } });
    const started = h.clock.now();
    const dead = { pid: 9, kind: 'runner', host: 'gone-box', startedAt: 0, version: '0.1.0', everyMs: 5000 };
    await h.storage.beat({ ...dead, owner: 'dead-long-ago', at: started - HEARTBEAT_PRUNE_MS - 1 });
    await h.storage.beat({ ...dead, owner: 'dead-recently', at: started - 60_000 });
    // One beat per hour of (manual) time: advancing an hour below fires exactly one more.
    h.engine.startLoop({ pollMs: 20, heartbeat: 'runner', heartbeatMs: HEARTBEAT_PRUNE_MS });
    await vi.waitFor(async () => expect((await h!.storage.heartbeats()).map((b) => b.owner)).toEqual(['dead-recently', 'loop-2']));
    const mine = (await h.storage.heartbeats()).find((b) => b.owner === 'loop-2')!;
    expect(mine).toEqual({ owner: 'loop-2', pid: process.pid, at: started, kind: 'runner', host: hostname(), startedAt: started, version: packageVersion(), everyMs: HEARTBEAT_PRUNE_MS });
    // Beats follow the injected clock; an hour later the recently dead one is pruned too.
    h.clock.advance(HEARTBEAT_PRUNE_MS);
    await vi.waitFor(async () => expect((await h!.storage.heartbeats()).map((b) => [b.owner, b.at])).toEqual([['loop-2', started + HEARTBEAT_PRUNE_MS]]));
    await h.engine.stop();
    expect(await h.storage.heartbeats()).toEqual([]);
  });

  it('stop({ abort: true }) aborts running handlers; their steps go back to ready and run again later', async () => {
    let calls = 0;
    h = await harness({
      templates: [workflow('slow', [step('wait_for_abort')])],
      handlers: {
        wait_for_abort: (ctx: StepContext) => {
          calls += 1;
          if (calls > 1) return 'second time lucky';
          return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
        },
      },
    });
    h.engine.startLoop({ pollMs: 20 });
    const task = await h.engine.start('slow', {});
    await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'wait_for_abort'))!.state).toBe('running'));
    await h.engine.stop({ abort: true });
    const s = (await h.storage.getStep(task.id, 'wait_for_abort'))!;
    expect(s).toMatchObject({ state: 'ready', leaseOwner: null });
    expect((await h.storage.listAttempts(task.id))[0]).toMatchObject({ outcome: 'interrupted' });
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect((await h.storage.listAttempts(task.id)).map((a) => a.outcome)).toEqual(['interrupted', 'success']);
  });

  it('deletes finished tasks once delete_after has passed', async () => {
    h = await harness({ templates: [workflow('short_lived', [step('a')], { deleteAfterMs: 60_000 })], handlers: { a: () => 1 } });
    const task = await h.engine.start('short_lived', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.deleteAt).toBe(h.clock.now() + 60_000);
    h.clock.advance(59_999);
    await h.engine.tick();
    expect(await h.storage.getTask(task.id)).not.toBeNull();
    h.clock.advance(1);
    await h.engine.tick();
    expect(await h.storage.getTask(task.id)).toBeNull();
    expect(h.events.at(-1)).toMatchObject({ type: 'task.deleted', taskId: task.id });
  });

  it('reports a task whose template is no longer in the workspace and keeps running the others', async () => {
    h = await harness({ templates: [workflow('gone', [step('a')]), workflow('here', [step('a')])], handlers: { a: () => 1 } });
    const orphan = await h.engine.start('gone', {});
    const errors: string[] = [];
    const other = createEngine({
      storage: h.storage,
      clock: h.clock,
      executor: 'inline',
      templates: createTemplateRegistry([workflow('here', [step('a')])]),
      handlers: createHandlerRegistry(new Map([['a', { name: 'a', fn: () => 1, file: '' }]])),
      onError: (err, where) => errors.push(`${where}: ${(err as Error).message}`),
    });
    const fine = await other.start('here', {});
    await other.runUntilIdle();
    await other.close();
    expect((await h.storage.getTask(fine.id))!.status).toBe('complete');
    expect((await h.storage.getTask(orphan.id))!.status).toBe('running');
    expect(errors.some((e) => e.startsWith(`task ${orphan.id} (test/gone@1.0.0)`) && e.includes('is not in the workspace'))).toBe(true);
  });
});

describe('the engine loop woken by hints', () => {
  it("a 'work' hint that lands in a poll's round launches the new work before the rest of the round", async () => {
    const base = new MemoryStorage();
    let hint: (() => void) | null = null;
    let leasesAsked!: () => void;
    const leasesScan = new Promise<void>((r) => (leasesAsked = r));
    let releaseLeases!: () => void;
    const leasesGate = new Promise<void>((r) => (releaseLeases = r));
    let releaseDue!: () => void;
    const dueGate = new Promise<void>((r) => (releaseDue = r));
    // The first round's lease scan waits until the test lets it go; its due-step scan waits until the end.
    const storage = Object.assign(Object.create(base) as MemoryStorage, {
      subscribe(kind: 'events' | 'work', listener: () => void) {
        if (kind === 'work') hint = listener;
        return () => undefined;
      },
      async expiredLeases(now: number, limit?: number) {
        leasesAsked();
        await leasesGate;
        return base.expiredLeases(now, limit);
      },
      async dueSteps(now: number, limit?: number) {
        await dueGate;
        return base.dueSteps(now, limit);
      },
    });
    let ran!: () => void;
    const handlerRan = new Promise<string>((r) => (ran = () => r('ran')));
    const templates = [workflow('quick', [step('a')])];
    const runner = await openEngine({ workspace: { templates, handlers: { a: () => (ran(), 1) } }, db: storage, executor: 'inline' });
    const starter = await openEngine({ workspace: { templates, handlers: { a: () => 1 } }, db: base, executor: 'inline' });
    try {
      runner.engine.startLoop({ pollMs: 60_000 });
      await leasesScan;
      // Another process starts a task and its hint arrives while the round is in its lease scan.
      await starter.engine.start('quick', {});
      hint!();
      releaseLeases();
      const first = await Promise.race([handlerRan, new Promise<string>((r) => setTimeout(() => r('still waiting for the round'), 2_000))]);
      expect(first).toBe('ran');
    } finally {
      releaseDue();
      await runner.engine.stop();
      await runner.close();
      await starter.close();
    }
  });
});
