/**
 * Failures are always recordable (issue 11 item 5): whatever a handler throws is stored as plain,
 * bounded JSON at once, and a failure (or result) the storage refuses still ends the attempt,
 * with a smaller error saying what happened, instead of leaving the step running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../core/engine/engine.js';
import { ManualClock } from '../../core/model/clock.js';
import { PermanentError } from '../../core/model/errors.js';
import type { HandlerFn } from '../../core/model/template.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap } from '../../core/template/registry.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result } from '../../core/template/flowBuilders.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';
import { RecordingStorage } from '../fixtures/storage/recordingStorage.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('hostile errors thrown by handlers', () => {
  it('ends the attempt at once with the message shown and the details stored as bounded JSON', async () => {
    h = await harness({
      templates: [workflow('cyclic', [step('charge', { retry: { maxAttempts: 1 } })])],
      handlers: {
        charge: () => {
          const details: Record<string, unknown> = { amount: 12n, card: { last4: '4242' } };
          details.self = details;
          throw Object.assign(new Error('card declined'), { details });
        },
      },
    });
    const task = await h.engine.start('cyclic');
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');
    const charge = (await h.storage.getStep(task.id, 'charge'))!;
    expect(charge).toMatchObject({ state: 'error', attempts: 1, error: { message: 'card declined', details: { amount: '[BigInt 12]', card: { last4: '4242' }, self: '[Circular → details]' } } });
    const [attempt] = await h.storage.listAttempts(task.id, 'charge');
    expect(attempt!.outcome).toBe('error');
    expect(attempt!.error?.dropped).toEqual(['details.amount: BigInt stored as a string', 'details.self: circular reference to details']);
  });

  it('retries a retryable hostile error like any other, then stores it', async () => {
    let calls = 0;
    h = await harness({
      templates: [workflow('flaky', [step('call', { retry: { maxAttempts: 2, backoffBaseMs: 1 } })])],
      handlers: {
        call: () => {
          calls += 1;
          const cause: Record<string, unknown> = {};
          cause.cause = cause;
          throw new Error(`attempt ${calls}`, { cause });
        },
      },
    });
    const task = await h.engine.start('flaky');
    await h.engine.runUntilIdle({ taskId: task.id });
    h.clock.advance(10);
    await h.engine.runUntilIdle({ taskId: task.id });
    const call = (await h.storage.getStep(task.id, 'call'))!;
    expect(call).toMatchObject({ state: 'error', attempts: 2, error: { message: 'attempt 2', cause: { class: 'NonError' } } });
  });
});

/** Memory storage that refuses (as a size limit would) commits carrying certain content. */
class PickyStorage extends RecordingStorage {
  constructor(private readonly refuse: (changes: ChangeSet) => boolean) {
    super();
    this.before = async (changes) => {
      if (this.refuse(changes)) throw new TypeError('the record is too large to store');
    };
  }
}

async function engineOver(storage: PickyStorage, handlers: Record<string, HandlerFn>) {
  const engine = createEngine({
    storage,
    clock: new ManualClock(),
    executor: 'inline',
    templates: createTemplateRegistry([workflow('picky', [step('work', { retry: { maxAttempts: 3 } })])]),
    handlers: createHandlerRegistry(new Map(Object.entries(handlers).map(([name, fn]) => [name, { name, fn, file: '' }]))),
    onError: (err) => {
      throw err;
    },
  });
  const task = await engine.start('picky');
  await engine.runUntilIdle({ taskId: task.id });
  await engine.close();
  return { step: (await storage.getStep(task.id, 'work'))!, attempts: await storage.listAttempts(task.id, 'work') };
}

describe('a failure or result the storage refuses', () => {
  it('still ends the attempt, with a fallback error that keeps the message', async () => {
    const storage = new PickyStorage((c) => (c.updateAttempts ?? []).some((a) => a.set.error?.details !== undefined));
    const { step: work, attempts } = await engineOver(storage, {
      work: (ctx: { log: { info(m: string): void } }) => {
        ctx.log.info('about to fail');
        throw new PermanentError('huge failure', { blob: 'x'.repeat(100) });
      },
    });
    expect(work).toMatchObject({ state: 'error', attempts: 1, error: { class: 'PermanentError', code: 'FAILURE_NOT_STORED' } });
    expect(work.error?.message).toMatch(/^huge failure \(the full error could not be stored: the record is too large to store; its details, stack and logs were dropped\)$/);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'error', logs: [{ level: 'warn', message: 'logs dropped: the failure could not be stored with them' }] });
  });

  it('ends the attempt as a non-retryable failure when the result cannot be stored', async () => {
    const storage = new PickyStorage((c) => (c.updateSteps ?? []).some((s) => s.set.results !== undefined && s.set.results !== null));
    const { step: work, attempts } = await engineOver(storage, { work: () => ({ rows: 'y'.repeat(100) }) });
    expect(work).toMatchObject({ state: 'error', attempts: 1, results: null, error: { code: 'RESULT_NOT_STORED' } });
    expect(work.error?.message).toBe("Handler 'work' succeeded but its result could not be stored: the record is too large to store");
    expect(attempts.map((a) => a.outcome)).toEqual(['error']);
  });
});

describe('a flow action whose failure or result the storage refuses', () => {
  const flow = defineFlow({
    name: 'picky_flow',
    namespace: 'test',
    startsWith: 'work',
    states: { work: action('work', { goTo: 'done' }), done: result() },
  });

  async function flowOver(storage: PickyStorage, work: HandlerFn) {
    const engine = createEngine({
      storage,
      clock: new ManualClock(),
      executor: 'inline',
      templates: createTemplateRegistry([flow]),
      handlers: createHandlerRegistry(handlerMap({ work })),
      onError: (err) => {
        throw err;
      },
    });
    const task = await engine.start('test/picky_flow');
    await engine.runUntilIdle({ taskId: task.id });
    await engine.close();
    return { task: (await storage.getTask(task.id))!, attempts: await storage.listAttempts(task.id, 'work') };
  }

  it('fails the flow with the fallback error (the same ending as a workflow step)', async () => {
    const storage = new PickyStorage((c) => [...(c.insertAttempts ?? []), ...(c.updateAttempts ?? []).map((a) => a.set)].some((a) => a.error?.details !== undefined));
    const { task, attempts } = await flowOver(storage, (ctx) => {
      (ctx as { log: { info(m: string): void } }).log.info('about to fail');
      throw new PermanentError('huge failure', { blob: 'x'.repeat(100) });
    });
    expect(task).toMatchObject({ status: 'error', error: { class: 'PermanentError', code: 'FAILURE_NOT_STORED' } });
    expect(task.error?.message).toMatch(/^huge failure \(the full error could not be stored: the record is too large to store; its details, stack and logs were dropped\)$/);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'error', logs: [{ level: 'warn', message: 'logs dropped: the failure could not be stored with them' }] });
  });

  it('fails the flow with RESULT_NOT_STORED when the data the action left cannot be stored', async () => {
    const storage = new PickyStorage((c) => (c.updateTasks ?? []).some((t) => JSON.stringify(t.set.data ?? null).includes('yyyy')));
    const { task, attempts } = await flowOver(storage, (ctx) => {
      (ctx as { data: Record<string, unknown> }).data.rows = 'y'.repeat(100);
    });
    expect(task).toMatchObject({ status: 'error', currentState: 'work', error: { code: 'RESULT_NOT_STORED' } });
    expect(task.error?.message).toBe("Handler 'work' succeeded but its result could not be stored: the record is too large to store");
    expect(attempts.map((a) => a.outcome)).toEqual(['error']);
  });
});
