import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../core/engine/engine.js';
import type { HandlerFn } from '../../core/model/template.js';
import type { ExecutorKind } from '../../core/model/workspace.js';
import { testStorage } from '../fixtures/storage/testStorage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import * as methods from '../fixtures/engine/handlers/methods.js';

// tasker-core's handler.method end to end: the engine calls the named method of an object or
// class handler (a new instance per call) in every executor, and a template's inline handler
// is never sent to a worker thread (the worker could only load the module's handler of that name).
const file = fileURLToPath(new URL('../fixtures/engine/handlers/methods.ts', import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function withMethod(s: ReturnType<typeof step>, method: string): ReturnType<typeof step> {
  return { ...s, handler: { ...s.handler!, method } };
}

async function run(executor: ExecutorKind) {
  const storage = await testStorage();
  const handlers = new Map(
    Object.entries({ Payment: methods.Payment, mailer: methods.mailer, shadowed: methods.shadowed }).map(([name, fn]) => [name, { name, fn: fn as unknown as HandlerFn, file }]),
  );
  const template = workflow(
    'payments',
    [
      withMethod(step('validate', { handler: 'Payment', retry: { maxAttempts: 1 } }), 'validate'),
      withMethod(step('charge', { handler: 'Payment', dependsOn: ['validate'], initialization: { gateway: 'sandbox' }, retry: { maxAttempts: 1 } }), 'charge'),
      withMethod(step('charge_again', { handler: 'Payment', dependsOn: ['validate'], initialization: { gateway: 'live' }, retry: { maxAttempts: 1 } }), 'charge'),
      step('receipt', { handler: 'mailer', dependsOn: ['charge'], retry: { maxAttempts: 1 } }),
      withMethod(step('remind', { handler: 'mailer', dependsOn: ['charge'], retry: { maxAttempts: 1 } }), 'remind'),
      step('shadow', { handler: 'shadowed', retry: { maxAttempts: 1 } }),
      withMethod(step('missing', { handler: 'Payment', dependsOn: ['charge'], retry: { maxAttempts: 1 } }), 'refund'),
    ],
    { inlineHandlers: { shadowed: () => ({ from: 'inline' }) } },
  );
  const engine = createEngine({ storage, executor, concurrency: 2, templates: createTemplateRegistry([template]), handlers: createHandlerRegistry(handlers) });
  cleanups.push(() => engine.close());
  const task = await engine.start('payments', { amount: 10, email: 'a@example.com' });
  await engine.runUntilIdle({ taskId: task.id });
  const results = async (name: string) => (await storage.getStep(task.id, name))!;
  return { results };
}

describe.each(['inline', 'pool', 'threads'] as const)('handler.method with the %s executor', (executor) => {
  it('calls the named method of a class (a new instance per call) or an object, `call` by default', async () => {
    const { results } = await run(executor);
    const validate = await results('validate');
    expect(validate.results).toMatchObject({ valid: true, calls: 1 });
    expect(await results('charge')).toMatchObject({ state: 'complete', results: { charged: 'sandbox', calls: 1 } });
    expect(await results('charge_again')).toMatchObject({ state: 'complete', results: { charged: 'live', calls: 1 } });
    expect((await results('receipt')).results).toMatchObject({ sent: 'Receipt to a@example.com' });
    expect((await results('remind')).results).toEqual({ reminded: 'Receipt reminder to a@example.com' });
    const thread = (validate.results as { threadId: number }).threadId;
    if (executor === 'threads') expect(thread).not.toBe(threadId);
    else expect(thread).toBe(threadId);
  });

  it("runs a template's inline handler, not the module's handler of the same name", async () => {
    const { results } = await run(executor);
    expect((await results('shadow')).results).toEqual({ from: 'inline' });
  });

  it('fails a step whose method the handler does not have, without retrying it', async () => {
    const { results } = await run(executor);
    const missing = await results('missing');
    expect(missing).toMatchObject({ state: 'error', attempts: 1 });
    expect(missing.error).toMatchObject({ code: 'HANDLER_NOT_FOUND' });
    expect(missing.error?.message).toMatch(/Handler 'Payment' of step 'missing' is not registered or has no method 'refund'/);
  });
});
