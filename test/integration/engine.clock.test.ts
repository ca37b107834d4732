/**
 * The engine's timers run on its injected clock: lease renewal and the loop's polling move with
 * ManualClock.advance, not with real time (the attempt timeout: engine.retries.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepContext } from '../../core/model/handlers.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('engine timers on the injected clock', () => {
  it('renews the lease of a running attempt as clock time passes, so it never looks dead', async () => {
    let release!: () => void;
    h = await harness({
      templates: [workflow('long', [step('work')])],
      handlers: { work: (_ctx: StepContext) => new Promise<string>((resolve) => (release = () => resolve('done'))) },
      engine: { leaseMs: 300_000 },
    });
    const task = await h.engine.start('long', {});
    const run = h.engine.runUntilIdle({ taskId: task.id });
    await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'work'))!.state).toBe('running'));
    for (let i = 0; i < 10; i++) {
      h.clock.advance(100_000);
      const now = h.clock.now();
      await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'work'))!.leaseExpiresAt).toBeGreaterThan(now));
    }
    expect(await h.storage.expiredLeases(h.clock.now())).toEqual([]);
    release();
    expect((await run).task?.status).toBe('complete');
  });

  it('polls on the clock: a retry becomes due and runs when clock time passes, not real time', async () => {
    let calls = 0;
    h = await harness({
      templates: [workflow('flaky', [step('once_more', { retry: { maxAttempts: 2, backoff: 'fixed', backoffBaseMs: 5000 } })])],
      handlers: {
        once_more: () => {
          calls += 1;
          if (calls === 1) throw new Error('first time fails');
          return 'ok';
        },
      },
    });
    // Real time would not poll within the test: only the clock can make the loop look.
    h.engine.startLoop({ pollMs: 600_000 });
    const task = await h.engine.start('flaky', {});
    await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'once_more'))!.state).toBe('waiting_for_retry'));
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
    h.clock.advance(600_000);
    await vi.waitFor(async () => expect((await h!.storage.getTask(task.id))!.status).toBe('complete'));
    expect(calls).toBe(2);
    await h.engine.stop();
  });

  it('refuses a poll interval outside 10 ms to 10 minutes', async () => {
    h = await harness({ templates: [workflow('w', [step('a')])], handlers: { a: () => 1 } });
    expect(() => h!.engine.startLoop({ pollMs: 5 })).toThrow(/pollMs must be a number of milliseconds from 10 to 600000/);
    expect(() => h!.engine.startLoop({ pollMs: 3_600_000 })).toThrow(/from 10 to 600000/);
    expect(() => h!.engine.startLoop({ pollMs: Number.NaN })).toThrow(/USAGE|pollMs/);
  });
});
