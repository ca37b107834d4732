import { afterEach, describe, expect, it } from 'vitest';
import type { DebugSettings, TaskRecord } from '../../core/model/runtime.js';
import { harness, states, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const diamond = workflow('diamond', [step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['a'] }), step('d', { dependsOn: ['b', 'c'] })]);
const handlers = { a: () => 'a', b: () => 'b', c: () => 'c', d: () => 'd' };

/** What core/ops writes; done directly here to test the engine side alone. */
async function setDebug(h: Harness, task: TaskRecord, debug: DebugSettings & { released?: string[] }): Promise<void> {
  const current = (await h.storage.getTask(task.id))!;
  await h.storage.commit({ updateTasks: [{ id: task.id, expectedVersion: current.version, set: { debug } }] });
}

describe('debugger support in the engine', () => {
  it('pauses before a step at a breakpoint, and runs it once released', async () => {
    h = await harness({ templates: [diamond], handlers });
    const task = await h.engine.start('diamond', {});
    await setDebug(h, task, { paused: false, breakpoints: ['d'] });
    let run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(await states(h.storage, task.id)).toEqual({ a: 'complete', b: 'complete', c: 'complete', d: 'ready' });
    expect(run.task).toMatchObject({ status: 'paused', debug: { paused: true, pauseReason: 'breakpoint:d', resumeStatus: 'running' } });
    expect((await h.storage.listTransitions(task.id)).at(-1)).toMatchObject({ field: 'status', from: 'running', to: 'paused', reason: 'breakpoint:d' });
    expect(h.events.at(-1)).toMatchObject({ type: 'debug.paused', stepName: 'd', payload: { reason: 'breakpoint:d' } });

    await setDebug(h, task, { paused: false, breakpoints: ['d'], released: ['d'] });
    run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect((run.task?.debug as { released?: string[] }).released).toEqual([]);
  });

  it('runStep runs exactly one ready step of a paused task', async () => {
    h = await harness({ templates: [diamond], handlers });
    const task = await h.engine.start('diamond', {}, { debug: true });
    expect(task.debug).toMatchObject({ paused: true, pauseReason: 'debug_start' });
    expect((await h.engine.runUntilIdle({ taskId: task.id })).steps).toBe(0);
    expect((await h.engine.runStep(task.id))?.name).toBe('a');
    expect(await states(h.storage, task.id)).toEqual({ a: 'complete', b: 'ready', c: 'ready', d: 'pending' });
    expect((await h.engine.runStep(task.id, 'c'))?.state).toBe('complete');
    expect(await states(h.storage, task.id)).toEqual({ a: 'complete', b: 'ready', c: 'complete', d: 'pending' });
    expect(await h.engine.runStep(task.id, 'd')).toBeNull();
  });
});
