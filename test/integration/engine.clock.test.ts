/**
 * The engine's timers run on its injected clock: lease renewal and the loop's polling move with
 * ManualClock.advance, not with real time (the attempt timeout: engine.retries.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepContext } from '../../core/model/handlers.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
// What these tests wait for is clock time; the real time a poll round takes (a PostgreSQL round
// trip on a loaded machine can pass vi.waitFor's 1 s default) is not what they measure.
const settles = { timeout: 15_000, interval: 20 };
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
    await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'work'))!.state).toBe('running'), settles);
    for (let i = 0; i < 10; i++) {
      h.clock.advance(100_000);
      const now = h.clock.now();
      await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'work'))!.leaseExpiresAt).toBeGreaterThan(now), settles);
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
    await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'once_more'))!.state).toBe('waiting_for_retry'), settles);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
    h.clock.advance(600_000);
    await vi.waitFor(async () => expect((await h!.storage.getTask(task.id))!.status).toBe('complete'), settles);
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
