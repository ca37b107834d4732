/** Acceptance: actions, attribute defaults and validation, undeclared targets, thrown errors. */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { FlowTemplate } from '../../core/model/template.js';
import type { FlowContext } from '../../core/model/handlers.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result } from '../../core/template/flowBuilders.js';
import { flowEnv } from '../fixtures/flows/harness.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { greetingFlow, greetingHandlers } from '../fixtures/flows/greeting.js';

const forms: Array<[string, FlowTemplate]> = [
  ['YAML', loadFlowFixture('greeting.yaml')],
  ['TypeScript', greetingFlow],
];

describe.each(forms)('greeting action (%s)', (_form, template) => {
  it('applies the default salutation and completes', async () => {
    const { driver, storage } = await flowEnv([template], greetingHandlers);
    const task = await driver.start(template, { name: 'Alice' });
    expect(task.status).toBe('complete');
    expect(task.currentState).toBe('done');
    expect(task.data).toEqual({ name: 'Alice', salutation: 'Hello', greeting: 'Hello, Alice!' });
    const transitions = await storage.listTransitions(task.id);
    expect(transitions.map((t) => [t.field, t.from, t.to])).toEqual([
      ['status', null, 'running'],
      ['state', null, 'greet'],
      ['data', JSON.stringify({ name: 'Alice', salutation: 'Hello' }), JSON.stringify(task.data)],
      ['state', 'greet', 'done'],
      ['status', 'running', 'complete'],
    ]);
    const attempts = await storage.listAttempts(task.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ stepName: 'greet', number: 1, outcome: 'success', output: { goTo: 'done' } });
  });

  it('uses an overridden salutation', async () => {
    const { driver } = await flowEnv([template], greetingHandlers);
    const task = await driver.start(template, { name: 'Bob', salutation: 'Howdy' });
    expect(task.data.greeting).toBe('Howdy, Bob!');
  });

  it('refuses a blank or missing required name before storing anything', async () => {
    const { driver, storage } = await flowEnv([template], greetingHandlers);
    for (const input of [{ name: '' }, {}]) {
      const err = await driver.start(template, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StepwiseError);
      expect((err as StepwiseError).code).toBe('INPUT_INVALID');
      expect((err as StepwiseError).message).toContain('/name');
      expect((err as StepwiseError).details.violations).toEqual([
        { path: '/name', message: input.name === '' ? 'must not be blank' : 'is required' },
      ]);
    }
    expect((await storage.listTasks()).total).toBe(0);
  });
});

describe('action targets', () => {
  const chooser = (returned: unknown, goTo: string[]): FlowTemplate =>
    defineFlow({
      name: 'chooser',
      startsWith: 'choose',
      states: {
        choose: action(() => returned, { goTo: goTo as ('left' | 'right')[] }),
        left: result(),
        right: result(),
      },
    });

  it('goes to the target the handler returns among several declared', async () => {
    const template = chooser('right', ['left', 'right']);
    const { driver } = await flowEnv([template]);
    expect((await driver.start(template, {})).currentState).toBe('right');
  });

  it.each([
    ['an undeclared target', 'nowhere', ['left'], "tried to go to 'nowhere'"],
    ['no choice among several', undefined, ['left', 'right'], 'must return one of them'],
    ['no target at all', undefined, [], 'declares no go_to target'],
  ])('fails the flow on %s, naming the state and allowed targets', async (_what, returned, goTo, why) => {
    const template = chooser(returned, goTo);
    const { driver, storage } = await flowEnv([template]);
    const task = await driver.start(template, {});
    expect(task.status).toBe('error');
    expect(task.currentState).toBe('choose');
    expect(task.error).toMatchObject({ code: 'UNDECLARED_TARGET' });
    expect(task.error!.message).toContain(why);
    expect(task.error!.message).toContain(`Allowed targets: ${goTo.length ? goTo.join(', ') : '(none)'}`);
    const [attempt] = await storage.listAttempts(task.id);
    expect(attempt).toMatchObject({ outcome: 'error', error: { code: 'UNDECLARED_TARGET' } });
  });
});

describe('a thrown error', () => {
  class PaymentDeclined extends Error {
    override name = 'PaymentDeclined';
  }
  const chargeCard = (ctx: FlowContext<{ charged?: boolean }>) => {
    ctx.data.charged = true;
    ctx.log.info('charging card');
    throw new PaymentDeclined('card declined');
  };
  const tsCharging = defineFlow({
    name: 'charging_ts',
    attributes: { type: 'object', properties: { charged: { type: 'boolean' } } },
    startsWith: 'charge',
    states: { charge: action(chargeCard, { goTo: 'done' }), done: result() },
  });

  it.each([
    ['YAML', loadFlowFixture('charging.yaml')],
    ['TypeScript', tsCharging],
  ])('fails the flow (%s), records class, message and stack on the attempt, a summary pointing to it on the task, and keeps the old data', async (_form, template) => {
    const { driver, storage } = await flowEnv([template], { charge_card: chargeCard });
    const task = await driver.start(template, {});
    expect(task).toMatchObject({ status: 'error', currentState: 'charge', data: {} });
    expect(task.error).toMatchObject({ class: 'PaymentDeclined', message: 'card declined' });
    expect(task.finishedAt).not.toBeNull();
    const [attempt] = await storage.listAttempts(task.id);
    expect(attempt).toMatchObject({ stepName: 'charge', outcome: 'error', error: { class: 'PaymentDeclined', message: 'card declined' } });
    // The failure's text is stored once, on its attempt; the task's error points there.
    expect(attempt!.error!.stack).toContain('PaymentDeclined: card declined');
    expect(task.error!.stack).toBeUndefined();
    expect(task.error!.attemptId).toBe(attempt!.id);
    expect(attempt!.logs).toEqual([expect.objectContaining({ level: 'info', message: 'charging card' })]);
    const events = await storage.readEvents(0, 100, { taskId: task.id });
    expect(events.map((e) => e.type)).toContain('task.failed');
  });
});
