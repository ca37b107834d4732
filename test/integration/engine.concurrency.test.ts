import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepContext } from '../../core/model/handlers.js';
import { harness, states, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A gate handlers wait on until the test opens it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('concurrency keys', () => {
  it('holds the 11th step with the same key while 10 run, and runs it once one finishes', async () => {
    const g = gate();
    let running = 0;
    let maxRunning = 0;
    const started: string[] = [];
    h = await harness({
      executor: 'pool',
      concurrency: 20,
      templates: [workflow('charge', [step('call', { concurrency: { key: 'customer:{{ input.customer_id }}', limit: 10 } })])],
      handlers: {
        call: async (ctx: StepContext) => {
          started.push(ctx.taskId);
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await g.opened;
          running -= 1;
          return 'charged';
        },
      },
    });
    const tasks = [];
    for (let i = 0; i < 11; i++) tasks.push(await h.engine.start('charge', { customer_id: 42 }));
    const other = await h.engine.start('charge', { customer_id: 7 });
    const done = h.engine.runUntilIdle();
    await vi.waitFor(() => expect(started).toHaveLength(11), { timeout: 5000 });
    // 10 of customer 42 and the one of customer 7 run; one of customer 42 waits, ready.
    expect(started).toContain(other.id);
    await h.engine.tick();
    const steps = await Promise.all(tasks.map((t) => h!.storage.getStep(t.id, 'call')));
    expect(steps.filter((s) => s!.state === 'running')).toHaveLength(10);
    const held = steps.filter((s) => s!.state === 'ready');
    expect(held).toHaveLength(1);
    expect(held[0]!.attempts).toBe(0);
    expect(held[0]!.concurrencyKey).toBe('customer:42');
    expect(await h.storage.countRunningWithConcurrencyKey('customer:42')).toBe(10);
    g.open();
    await done;
    for (const t of [...tasks, other]) expect((await h.storage.getTask(t.id))!.status).toBe('complete');
    expect(maxRunning).toBe(11);
    expect(started).toHaveLength(12);
  });
});

describe('cancellation', () => {
  it('aborts a running step through its signal, cancels the rest, and never retries', async () => {
    let aborted = false;
    let calls = 0;
    h = await harness({
      templates: [
        workflow('long', [
          step('download', { retry: { maxAttempts: 5, backoff: 'none' } }),
          step('process', { dependsOn: ['download'] }),
          step('later', { type: 'wait', handler: null, wait: { timeoutMs: 1000 } }),
        ]),
      ],
      handlers: {
        download: (ctx: StepContext) => {
          calls += 1;
          return new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          );
        },
        process: () => 'never',
      },
    });
    const task = await h.engine.start('long', {});
    const done = h.engine.runUntilIdle({ taskId: task.id });
    await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'download'))!.state).toBe('running'));
    const cancelled = await h.engine.cancelTask(task.id, 'customer changed their mind');
    await done;
    expect(aborted).toBe(true);
    expect(cancelled.status).toBe('cancelled');
    expect(await states(h.storage, task.id)).toEqual({ download: 'cancelled', process: 'cancelled', later: 'cancelled' });
    const [attempt] = await h.storage.listAttempts(task.id, 'download');
    expect(attempt).toMatchObject({ outcome: 'cancelled', error: { code: 'CANCELLED' } });
    h.clock.advance(60_000);
    await h.engine.runUntilIdle();
    expect(calls).toBe(1);
    expect((await h.storage.getTask(task.id))!.status).toBe('cancelled');
    const reasons = (await h.storage.listTransitions(task.id)).filter((t) => t.to === 'cancelled').map((t) => [t.stepName, t.actor, t.reason]);
    expect(reasons).toContainEqual([null, 'user', 'customer changed their mind']);
    await expect(h.engine.cancelTask(task.id)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('refuses to cancel a completed task', async () => {
    h = await harness({ templates: [workflow('quick', [step('a')])], handlers: { a: () => 1 } });
    const task = await h.engine.start('quick', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    await expect(h.engine.cancelTask(task.id)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
