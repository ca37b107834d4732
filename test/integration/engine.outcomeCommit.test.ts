/**
 * Outcome commits are not thrown away: a handler's outcome whose commit fails because the
 * database is busy or full is kept in memory and committed again with backoff (on the engine's
 * clock) until it is stored. The step is never relabelled interrupted and its handler never runs
 * again while the engine lives, even when the trouble outlasts the lease.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap } from '../../core/template/registry.js';
import { FailingStorage, isOutcome } from '../fixtures/storage/failingStorage.js';
import { step, workflow } from '../fixtures/engine/harness.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function setUp(calls: { n: number }, leaseMs = 30_000) {
  const storage = new FailingStorage();
  const clock = new ManualClock();
  const errors: string[] = [];
  engine = createEngine({
    storage,
    clock,
    executor: 'inline',
    leaseMs,
    templates: createTemplateRegistry([workflow('charge', [step('pay'), step('receipt', { dependsOn: ['pay'] })])]),
    handlers: createHandlerRegistry(
      handlerMap({
        pay: () => {
          calls.n += 1;
          return { paid: calls.n };
        },
        receipt: () => 'sent',
      }),
    ),
    onError: (err, where) => errors.push(`${where}: ${(err as Error).message}`),
  });
  return { storage, clock, engine, errors };
}

/** Advance the clock in small steps (so backoff timers fire) until `done` holds. */
async function advanceUntil(clock: ManualClock, done: () => Promise<boolean>, stepMs = 1000, maxSteps = 200): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (await done()) return;
    clock.advance(stepMs);
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}

describe('outcome commits under storage trouble', () => {
  it.each(['SQLITE_BUSY', 'SQLITE_FULL'] as const)('keeps a success whose commit fails with %s and stores it once the database takes it', async (code) => {
    const calls = { n: 0 };
    const { storage, clock, engine } = setUp(calls);
    storage.failCommits(code, 3, isOutcome);
    const task = await engine.start('charge', {});
    const run = engine.runUntilIdle({ taskId: task.id });
    await advanceUntil(clock, async () => storage.refused.length >= 3 && (await storage.getStep(task.id, 'pay'))!.state === 'complete');
    expect((await run).task?.status).toBe('complete');
    expect(calls.n).toBe(1);
    expect((await storage.getStep(task.id, 'pay'))!.results).toEqual({ paid: 1 });
    expect((await storage.listAttempts(task.id, 'pay')).map((a) => a.outcome)).toEqual(['success']);
  });

  it('never runs the handler again while the engine lives, even when the trouble outlasts the lease', async () => {
    const calls = { n: 0 };
    const { storage, clock, engine } = setUp(calls, 3000);
    // The disk fills up as the handler finishes: its outcome and every lease renewal are refused.
    const renewal = (c: ChangeSet) => (c.updateSteps ?? []).some((p) => p.set.leaseExpiresAt !== undefined && p.set.state === undefined);
    const task = await engine.start('charge', {});
    storage.failCommits('SQLITE_FULL', Infinity, (c) => isOutcome(c) || renewal(c));
    const run = engine.runUntilIdle({ taskId: task.id });
    await vi.waitFor(() => expect(storage.refused.length).toBeGreaterThan(0));
    // Ten leases long: the lease has expired in storage, scheduling rounds run meanwhile.
    for (let i = 0; i < 30; i++) {
      clock.advance(1000);
      await engine.tick();
    }
    const pay = (await storage.getStep(task.id, 'pay'))!;
    expect(pay).toMatchObject({ state: 'running', attempts: 1 });
    expect(pay.leaseExpiresAt!).toBeLessThan(clock.now());
    storage.heal();
    await advanceUntil(clock, async () => (await storage.getTask(task.id))!.status === 'complete');
    expect((await run).task?.status).toBe('complete');
    expect(calls.n).toBe(1);
    expect((await storage.listAttempts(task.id, 'pay')).map((a) => a.outcome)).toEqual(['success']);
    const transitions = await storage.listTransitions(task.id, { stepName: 'pay' });
    expect(transitions.map((t) => t.to)).toEqual(['ready', 'running', 'complete']);
  });
});
