/**
 * Cancelling a flow while its action runs: the handler's `ctx.signal` aborts with the reason
 * (also when the handler first reads the signal after the cancel), and the attempt is recorded
 * `cancelled` even when the handler never looked at the signal.
 */
import { describe, expect, it } from 'vitest';
import type { FlowContext } from '../../core/model/handlers.js';
import { flowEnv } from '../fixtures/flows/harness.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result } from '../../core/template/flowBuilders.js';

/** A flow whose only action runs `before`, waits until `release` is called, then runs `after`. */
function blockingFlow(name: string, after: (ctx: FlowContext) => void, before: (ctx: FlowContext) => void = () => undefined) {
  let release!: () => void;
  let entered!: () => void;
  const running = new Promise<void>((r) => (entered = r));
  const flow = defineFlow({
    name,
    namespace: 'test',
    startsWith: 'work',
    states: {
      work: action(
        async (ctx) => {
          before(ctx);
          entered();
          await new Promise<void>((r) => (release = r));
          after(ctx);
        },
        { goTo: 'done' },
      ),
      done: result(),
    },
  });
  return { flow, running, release: () => release() };
}

async function cancelWhileRunning(b: ReturnType<typeof blockingFlow>) {
  const env = await flowEnv([b.flow]);
  const task = await env.driver.create(b.flow, {});
  const run = env.driver.advance(task.id);
  await b.running;
  const cancelled = env.driver.cancel(task.id, 'user gave up');
  b.release();
  await run;
  await cancelled;
  return { env, id: task.id };
}

describe('cancelling a running flow action', () => {
  it('aborts a signal the handler holds, with the reason', async () => {
    let held: AbortSignal | null = null;
    let events = 0;
    const b = blockingFlow(
      'cancel_held',
      () => undefined,
      (ctx) => {
        held = ctx.signal;
        ctx.signal.addEventListener('abort', () => events++);
      },
    );
    const { env, id } = await cancelWhileRunning(b);
    expect(held!.aborted).toBe(true);
    expect(held!.reason).toMatchObject({ code: 'CANCELLED' });
    expect(events).toBe(1);
    expect((await env.storage.getTask(id))!.status).toBe('cancelled');
  });

  it('records the attempt cancelled when the handler never read the signal, and never moves on', async () => {
    const b = blockingFlow('cancel_unread', () => undefined);
    const { env, id } = await cancelWhileRunning(b);
    const attempts = await env.storage.listAttempts(id, 'work');
    expect(attempts.map((a) => a.outcome)).toEqual(['cancelled']);
    expect(attempts[0]!.error).toMatchObject({ code: 'CANCELLED' });
    const task = (await env.storage.getTask(id))!;
    expect(task.status).toBe('cancelled');
    expect(task.currentState).toBe('work');
  });

  it('a signal first read after the cancel is already aborted', async () => {
    let listenerCalls = 0;
    let aborted: boolean | null = null;
    const b = blockingFlow('cancel_late_read', (ctx) => {
      aborted = ctx.signal.aborted;
      ctx.signal.addEventListener('abort', () => listenerCalls++);
    });
    await cancelWhileRunning(b);
    expect(aborted).toBe(true);
    // Already aborted when handed out: no abort event fires later.
    expect(listenerCalls).toBe(0);
  });
});
