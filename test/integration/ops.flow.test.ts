/** Flow operations and the debugger on flows: interactions in valid and invalid states, retryState, goTo, updateData, skipWait, breakpoints, step. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowContext } from '../../core/model/handlers.js';
import type { FlowTemplate } from '../../core/model/template.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { registrationHandlers } from '../fixtures/flows/registration.js';
import { applyChecked, opsHarness, refusal, snapshot, type OpsHarness } from '../fixtures/ops/opsHarness.js';

let h: OpsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const registration = loadFlowFixture('registration.yaml');

const job: FlowTemplate = {
  kind: 'flow',
  namespace: 'test',
  name: 'job',
  version: '1.0.0',
  source: { kind: 'inline' },
  startsWith: 'work',
  delayMs: 60_000,
  states: [
    { type: 'action', name: 'work', handler: 'work', goTo: ['done'] },
    { type: 'result', name: 'done' },
  ],
  interactions: [],
};

/** A registration flow waiting in wait_for_email (no email given). */
async function waitingRegistration() {
  h = await opsHarness([registration], registrationHandlers);
  const task = await h.engine.start('accounts/registration', { user_id: 42 });
  await h.engine.runUntilIdle({ taskId: task.id });
  expect((await h.storage.getTask(task.id))!).toMatchObject({ status: 'waiting', currentState: 'wait_for_email' });
  return task.id;
}

describe('fireInteraction', () => {
  it('is refused outside its when states with the states it accepts, and nothing changes', async () => {
    h = await opsHarness([registration], registrationHandlers);
    const queued = await h.engine.flows.create(registration, { user_id: 1 }, { background: true });
    const before = await snapshot(h, queued.id);
    const req = { op: 'fireInteraction', taskId: queued.id, name: 'provide_email', params: { email: 'a@example.com' } } as const;
    const refused = await refusal(h.ops.preview(req));
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.details).toMatchObject({ state: 'has_email', accepted: ['wait_for_email'] });
    expect((await refusal(h.ops.apply(req, { expectedVersion: before.task.version, reason: 'x' }))).code).toBe('INVALID_STATE');
    expect(await snapshot(h, queued.id)).toEqual(before);
    expect(await h.storage.listTransitions(queued.id)).toHaveLength(2);
  });

  it('is accepted in its state: the interaction is recorded by the user with op.applied, and the flow then completes', async () => {
    const id = await waitingRegistration();
    const bad = await refusal(h!.ops.preview({ op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'nope' } }));
    expect(bad.code).toBe('INPUT_INVALID');
    const req = { op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'a@example.com' } } as const;
    const preview = await h!.ops.preview(req);
    expect(preview.changes).toEqual([{ kind: 'task', name: id, field: 'interaction', from: 'wait_for_email', to: 'provide_email' }]);
    const result = await h!.ops.apply(req, { expectedVersion: preview.version, reason: 'user called support' });
    expect(result.transitions[0]).toMatchObject({ field: 'data', actor: 'user', reason: 'interaction.fired', details: { interaction: 'provide_email' } });
    expect(result.events.map((e) => e.type)).toEqual(['op.applied']);
    expect(result.task.data).toMatchObject({ email: 'a@example.com' });
    // Due now, left to whoever drives the flow.
    expect(result.task).toMatchObject({ status: 'waiting', wakeAt: h!.clock.now() });
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!).toMatchObject({ status: 'complete', currentState: 'done', data: { welcomed: true } });
    const done = await refusal(h!.ops.preview(req));
    expect(done.message).toContain('(the flow is complete)');
  });
});

describe('retryState', () => {
  it('reruns the current state of a failed flow; refused on a flow that is not failed', async () => {
    let broken = true;
    h = await opsHarness([job], {
      work: (ctx: FlowContext<{ tries?: number }>) => {
        ctx.data.tries = (ctx.data.tries ?? 0) + 1;
        if (broken) throw new Error('disk full');
      },
    });
    const task = await h.engine.start('test/job', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    expect((await h.storage.getTask(task.id))!).toMatchObject({ status: 'error', currentState: 'work' });
    const { preview } = await applyChecked(h, { op: 'retryState', taskId: task.id });
    expect(preview.changes).toEqual([
      { kind: 'task', name: task.id, field: 'status', from: 'error', to: 'running' },
      { kind: 'task', name: task.id, field: 'error', from: expect.objectContaining({ message: 'disk full' }), to: null },
    ]);
    broken = false;
    await h.engine.runUntilIdle({ taskId: task.id });
    expect((await h.storage.getTask(task.id))!).toMatchObject({ status: 'complete', currentState: 'done' });
    const refused = await refusal(h.ops.preview({ op: 'retryState', taskId: task.id }));
    expect(refused.message).toBe(`retryState: task ${task.id} is complete; retryState accepts a task in: error. Nothing was changed.`);
  });
});

describe('goTo', () => {
  it('moves a waiting flow to a declared state and it runs on from there; undeclared states are refused', async () => {
    const id = await waitingRegistration();
    const unknown = await refusal(h!.ops.preview({ op: 'goTo', taskId: id, state: 'nowhere' }));
    expect(unknown.code).toBe('INVALID_STATE');
    expect(unknown.details.known).toEqual(['has_email', 'wait_for_email', 'send_welcome', 'done']);
    const { preview, result } = await applyChecked(h!, { op: 'goTo', taskId: id, state: 'send_welcome' });
    expect(preview.changes).toEqual(
      expect.arrayContaining([
        { kind: 'task', name: id, field: 'currentState', from: 'wait_for_email', to: 'send_welcome' },
        { kind: 'task', name: id, field: 'status', from: 'waiting', to: 'running' },
      ]),
    );
    expect(result.events.map((e) => e.type)).toContain('flow.transitioned');
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!).toMatchObject({ status: 'complete', data: { welcomed: true } });
  });
});

