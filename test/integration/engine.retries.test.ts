import { afterEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryableError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import { harness, states, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('retries, errors and timeouts', () => {
  it('retries with exponential backoff measured on the injected clock and succeeds on the 3rd attempt', async () => {
    let calls = 0;
    h = await harness({
      templates: [
        workflow('flaky', [
          step('charge', { retry: { maxAttempts: 3, backoff: 'exponential', backoffBaseMs: 1000, maxBackoffMs: 30_000 } }),
        ]),
      ],
      handlers: {
        charge: (ctx: StepContext) => {
          calls += 1;
          ctx.log.info(`attempt ${ctx.step.attempt} of ${ctx.step.maxAttempts}`);
          if (calls < 3) throw new Error(`gateway down (${calls})`);
          return { charged: true };
        },
      },
    });
    const t0 = h.clock.now();
    const task = await h.engine.start('flaky', {});
    let run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('waiting');
    let charge = (await h.storage.getStep(task.id, 'charge'))!;
    expect(charge.state).toBe('waiting_for_retry');
    expect(charge.retryAt).toBe(t0 + 1000);
    expect(charge.error?.message).toBe('gateway down (1)');

    h.clock.advance(999);
    run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(calls).toBe(1);
    h.clock.advance(1);
    run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(calls).toBe(2);
    charge = (await h.storage.getStep(task.id, 'charge'))!;
    expect(charge.retryAt).toBe(t0 + 1000 + 2000);

    h.clock.advance(2000);
    run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(calls).toBe(3);

    const scheduled = h.events.filter((e) => e.type === 'step.retry_scheduled');
    expect(scheduled.map((e) => (e.payload as { delayMs: number }).delayMs)).toEqual([1000, 2000]);
    const attempts = await h.storage.listAttempts(task.id, 'charge');
    expect(attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'success']);
    expect(attempts[0]!.error?.message).toBe('gateway down (1)');
    expect(attempts[0]!.error?.stack).toContain('gateway down');
    expect(attempts[2]!.output).toEqual({ charged: true });
    expect(attempts[1]!.logs.map((l) => l.message)).toEqual(['attempt 2 of 3']);
  });

  it('lets RetryableError.retryAfterMs win over the policy, capped by max_backoff_ms', async () => {
    let calls = 0;
    h = await harness({
      templates: [workflow('server_delay', [step('call', { retry: { maxAttempts: 3, backoffBaseMs: 10, maxBackoffMs: 30_000 } })])],
      handlers: {
        call: () => {
          calls += 1;
          if (calls === 1) throw new RetryableError('rate limited', { retryAfterMs: 5000 });
          if (calls === 2) throw new RetryableError('rate limited harder', { retryAfterMs: 90_000 });
          return 'ok';
        },
      },
    });
    const task = await h.engine.start('server_delay', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    h.clock.advance(5000);
    await h.engine.runUntilIdle({ taskId: task.id });
    h.clock.advance(30_000);
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    const delays = h.events.filter((e) => e.type === 'step.retry_scheduled').map((e) => (e.payload as { delayMs: number }).delayMs);
    expect(delays).toEqual([5000, 30_000]);
  });

  it('exhausted retries put the step and the task in error, after independent branches finish', async () => {
    h = await harness({
      templates: [
        workflow('partial', [
          step('flaky', { retry: { maxAttempts: 2, backoff: 'none' } }),
          step('after_flaky', { dependsOn: ['flaky'] }),
          step('other'),
          step('other_next', { dependsOn: ['other'] }),
        ]),
      ],
      handlers: {
        flaky: () => {
          throw new Error('always broken');
        },
        after_flaky: () => 'never',
        other: () => 1,
        other_next: () => 2,
      },
    });
    const task = await h.engine.start('partial', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');
    expect(run.task?.error?.message).toBe('always broken');
    expect(run.task?.error?.details).toMatchObject({ step: 'flaky' });
    expect(await states(h.storage, task.id)).toEqual({ flaky: 'error', after_flaky: 'pending', other: 'complete', other_next: 'complete' });
    expect((await h.storage.listAttempts(task.id, 'flaky')).map((a) => a.outcome)).toEqual(['error', 'error']);
    expect(h.events.some((e) => e.type === 'task.failed' && e.taskId === task.id)).toBe(true);
  });

  it('does not retry a PermanentError or an error marked retryable: false', async () => {
    h = await harness({
      templates: [workflow('permanent', [step('card'), step('address')])],
      handlers: {
        card: () => {
          throw new PermanentError('card declined');
        },
        address: () => {
          throw Object.assign(new Error('no such street'), { retryable: false });
        },
      },
    });
    const task = await h.engine.start('permanent', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');
    for (const name of ['card', 'address']) {
      const s = (await h.storage.getStep(task.id, name))!;
      expect(s.state).toBe('error');
      expect(s.attempts).toBe(1);
    }
    expect((await h.storage.getStep(task.id, 'card'))!.error).toMatchObject({ class: 'PermanentError', code: 'PERMANENT', message: 'card declined' });
    expect(h.events.filter((e) => e.type === 'step.retry_scheduled')).toHaveLength(0);
  });

  it('aborts an attempt that exceeds timeout_seconds (measured on the injected clock) and records it as a timeout', async () => {
    let sawAbort = false;
    h = await harness({
      templates: [workflow('slow', [step('hang', { timeoutMs: 50, retry: { maxAttempts: 1 } })])],
      handlers: {
        hang: (ctx: StepContext) =>
          new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => {
              sawAbort = true;
              reject(ctx.signal.reason);
            });
          }),
      },
    });
    const task = await h.engine.start('slow', {});
    const running = h.engine.runUntilIdle({ taskId: task.id });
    await vi.waitFor(async () => expect((await h!.storage.getStep(task.id, 'hang'))!.state).toBe('running'));
    h.clock.advance(49);
    await new Promise((r) => setTimeout(r, 20));
    expect(sawAbort).toBe(false);
    h.clock.advance(1);
    const run = await running;
    expect(sawAbort).toBe(true);
    expect(run.task?.status).toBe('error');
    const s = (await h.storage.getStep(task.id, 'hang'))!;
    expect(s.error).toMatchObject({ code: 'TIMEOUT' });
    const [attempt] = await h.storage.listAttempts(task.id, 'hang');
    expect(attempt!.outcome).toBe('timeout');
  });

  it('fails a step whose handler returns something that is not JSON, without retrying', async () => {
    h = await harness({
      templates: [workflow('bad_return', [step('weird')])],
      handlers: { weird: () => ({ when: 1n }) },
    });
    const task = await h.engine.start('bad_return', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');
    const s = (await h.storage.getStep(task.id, 'weird'))!;
    expect(s.attempts).toBe(1);
    expect(s.error?.message).toMatch(/not JSON \(the return value\.when is a bigint\)/);
  });

  it('fails a step whose handler is not registered', async () => {
    h = await harness({ templates: [workflow('missing', [step('ghost')])], handlers: {} });
    const task = await h.engine.start('missing', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');
    expect((await h.storage.getStep(task.id, 'ghost'))!.error).toMatchObject({ code: 'HANDLER_NOT_FOUND' });
  });

  it('turns progress calls into step.progress events', async () => {
    h = await harness({
      templates: [workflow('progress', [step('work')])],
      handlers: {
        work: async (ctx: StepContext) => {
          ctx.progress(0.5, 'half way');
          ctx.progress(0.6, 'throttled: same instant');
          ctx.progress(1, 'done');
          return null;
        },
      },
    });
    const task = await h.engine.start('progress', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    const progress = h.events.filter((e) => e.type === 'step.progress').map((e) => e.payload);
    expect(progress).toEqual([
      { fraction: 0.5, message: 'half way' },
      { fraction: 1, message: 'done' },
    ]);
  });
});

describe('task creation', () => {
  it('refuses a bad input listing every violation, with nothing stored', async () => {
    h = await harness({
      templates: [
        workflow('typed', [step('a')], {
          inputSchema: {
            type: 'object',
            required: ['order_id', 'email'],
            properties: { order_id: { type: 'integer' }, email: { type: 'string', format: 'email' } },
          },
        }),
      ],
      handlers: { a: () => null },
    });
    const refused = await h.engine.start('typed', { order_id: 'x' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'INPUT_INVALID' });
    expect((refused as Error).message).toContain('/order_id must be integer');
    expect((refused as Error).message).toContain('/email is required');
    expect((refused as { details: { violations: unknown[] } }).details.violations).toHaveLength(2);
    expect((await h.storage.listTasks()).total).toBe(0);
    expect(await h.storage.lastEventSeq()).toBe(0);
    const ok = await h.engine.start('typed', { order_id: 7, email: 'a@b.co' });
    expect(ok.input).toEqual({ order_id: 7, email: 'a@b.co' });
  });

  it('returns the existing task for a repeated idempotency key', async () => {
    h = await harness({ templates: [workflow('once', [step('a')])], handlers: { a: () => null } });
    const first = await h.engine.start('once', {}, { idempotencyKey: 'order-7' });
    const second = await h.engine.start('once', {}, { idempotencyKey: 'order-7' });
    expect(second.id).toBe(first.id);
    expect((await h.storage.listTasks()).total).toBe(1);
  });
});
