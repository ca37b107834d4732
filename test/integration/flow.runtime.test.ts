/**
 * Flow actions run on the one runtime, like workflow steps: a scheduling round claims the action
 * (a lease on the flow task) and hands it to the executor, never waiting for it, so a slow action
 * does not hold back ready workflow steps; an engine that dies mid-action gives the flow back
 * (its interrupted attempts count); `timeout` aborts an action; `retry` retries a failed one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import { createEngine, type Engine, type EngineOptions } from '../../core/engine/engine.js';
import type { Storage } from '../../core/storage/storage.js';
import { reservationsLapse, testStorage } from '../fixtures/storage/testStorage.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap } from '../../core/template/registry.js';
import type { HandlerFn, Template } from '../../core/model/template.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result } from '../../core/template/flowBuilders.js';
import { step, workflow } from '../fixtures/engine/harness.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

async function engineWith(templates: Template[], handlers: Record<string, HandlerFn>, options: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = createEngine({
    storage: await testStorage(),
    executor: 'inline',
    templates: createTemplateRegistry(templates),
    handlers: createHandlerRegistry(handlerMap(handlers)),
    ...options,
  });
  engines.push(engine);
  return engine;
}

describe('a slow flow action does not hold back workflow steps', () => {
  function slowFlowAndQuickWorkflow() {
    const seen = { actionStarted: false, actionEnded: false, stepSawActionEnded: null as boolean | null };
    const flow = defineFlow({
      name: 'slow_flow',
      namespace: 'test',
      startsWith: 'slow',
      states: {
        slow: action(async () => {
          seen.actionStarted = true;
          await new Promise((resolve) => setTimeout(resolve, 2000));
          seen.actionEnded = true;
        }, { goTo: 'done' }),
        done: result(),
      },
    });
    const quick = workflow('quick', [step('only')]);
    const handlers = {
      only: () => {
        seen.stepSawActionEnded = seen.actionEnded;
        return { ok: true };
      },
    };
    return { seen, templates: [flow, quick], handlers };
  }

  it('in the loop (runner, workbench host): the step starts and finishes while the 2 s action runs', async () => {
    const { seen, templates, handlers } = slowFlowAndQuickWorkflow();
    const engine = await engineWith(templates, handlers, { executor: 'pool', concurrency: 4 });
    engine.startLoop({ pollMs: 50 });
    const flowTask = await engine.start('slow_flow', {});
    await vi.waitFor(() => expect(seen.actionStarted).toBe(true), { timeout: 5000, interval: 10 });
    const wf = await engine.start('quick', {});
    await vi.waitFor(async () => expect((await engine.storage.getTask(wf.id))!.status).toBe('complete'), { timeout: 10_000, interval: 10 });
    expect(seen.stepSawActionEnded).toBe(false);
    expect(seen.actionEnded).toBe(false);
    await vi.waitFor(async () => expect((await engine.storage.getTask(flowTask.id))!.status).toBe('complete'), { timeout: 10_000, interval: 20 });
    expect(seen.actionEnded).toBe(true);
  });

  it('in runUntilIdle: the step does not wait for the action, and the run waits for both', async () => {
    const { seen, templates, handlers } = slowFlowAndQuickWorkflow();
    const engine = await engineWith(templates, handlers, { executor: 'pool', concurrency: 4 });
    const flowTask = await engine.start('slow_flow', {});
    const wf = await engine.start('quick', {});
    await engine.runUntilIdle();
    expect(seen.stepSawActionEnded).toBe(false);
    expect((await engine.storage.getTask(wf.id))!.status).toBe('complete');
    expect((await engine.storage.getTask(flowTask.id))!).toMatchObject({ status: 'complete', leaseOwner: null, leaseExpiresAt: null });
  });
});

const LEASE = 10_000;
const t0 = Date.UTC(2026, 0, 1);
const hang = () => new Promise<never>(() => {});

function leasedFlow(retry?: { maxAttempts: number }) {
  return defineFlow({
    name: 'leased_flow',
    namespace: 'test',
    startsWith: 'work',
    states: { work: action('work', { goTo: 'done', ...(retry ? { retry } : {}) }), done: result() },
  });
}

describe('flow action leases', () => {
  function engineAt(storage: Storage, at: number, owner: string, work: HandlerFn, flow = leasedFlow()): Promise<Engine> {
    return engineWith([flow], { work }, { storage, clock: new ManualClock(at), owner, leaseMs: LEASE });
  }

  it('an engine that dies mid-action gives the flow back: another engine runs the action again', async () => {
    const storage = await testStorage();
    const first = await engineAt(storage, t0, 'dies', hang);
    const task = await first.start('leased_flow', {});
    await first.tick();
    expect((await storage.getTask(task.id))!).toMatchObject({ status: 'running', currentState: 'work', leaseOwner: 'dies', leaseExpiresAt: t0 + LEASE, stateAttempts: 1 });

    // Before the lease expires, nobody else touches it.
    const early = await engineAt(storage, t0 + LEASE / 2, 'early', () => 'never called');
    await early.runUntilIdle();
    expect((await storage.getTask(task.id))!).toMatchObject({ leaseOwner: 'dies', stateAttempts: 1 });

    await reservationsLapse(storage, 'dies');
    const second = await engineAt(storage, t0 + 2 * LEASE, 'survivor', () => undefined);
    await second.runUntilIdle();
    expect((await storage.getTask(task.id))!).toMatchObject({ status: 'complete', currentState: 'done', leaseOwner: null, stateAttempts: 0 });
    const attempts = await storage.listAttempts(task.id);
    expect(attempts.map((a) => `${a.stepName}#${a.number}:${a.outcome}`)).toEqual(['work#1:interrupted', 'work#2:success']);
    expect(attempts[0]!.error!.message).toMatch(/'dies' running this action stopped \(its lease expired\)/);
  });

  it('an action whose engines keep dying fails the flow with INTERRUPTED once its attempts are used up', async () => {
    const storage = await testStorage();
    const flow = leasedFlow({ maxAttempts: 2 });
    const first = await engineAt(storage, t0, 'dies-1', hang, flow);
    const task = await first.start('leased_flow', {});
    await first.tick();
    await reservationsLapse(storage, 'dies-1');
    const second = await engineAt(storage, t0 + 2 * LEASE, 'dies-2', hang, flow);
    await second.tick();
    expect((await storage.getTask(task.id))!).toMatchObject({ leaseOwner: 'dies-2', stateAttempts: 2 });
    await reservationsLapse(storage, 'dies-2');
    const third = await engineAt(storage, t0 + 4 * LEASE, 'survivor', () => 'never called', flow);
    await third.runUntilIdle();
    const failed = (await storage.getTask(task.id))!;
    expect(failed).toMatchObject({ status: 'error', leaseOwner: null, error: { code: 'INTERRUPTED' } });
    expect(failed.error!.message).toMatch(/Action 'work' was interrupted 2 times: the process running it died/);
    expect((await storage.listAttempts(task.id)).map((a) => a.outcome)).toEqual(['interrupted', 'interrupted']);
  });

  it('an expired lease is found by its index even when live-leased flows fill the page of active flows', async () => {
    const storage = await testStorage();
    const engine = await engineAt(storage, t0, 'survivor', hang);
    const a = await engine.start('leased_flow', {});
    const b = await engine.start('leased_flow', {});
    // The one-task page of active flows holds only the live one; the other one's engine died.
    const live = (await storage.listTasks({ kind: 'flow', status: 'running', limit: 1 })).tasks[0]!;
    const dead = live.id === a.id ? b : a;
    const lease = (id: string, leaseOwner: string, leaseExpiresAt: number) =>
      storage.commit({ updateTasks: [{ id, expectedVersion: 1, set: { leaseOwner, leaseExpiresAt, stateAttempts: 1 } }] });
    await lease(dead.id, 'dies', t0 - 1);
    await lease(live.id, 'alive', t0 + LEASE);
    expect((await storage.listTasks({ kind: 'flow', status: 'running', limit: 1 })).tasks.map((t) => t.id)).toEqual([live.id]);
    expect(await engine.flows.resumeActive(1, { detach: true })).toEqual([dead.id]);
    expect((await storage.listAttempts(dead.id)).map((a) => a.outcome)).toEqual(['interrupted']);
    expect((await storage.getTask(dead.id))!).toMatchObject({ leaseOwner: 'survivor', stateAttempts: 2 });
    expect((await storage.getTask(live.id))!).toMatchObject({ leaseOwner: 'alive', stateAttempts: 1 });
  });

  it('a clean stop gives the action back without counting it', async () => {
    const storage = await testStorage();
    const first = await engineAt(storage, t0, 'stops', (ctx) => new Promise((_, reject) => (ctx as { signal: AbortSignal }).signal.addEventListener('abort', () => reject(new Error('aborted')))));
    const task = await first.start('leased_flow', {});
    await first.tick();
    await first.stop({ abort: true });
    expect((await storage.getTask(task.id))!).toMatchObject({ status: 'running', leaseOwner: null, stateAttempts: 0 });
    expect((await storage.listAttempts(task.id)).map((a) => a.outcome)).toEqual(['interrupted']);
  });
});

describe('action timeout and retry', () => {
  it('timeout aborts the action: the flow fails with TIMEOUT when no retry is declared', async () => {
    const clock = new ManualClock(t0);
    const flow = defineFlow({ name: 'timed', namespace: 'test', startsWith: 'work', states: { work: action('work', { goTo: 'done', timeout: '1s' }), done: result() } });
    const engine = await engineWith([flow], { work: hang }, { clock });
    const task = await engine.start('timed', {});
    const run = engine.runUntilIdle({ taskId: task.id });
    await vi.waitFor(async () => expect((await engine.storage.getTask(task.id))!.leaseOwner).not.toBeNull(), { interval: 5 });
    clock.advance(1000);
    await run;
    const failed = (await engine.storage.getTask(task.id))!;
    expect(failed).toMatchObject({ status: 'error', leaseOwner: null, error: { code: 'TIMEOUT' } });
    expect((await engine.storage.listAttempts(task.id)).map((a) => a.outcome)).toEqual(['timeout']);
  });

  it('retry runs a failed action again after its backoff, and the flow goes on', async () => {
    const clock = new ManualClock(t0);
    const flow = defineFlow({
      name: 'retried',
      namespace: 'test',
      startsWith: 'work',
      states: { work: action('work', { goTo: 'done', retry: { maxAttempts: 3, backoff: 'fixed', backoffBaseMs: 1000, jitter: false } }), done: result() },
    });
    let calls = 0;
    const engine = await engineWith([flow], {
      work: (ctx) => {
        calls++;
        (ctx as { data: Record<string, unknown> }).data.calls = calls;
        if (calls === 1) throw new Error('flaky');
      },
    }, { clock });
    const task = await engine.start('retried', {});
    await engine.runUntilIdle({ taskId: task.id });
    expect((await engine.storage.getTask(task.id))!).toMatchObject({ status: 'waiting', currentState: 'work', wakeAt: t0 + 1000, stateAttempts: 1, data: {} });
    clock.advance(1000);
    await engine.runUntilIdle({ taskId: task.id });
    expect((await engine.storage.getTask(task.id))!).toMatchObject({ status: 'complete', data: { calls: 2 }, stateAttempts: 0 });
    expect((await engine.storage.listAttempts(task.id)).map((a) => `${a.number}:${a.outcome}`)).toEqual(['1:error', '2:success']);
  });

  it('retry gives up after max_attempts: the flow fails with the last error', async () => {
    const flow = defineFlow({
      name: 'hopeless',
      namespace: 'test',
      startsWith: 'work',
      states: { work: action('work', { goTo: 'done', retry: { maxAttempts: 2, backoff: 'none' } }), done: result() },
    });
    const engine = await engineWith([flow], { work: () => { throw new Error('always broken'); } }, { clock: new ManualClock(t0) });
    const task = await engine.start('hopeless', {});
    await engine.runUntilIdle({ taskId: task.id });
    const failed = (await engine.storage.getTask(task.id))!;
    expect(failed).toMatchObject({ status: 'error', error: { message: 'always broken' } });
    expect((await engine.storage.listAttempts(task.id)).map((a) => a.outcome)).toEqual(['error', 'error']);
  });
});
