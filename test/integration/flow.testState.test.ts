/** Acceptance: testState runs exactly one state of a weekend checker (YAML and TypeScript). */
import { describe, expect, it } from 'vitest';
import type { FlowTemplate } from '../../core/model/template.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, decision, result, waitUntil } from '../../core/template/flowBuilders.js';
import { testState } from '../../core/testing/index.js';
import '../../core/testing/setup.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';

const WEEKEND = ['Saturday', 'Sunday'];
const handlers = {
  weekend_day: (ctx: { data: { day_of_week: string } }) => WEEKEND.includes(ctx.data.day_of_week),
  go_to_work: (ctx: { data: Record<string, unknown>; log: { info(m: string): void } }) => {
    ctx.log.info('commuting');
    ctx.data.worked = true;
  },
};

const tsChecker = defineFlow({
  name: 'weekend_checker_ts',
  attributes: { type: 'object', required: ['day_of_week'], properties: { day_of_week: { type: 'string' } } },
  startsWith: 'is_it_the_weekend',
  states: {
    is_it_the_weekend: decision({ condition: (ctx) => WEEKEND.includes(ctx.data.day_of_week), ifTrue: 'weekend', ifFalse: 'weekday' }),
    weekday: action(handlers.go_to_work, { goTo: 'done' }),
    weekend: result(),
    done: result(),
  },
});

const forms: Array<[string, FlowTemplate]> = [
  ['YAML', loadFlowFixture('weekend.yaml')],
  ['TypeScript', tsChecker],
];

describe.each(forms)('testState on a weekend checker (%s)', (_form, flow) => {
  it('decides a Saturday is the weekend', async () => {
    const task = await testState(flow, 'is_it_the_weekend', { day_of_week: 'Saturday' }, { handlers });
    expect(task).toBeIn('weekend');
    expect(task).toBeCompleted();
  });

  it('decides a Monday is a weekday, without running the weekday state', async () => {
    const task = await testState(flow, 'is_it_the_weekend', { day_of_week: 'Monday' }, { handlers });
    expect(task).toBeIn('weekday');
    expect(task.status).toBe('running');
    expect(task.data.worked).toBeUndefined();
    expect(task.attempts.map((a) => a.stepName)).toEqual(['is_it_the_weekend']);
  });

  it('runs one action from the state given, with its log', async () => {
    const task = await testState(flow, 'weekday', { day_of_week: 'Monday' }, { handlers });
    expect(task).toBeIn('done');
    expect(task.data.worked).toBe(true);
    expect(task.logs.map((l) => l.message)).toEqual(['commuting']);
  });

  it('validates the data and the state name', async () => {
    await expect(testState(flow, 'is_it_the_weekend', {}, { handlers })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(testState(flow, 'holiday', { day_of_week: 'Monday' }, { handlers })).rejects.toThrow(/has no state 'holiday'. Its states: is_it_the_weekend, weekday, weekend, done/);
  });
});

describe('testState on wait states and failures', () => {
  const flow = defineFlow({
    name: 'parcel',
    attributes: { type: 'object', properties: { delivered: { type: 'boolean' } } },
    startsWith: 'wait_for_delivery',
    delay: '1h',
    states: {
      wait_for_delivery: waitUntil({ condition: (ctx) => ctx.data.delivered === true, goTo: 'done' }),
      broken: action(() => {
        throw new TypeError('no courier');
      }, { goTo: 'done' }),
      done: result(),
    },
  });

  it('leaves an unmatched wait waiting, and moves a matched one on', async () => {
    const waiting = await testState(flow, 'wait_for_delivery', {});
    expect(waiting).toBeWaitingUntil('wait_for_delivery');
    expect(waiting.wakeAt).toBe(waiting.createdAt + 3_600_000);
    expect(await testState(flow, 'wait_for_delivery', { delivered: true })).toBeCompleted();
  });

  it('returns a failed flow with its error', async () => {
    const task = await testState(flow, 'broken', {});
    expect(task).toBeFailed('no courier');
    expect(task).not.toBeCompleted();
    expect(task.error).toMatchObject({ class: 'TypeError' });
  });
});
