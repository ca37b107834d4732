/**
 * Interrupted attempts count: an attempt whose process died (its lease expired) uses up one of
 * max_attempts, and a step whose attempts keep dying ends in `error` saying so. A clean stop
 * (stop({ abort: true })) interrupts too, but is the engine's doing and does not use one up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import type { Storage } from '../../core/storage/storage.js';
import { reservationsLapse, testStorage } from '../fixtures/storage/testStorage.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap } from '../../core/template/registry.js';
import type { HandlerFn } from '../../core/model/template.js';
import { step, workflow } from '../fixtures/engine/harness.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

const LEASE = 10_000;
const template = workflow('fragile', [step('crashy', { retry: { maxAttempts: 2 } }), step('after', { dependsOn: ['crashy'] })]);

/** An engine whose process "dies" mid-attempt: its handler never returns and its clock never moves again. */
function engineAt(storage: Storage, startsAt: number, owner: string, handlers: Record<string, HandlerFn>): Engine {
  const engine = createEngine({
    storage,
    clock: new ManualClock(startsAt),
    executor: 'inline',
    owner,
    leaseMs: LEASE,
    templates: createTemplateRegistry([template]),
    handlers: createHandlerRegistry(handlerMap(handlers)),
  });
  engines.push(engine);
  return engine;
}

describe('interrupted attempts', () => {
  it('count toward max_attempts: a step whose process keeps dying ends in error after its last attempt', async () => {
    const storage = await testStorage();
    const t0 = Date.UTC(2026, 0, 1);
    const hang = () => new Promise(() => {});
    const first = engineAt(storage, t0, 'dies-1', { crashy: hang });
    const task = await first.start('fragile', {});
    expect(await first.tick()).toBe(1);

    // Later, another engine finds the lease expired: attempt 1 interrupted, the step runs again.
    await reservationsLapse(storage, 'dies-1');
    const second = engineAt(storage, t0 + 2 * LEASE, 'dies-2', { crashy: hang });
    expect(await second.tick()).toBe(1);
    expect((await storage.getStep(task.id, 'crashy'))!).toMatchObject({ state: 'running', attempts: 2, leaseOwner: 'dies-2' });

    // Its process dies too: attempt 2 was the last one.
    await reservationsLapse(storage, 'dies-2');
    const third = engineAt(storage, t0 + 4 * LEASE, 'survivor', { crashy: () => 'never called' });
    expect(await third.tick()).toBe(0);
    const crashy = (await storage.getStep(task.id, 'crashy'))!;
    expect(crashy).toMatchObject({ state: 'error', attempts: 2, leaseOwner: null });
    expect(crashy.error).toMatchObject({ code: 'INTERRUPTED' });
    expect(crashy.error!.message).toMatch(/interrupted 2 times: the process running it died/);
    expect((await storage.listAttempts(task.id, 'crashy')).map((a) => a.outcome)).toEqual(['interrupted', 'interrupted']);
    expect((await storage.getTask(task.id))!).toMatchObject({ status: 'error' });
    expect((await storage.getStep(task.id, 'after'))!.state).toBe('pending');
  });

  it('a failure and an interruption share the budget', async () => {
    const storage = await testStorage();
    const t0 = Date.UTC(2026, 0, 1);
    const first = engineAt(storage, t0, 'fails', { crashy: () => Promise.reject(new Error('boom')) });
    const task = await first.start('fragile', {});
    await first.tick();
    // The retry is scheduled (1 s backoff) once the failed attempt's end is committed (at once in memory, later on a database).
    for (let i = 0; i < 500 && (await storage.getStep(task.id, 'crashy'))!.state !== 'waiting_for_retry'; i++) await new Promise((r) => setTimeout(r, 10));
    // An engine later takes it and dies.
    await reservationsLapse(storage, 'fails');
    const second = engineAt(storage, t0 + 5_000, 'dies', { crashy: () => new Promise(() => {}) });
    expect(await second.tick()).toBe(1);
    await reservationsLapse(storage, 'dies');
    const third = engineAt(storage, t0 + 5_000 + 2 * LEASE, 'survivor', { crashy: () => 'never called' });
    await third.tick();
    const crashy = (await storage.getStep(task.id, 'crashy'))!;
    expect(crashy).toMatchObject({ state: 'error', attempts: 2 });
    expect(crashy.error!.message).toMatch(/interrupted 1 time: the process running it died/);
    expect((await storage.listAttempts(task.id, 'crashy')).map((a) => a.outcome)).toEqual(['error', 'interrupted']);
  });

  it('a clean stop gives the step back without using up an attempt', async () => {
    const storage = await testStorage();
    let calls = 0;
    const engine = engineAt(storage, Date.UTC(2026, 0, 1), 'stops', {
      crashy: (ctx) => {
        calls += 1;
        if (calls > 1) return 'done';
        return new Promise((_, reject) => (ctx as { signal: AbortSignal }).signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
      after: () => 'after',
    });
    const task = await engine.start('fragile', {});
    engine.startLoop({ pollMs: 600_000 });
    // Until the loop's first round claimed the step (a few ms in memory, longer on a database).
    for (let i = 0; i < 500 && (await storage.getStep(task.id, 'crashy'))!.state !== 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    await engine.stop({ abort: true });
    const crashy = (await storage.getStep(task.id, 'crashy'))!;
    expect(crashy).toMatchObject({ state: 'ready', attempts: 1, maxAttempts: 3 });
    expect((await engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
    expect((await storage.listAttempts(task.id, 'crashy')).map((a) => a.outcome)).toEqual(['interrupted', 'success']);
  });
});
