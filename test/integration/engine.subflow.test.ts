import { afterEach, describe, expect, it } from 'vitest';
import { action, result, waitUntil } from '../../core/template/flowBuilders.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const greeter = defineFlow({
  name: 'greeter',
  attributes: { type: 'object', properties: { name: { type: 'string' }, greeting: { type: 'string' }, approved: { type: 'boolean', default: false } } },
  startsWith: 'greet',
  delay: '1m',
  states: {
    greet: action((ctx) => void (ctx.data.greeting = `hello ${ctx.data.name}`), { goTo: 'wait_approval' }),
    wait_approval: waitUntil({ condition: (ctx) => ctx.data.approved === true, goTo: 'done' }),
    done: result(),
  },
  interactions: { approve: { when: ['wait_approval'], handler: (ctx) => void (ctx.data.approved = true) } },
});

describe('a workflow subtask step with a flow child', () => {
  it('waits for the flow and completes with its final state and data', async () => {
    h = await harness({
      templates: [
        workflow('onboard', [
          step('greet_user', { type: 'subtask', handler: null, subtask: { template: 'greeter', input: { name: 'ada' } } }),
          step('after', { dependsOn: ['greet_user'] }),
        ]),
        greeter,
      ],
      handlers: { after: (ctx) => ({ saw: (ctx.results.greet_user as { data: { greeting: string } }).data.greeting }) },
    });
    const task = await h.engine.start('onboard', {});
    let run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('waiting');
    const [child] = (await h.storage.listTasks({ parentTaskId: task.id })).tasks;
    expect(child).toMatchObject({ kind: 'flow', status: 'waiting', currentState: 'wait_approval', data: { greeting: 'hello ada' } });
    expect((await h.storage.getStep(task.id, 'greet_user'))!.results).toEqual({ childTaskId: child!.id });

    await h.engine.flows.fireInteraction(child!.id, 'approve');
    run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect((await h.storage.getStep(task.id, 'greet_user'))!.results).toMatchObject({ state: 'done', data: { approved: true, greeting: 'hello ada' } });
    expect(run.task?.result).toEqual({ after: { saw: 'hello ada' } });
  });

  it('cancelling the parent cancels the waiting child', async () => {
    h = await harness({
      templates: [workflow('onboard', [step('greet_user', { type: 'subtask', handler: null, subtask: { template: 'greeter', input: { name: 'bo' } } })]), greeter],
      handlers: {},
    });
    const task = await h.engine.start('onboard', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    await h.engine.cancelTask(task.id, 'no longer needed');
    const [child] = (await h.storage.listTasks({ parentTaskId: task.id })).tasks;
    expect(child!.status).toBe('cancelled');
  });
});
