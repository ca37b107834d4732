/**
 * The flow driver's side of the debugger: a flow pauses when it enters a breakpoint state (or
 * stands at one set later), a paused flow runs nothing by itself but still takes interactions,
 * a user step runs exactly one transition, and a released breakpoint is passed once.
 */
import { describe, expect, it } from 'vitest';
import type { DebugSettings } from '../../core/model/runtime.js';
import type { FlowTestEnv } from '../../core/testing/index.js';
import { flowEnv } from '../fixtures/flows/harness.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { registrationHandlers } from '../fixtures/flows/registration.js';

const template = loadFlowFixture('registration.yaml');

async function setDebug(env: FlowTestEnv, taskId: string, debug: Partial<DebugSettings> & { released?: string[] }) {
  const task = (await env.storage.getTask(taskId))!;
  await env.storage.commit({ updateTasks: [{ id: taskId, expectedVersion: task.version, set: { debug: { ...task.debug, ...debug } } }] });
}

describe('flow breakpoints and pausing', () => {
  it('pauses when the flow enters a breakpoint state, in the same commit as the move', async () => {
    const env = await flowEnv([template], registrationHandlers);
    const created = await env.driver.create(template, { email: 'a@example.com' });
    await setDebug(env, created.id, { breakpoints: ['send_welcome'] });
    const task = await env.driver.advance(created.id);
    expect(task).toMatchObject({ status: 'paused', currentState: 'send_welcome', debug: { paused: true, pauseReason: 'breakpoint:send_welcome', resumeStatus: 'running' } });
    const rows = await env.storage.listTransitions(task.id);
    const move = rows.find((t) => t.to === 'send_welcome')!;
    const pause = rows.find((t) => t.field === 'status' && t.to === 'paused')!;
    expect(pause).toMatchObject({ from: 'running', to: 'paused', reason: 'breakpoint:send_welcome', at: move.at });
    expect((await env.storage.readEvents(0, 100, { taskId: task.id })).map((e) => e.type)).toContain('debug.paused');
    // Nothing runs by itself while paused.
    expect((await env.driver.advance(task.id)).currentState).toBe('send_welcome');
    expect(await env.storage.listAttempts(task.id, 'send_welcome')).toEqual([]);
  });

  it('a user step runs exactly one transition and stays paused; a released breakpoint runs once', async () => {
    const env = await flowEnv([template], registrationHandlers);
    const created = await env.driver.create(template, { email: 'a@example.com' }, { debug: true });
    expect(created.debug).toMatchObject({ paused: true, pauseReason: 'debug_start' });
    const one = await env.driver.runOnce(created.id, { actor: 'user' });
    expect(one).toMatchObject({ currentState: 'send_welcome', debug: { paused: true } });

    await setDebug(env, created.id, { paused: false, breakpoints: ['send_welcome'], released: ['send_welcome'] });
    const done = await env.driver.advance(created.id);
    expect(done).toMatchObject({ status: 'complete', currentState: 'done' });
    expect((done.debug as DebugSettings & { released?: string[] }).released).toEqual([]);
  });

  it('pauses an active flow standing at a breakpoint set after it entered the state', async () => {
    const env = await flowEnv([template], registrationHandlers);
    const created = await env.driver.create(template, {});
    await setDebug(env, created.id, { breakpoints: ['has_email'] });
    const task = await env.driver.advance(created.id);
    expect(task).toMatchObject({ status: 'paused', currentState: 'has_email', debug: { paused: true, pauseReason: 'breakpoint:has_email', resumeStatus: 'running' } });
  });

  it('a paused waiting flow accepts an interaction but is not woken by it or by the runner', async () => {
    const env = await flowEnv([template], registrationHandlers);
    const task = await env.driver.start(template, {});
    expect(task.status).toBe('waiting');
    await setDebug(env, task.id, { paused: true, pauseReason: 'user' });
    const after = await env.driver.fireInteraction(task.id, 'provide_email', { email: 'a@example.com' });
    expect(after).toMatchObject({ status: 'waiting', currentState: 'wait_for_email', data: { email: 'a@example.com' } });
    env.clock.advance(10 * 60_000);
    expect(await env.driver.runDue()).toEqual([]);
    await setDebug(env, task.id, { paused: false });
    expect(await env.driver.runDue()).toEqual([task.id]);
    expect(await env.storage.getTask(task.id)).toMatchObject({ status: 'complete', currentState: 'done' });
  });
});