describe('updateData, wakeNow and skipWait', () => {
  it('validates data against the attributes schema; a wake made due now runs the wait check without the clock moving', async () => {
    const id = await waitingRegistration();
    const invalid = await refusal(h!.ops.preview({ op: 'updateData', taskId: id, data: { user_id: 'forty-two' } }));
    expect(invalid.code).toBe('INPUT_INVALID');
    const { preview } = await applyChecked(h!, { op: 'updateData', taskId: id, data: { user_id: 42, email: 'b@example.com' } });
    expect(preview.changes).toEqual([{ kind: 'task', name: id, field: 'data', from: { user_id: 42 }, to: { user_id: 42, email: 'b@example.com' } }]);
    // Still asleep until its wake time.
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!.status).toBe('waiting');
    const { result } = await applyChecked(h!, { op: 'skipWait', taskId: id });
    expect(result.transitions).toEqual([expect.objectContaining({ field: 'schedule', to: new Date(h!.clock.now()).toISOString(), actor: 'user' })]);
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!).toMatchObject({ status: 'complete', data: { email: 'b@example.com', welcomed: true } });
    expect((await refusal(h!.ops.preview({ op: 'wakeNow', taskId: id }))).details).toMatchObject({ found: 'complete', accepts: ['waiting'] });
  });

  it('wakeNow and skipWait of the timeout', async () => {
    const id = await waitingRegistration();
    const { preview } = await applyChecked(h!, { op: 'skipWait', taskId: id, step: 'timeout' });
    expect(preview.changes).toEqual([{ kind: 'task', name: id, field: 'timeoutAt', from: h!.clock.now() + 3_600_000, to: h!.clock.now() }]);
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!).toMatchObject({ status: 'error', error: { code: 'TIMEOUT' } });
  });
});

describe('the debugger on flows', () => {
  it('a breakpoint on a state pauses the flow when it enters it; step runs one transition; continue finishes it', async () => {
    const id = await waitingRegistration();
    await applyChecked(h!, { op: 'setBreakpoints', taskId: id, names: ['send_welcome'] });
    await h!.ops.apply({ op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'c@example.com' } }, { expectedVersion: (await h!.storage.getTask(id))!.version, reason: 'test' });
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!).toMatchObject({ status: 'paused', currentState: 'send_welcome', debug: { paused: true, pauseReason: 'breakpoint:send_welcome', resumeStatus: 'running' } });
    const stepped = await h!.dbg.step(id);
    expect(stepped.ran).toBe('send_welcome');
    expect(stepped.transitions.filter((t) => t.field === 'state').map((t) => [t.from, t.to])).toEqual([['send_welcome', 'done']]);
    expect(stepped.task.status).toBe('complete');
  });

  it('pause and continue are recorded; a paused flow takes interactions but does not run', async () => {
    const id = await waitingRegistration();
    await applyChecked(h!, { op: 'pause', taskId: id });
    // `paused` is the stored status, recorded like any status change; it returns to waiting.
    expect((await h!.storage.getTask(id))!).toMatchObject({ status: 'paused', debug: { paused: true, pauseReason: 'user', resumeStatus: 'waiting' } });
    expect((await h!.storage.listTransitions(id)).at(-1)).toMatchObject({ field: 'status', from: 'waiting', to: 'paused', reason: 'test pause', actor: 'user' });
    expect((await h!.storage.listTasks({ status: 'paused' })).tasks.map((t) => t.id)).toEqual([id]);
    const again = await refusal(h!.ops.preview({ op: 'pause', taskId: id }));
    expect(again.code).toBe('INVALID_STATE');
    const t = (await h!.storage.getTask(id))!;
    await h!.ops.apply({ op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'd@example.com' } }, { expectedVersion: t.version, reason: 'test' });
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!).toMatchObject({ status: 'paused', currentState: 'wait_for_email' });
    const resumed = await applyChecked(h!, { op: 'continue', taskId: id });
    expect(resumed.result.task).toMatchObject({ status: 'waiting', debug: { paused: false } });
    expect(resumed.result.task.debug).not.toHaveProperty('resumeStatus');
    expect((await h!.storage.listTransitions(id)).at(-1)).toMatchObject({ field: 'status', from: 'paused', to: 'waiting', reason: 'test continue' });
    await h!.engine.runUntilIdle({ taskId: id });
    expect((await h!.storage.getTask(id))!.status).toBe('complete');
  });

  it('cancelTask on a flow', async () => {
    const id = await waitingRegistration();
    const { preview } = await applyChecked(h!, { op: 'cancelTask', taskId: id });
    expect(preview.changes).toContainEqual({ kind: 'task', name: id, field: 'status', from: 'waiting', to: 'cancelled' });
  });
});
