import { afterEach, describe, expect, it } from 'vitest';
import type { StepContext } from '../../core/model/handlers.js';
import { harness, states, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const shipping = (choose: (ctx: StepContext) => unknown) =>
  workflow('shipping', [
    step('charge'),
    step('choose', { type: 'decision', dependsOn: ['charge'] }),
    step('express', { dependsOn: ['choose'], handler: 'ship' }),
    step('standard', { dependsOn: ['choose'], handler: 'ship' }),
    step('label', { dependsOn: ['express'] }),
    step('notify', { type: 'deferred_convergence', dependsOn: ['label', 'standard'] }),
  ]);

describe('decision and convergence', () => {
  it('skips the branch the decision did not choose, and steps only it leads to; the convergence runs', async () => {
    const ran: string[] = [];
    h = await harness({
      templates: [shipping(() => ({ proceed: ['standard'], reason: 'cheap' }))],
      handlers: {
        charge: () => ({ amount: 10 }),
        choose: () => ({ proceed: ['standard'], reason: 'cheap' }),
        ship: (ctx: StepContext) => (ran.push(ctx.step.name), { shipped: ctx.step.name }),
        label: () => 'label',
        notify: (ctx: StepContext) => ({ notified: Object.keys(ctx.results).sort() }),
      },
    });
    const task = await h.engine.start('shipping', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(ran).toEqual(['standard']);
    expect(await states(h.storage, task.id)).toEqual({
      charge: 'complete',
      choose: 'complete',
      express: 'skipped',
      standard: 'complete',
      label: 'skipped',
      notify: 'complete',
    });
    expect((await h.storage.getStep(task.id, 'notify'))!.results).toEqual({ notified: ['label', 'standard'] });
    expect((await h.storage.getStep(task.id, 'choose'))!.results).toEqual({ proceed: ['standard'], reason: 'cheap' });
    const skip = (await h.storage.listTransitions(task.id, { stepName: 'express' })).at(-1)!;
    expect(skip.reason).toBe("decision 'choose' chose standard");
  });

  it('accepts a bare name as the decision', async () => {
    h = await harness({
      templates: [shipping(() => 'express')],
      handlers: { charge: () => 1, choose: () => 'express', ship: () => 'shipped', label: () => 'l', notify: () => 'n' },
    });
    const task = await h.engine.start('shipping', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    expect(await states(h.storage, task.id)).toMatchObject({ express: 'complete', standard: 'skipped', label: 'complete', notify: 'complete' });
  });

  it('fails a decision that names a step that is not its dependent, naming the allowed ones', async () => {
    h = await harness({
      templates: [shipping(() => 'drone')],
      handlers: { charge: () => 1, choose: () => ({ proceed: 'drone' }), ship: () => 's', label: () => 'l', notify: () => 'n' },
    });
    const task = await h.engine.start('shipping', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');
    const choose = (await h.storage.getStep(task.id, 'choose'))!;
    expect(choose.state).toBe('error');
    expect(choose.attempts).toBe(1);
    expect(choose.error).toMatchObject({ code: 'UNDECLARED_TARGET' });
    expect(choose.error?.message).toContain("'drone'");
    expect(choose.error?.message).toContain('express, standard');
  });
});

describe('batches', () => {
  const batchFlow = () =>
    workflow('batches', [
      step('split', { type: 'batchable' }),
      step('work', { type: 'batch_worker', dependsOn: ['split'] }),
      step('merge', { type: 'deferred_convergence', dependsOn: ['work'] }),
    ]);

  for (const count of [0, 1, 25]) {
    it(`runs ${count} batch worker(s) and converges`, async () => {
      h = await harness({
        templates: [batchFlow()],
        handlers: {
          split: () => ({ batches: Array.from({ length: count }, (_, i) => ({ from: i * 10, to: i * 10 + 9 })) }),
          work: (ctx: StepContext) => ({ sum: (ctx.batch as { from: number }).from, seen: Object.keys(ctx.results) }),
          merge: (ctx: StepContext) => ({ parts: Object.keys(ctx.results).length }),
        },
      });
      const task = await h.engine.start('batches', {});
      const run = await h.engine.runUntilIdle({ taskId: task.id });
      expect(run.task?.status).toBe('complete');
      const steps = await h.storage.getSteps(task.id);
      const workers = steps.filter((s) => s.dynamic);
      expect(workers.map((s) => s.name)).toEqual(Array.from({ length: count }, (_, i) => `work#${i}`));
      for (const [i, w] of workers.entries()) {
        expect(w).toMatchObject({ state: 'complete', templateStep: 'work', createdBy: 'split', type: 'batch_worker', batch: { from: i * 10, to: i * 10 + 9 } });
        expect(w.results).toEqual({ sum: i * 10, seen: ['split'] });
      }
      expect(steps.find((s) => s.name === 'work')!.state).toBe('skipped');
      const merge = steps.find((s) => s.name === 'merge')!;
      expect(merge.state).toBe('complete');
      expect(merge.dependsOn).toEqual(count === 0 ? ['split'] : workers.map((w) => w.name));
      expect(merge.results).toEqual({ parts: count === 0 ? 1 : count });
      const created = await h.storage.listTransitions(task.id);
      expect(created.filter((t) => t.from === null && t.stepName?.startsWith('work#'))).toHaveLength(count);
    });
  }
});

describe('wait steps', () => {
  const waiting = (wait: { durationMs?: number; timeoutMs?: number }) =>
    workflow('approval', [step('prepare'), step('approve', { type: 'wait', handler: null, dependsOn: ['prepare'], wait }), step('apply', { dependsOn: ['approve'] })]);

  it('completes on a signal with the payload as results', async () => {
    h = await harness({
      templates: [waiting({ timeoutMs: 60_000 })],
      handlers: { prepare: () => 'ready', apply: (ctx: StepContext) => ({ applied: ctx.results.approve }) },
    });
    const task = await h.engine.start('approval', {});
    let run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('waiting');
    expect((await h.storage.getStep(task.id, 'approve'))!).toMatchObject({ state: 'waiting', wakeAt: h.clock.now() + 60_000 });
    await expect(h.engine.signal(task.id, 'apply', {})).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await h.engine.signal(task.id, 'approve', { by: 'ada' });
    run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(run.task?.result).toEqual({ apply: { applied: { by: 'ada' } } });
    await expect(h.engine.signal(task.id, 'approve', {})).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('times out into error with TIMEOUT when no signal comes', async () => {
    h = await harness({ templates: [waiting({ timeoutMs: 60_000 })], handlers: { prepare: () => 'ready', apply: () => 'x' } });
    const task = await h.engine.start('approval', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    h.clock.advance(59_999);
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('waiting');
    h.clock.advance(1);
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');
    expect((await h.storage.getStep(task.id, 'approve'))!.error).toMatchObject({ code: 'TIMEOUT' });
    expect((await h.storage.getStep(task.id, 'apply'))!.state).toBe('pending');
  });

  it('completes by itself after its duration', async () => {
    h = await harness({ templates: [waiting({ durationMs: 5000, timeoutMs: 60_000 })], handlers: { prepare: () => 'ready', apply: () => 'x' } });
    const task = await h.engine.start('approval', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    h.clock.advance(5000);
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect((await h.storage.getStep(task.id, 'approve'))!.results).toEqual({ completedBy: 'time' });
  });
});

describe('subtasks', () => {
  it('starts a child task linked to the parent and completes with its result', async () => {
    h = await harness({
      templates: [
        workflow('parent', [
          step('prepare'),
          step('child', { type: 'subtask', dependsOn: ['prepare'], handler: 'build_child_input', subtask: { template: 'test/child', input: { base: 1 } } }),
          step('finish', { dependsOn: ['child'] }),
        ]),
        workflow('child', [step('double')], { inputSchema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } }),
      ],
      handlers: {
        prepare: () => ({ n: 21 }),
        build_child_input: (ctx: StepContext) => ({ input: { n: (ctx.results.prepare as { n: number }).n } }),
        double: (ctx: StepContext) => ({ doubled: (ctx.input.n as number) * 2, base: ctx.input.base }),
        finish: (ctx: StepContext) => ctx.results.child,
      },
    });
    const parent = await h.engine.start('parent', {});
    const run = await h.engine.runUntilIdle({ taskId: parent.id });
    expect(run.task?.status).toBe('complete');
    const children = (await h.storage.listTasks({ parentTaskId: parent.id })).tasks;
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ parentTaskId: parent.id, parentStepName: 'child', status: 'complete', input: { base: 1, n: 21 } });
    expect((await h.storage.getStep(parent.id, 'child'))!.results).toEqual({ double: { doubled: 42, base: 1 } });
    expect(run.task?.result).toEqual({ finish: { double: { doubled: 42, base: 1 } } });
  });

  it('fails the subtask step when the child fails, and when the child input is invalid', async () => {
    h = await harness({
      templates: [
        workflow('parent', [step('child', { type: 'subtask', handler: null, subtask: { template: 'test/child', input: { n: 1 } } })]),
        workflow('bad_parent', [step('child', { type: 'subtask', handler: null, subtask: { template: 'test/child', input: { n: 'one' } } })]),
        workflow('child', [step('boom', { retry: { retryable: false } })], { inputSchema: { type: 'object', properties: { n: { type: 'integer' } } } }),
      ],
      handlers: {
        boom: () => {
          throw new Error('child exploded');
        },
      },
    });
    const parent = await h.engine.start('parent', {});
    const run = await h.engine.runUntilIdle({ taskId: parent.id });
    expect(run.task?.status).toBe('error');
    expect((await h.storage.getStep(parent.id, 'child'))!.error).toMatchObject({ code: 'SUBTASK_FAILED', message: expect.stringContaining('child exploded') });

    const bad = await h.engine.start('bad_parent', {});
    const badRun = await h.engine.runUntilIdle({ taskId: bad.id });
    expect(badRun.task?.status).toBe('error');
    expect((await h.storage.getStep(bad.id, 'child'))!.error).toMatchObject({ code: 'INPUT_INVALID' });
    expect((await h.storage.listTasks({ parentTaskId: bad.id })).total).toBe(0);
  });
});
