import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StepwiseError } from '../../core/model/errors.js';
import type { FlowContext } from '../../core/model/handlers.js';
import { action, decision, defineFlow, interaction, result, validateTemplate, waitUntil } from '../../core/template/index.js';

const isWeekend = (ctx: FlowContext<{ day: string }>) => ['Saturday', 'Sunday'].includes(ctx.data.day);

const weekend = defineFlow({
  name: 'weekend_checker',
  namespace: 'demo',
  version: '2.0.0',
  attributes: z.object({ day: z.string(), greeting: z.string().default('hello') }),
  startsWith: 'check',
  onTimeout: (ctx) => ctx.log.warn('timed out'),
  states: {
    check: decision({ condition: isWeekend, ifTrue: 'relax', ifFalse: 'grade' }),
    grade: decision({
      conditions: [
        { when: (ctx) => ctx.data.score >= 90, goTo: 'relax', label: 'A' },
        { when: 'is_busy', goTo: 'hold' },
        { goTo: 'work', label: 'otherwise' },
      ],
    }),
    hold: waitUntil({ condition: (ctx) => ctx.data.free === true, goTo: 'work' }),
    work: action((ctx) => void (ctx.data.worked = true), { goTo: ['relax', 'hold'] }),
    relax: result('Enjoy'),
  },
  interactions: {
    free_up: interaction({ when: 'hold', params: z.object({ reason: z.string() }) }, (ctx, params) => {
      ctx.data.reason = params.reason.toUpperCase();
    }),
    ping: interaction({}, 'ping_handler'),
  },
});

describe('defineFlow', () => {
  it('builds the model, typed and valid', () => {
    expect(weekend).toMatchObject({ kind: 'flow', namespace: 'demo', name: 'weekend_checker', version: '2.0.0', startsWith: 'check', delayMs: 60_000 });
    expect(validateTemplate(weekend)).toEqual([]);
    const grade = weekend.states.find((s) => s.name === 'grade');
    expect(grade).toEqual({
      name: 'grade',
      type: 'decision',
      form: 'ordered',
      branches: [
        { condition: 'grade.condition.0', expect: true, goTo: 'relax', label: 'A' },
        { condition: 'is_busy', expect: true, goTo: 'hold' },
        { condition: null, expect: true, goTo: 'work', label: 'otherwise' },
      ],
    });
    expect(weekend.states.find((s) => s.name === 'relax')).toEqual({ name: 'relax', type: 'result', description: 'Enjoy' });
    expect(weekend.states.find((s) => s.name === 'work')).toMatchObject({ type: 'action', handler: 'work', goTo: ['relax', 'hold'] });
  });

  it('registers inline functions under generated names; names stay names', () => {
    const check = weekend.states.find((s) => s.name === 'check');
    // Both branches of a boolean decision share one condition handler.
    expect(check).toMatchObject({
      form: 'boolean',
      branches: [
        { condition: 'check.condition.0', expect: true, goTo: 'relax' },
        { condition: 'check.condition.0', expect: false, goTo: 'grade' },
      ],
    });
    expect(Object.keys(weekend.inlineHandlers!).sort()).toEqual(
      ['check.condition.0', 'grade.condition.0', 'hold.condition.0', 'interaction.free_up', 'on_timeout', 'work'].sort(),
    );
    expect(weekend.inlineHandlers!['check.condition.0']).toBe(isWeekend);
    expect(weekend.onTimeout).toBe('on_timeout');
    expect(weekend.interactions).toEqual([
      { name: 'free_up', when: ['hold'], handler: 'interaction.free_up', params: expect.objectContaining({ type: 'object', required: ['reason'] }) },
      { name: 'ping', when: [], handler: 'ping_handler' },
    ]);
  });

  it('inline handlers run with the context they are given', () => {
    const data: Record<string, unknown> = { day: 'Sunday', score: 10 };
    const ctx = { data } as unknown as FlowContext;
    expect(weekend.inlineHandlers!['check.condition.0']!(ctx)).toBe(true);
    weekend.inlineHandlers!.work!(ctx);
    expect(data.worked).toBe(true);
    weekend.inlineHandlers!['interaction.free_up']!(ctx, { reason: 'done' });
    expect(data.reason).toBe('DONE');
  });

  it('turns a zod attributes schema into JSON Schema of its input (defaults optional, kept)', () => {
    expect(weekend.attributesSchema).toMatchObject({
      type: 'object',
      properties: { day: { type: 'string' }, greeting: { type: 'string', default: 'hello' } },
      required: ['day'],
    });
    expect(weekend.attributesSchema).not.toHaveProperty('$schema');
  });

  it('accepts durations as text or milliseconds', () => {
    const f = defineFlow({ name: 'd', startsWith: 'a', timeout: '2h', delay: 500, deleteAfter: '30d', states: { a: result() } });
    expect(f).toMatchObject({ timeoutMs: 7_200_000, delayMs: 500, deleteAfterMs: 30 * 86_400_000 });
  });

  it('refuses a bad duration with TEMPLATE_INVALID carrying the problems', () => {
    const attempt = () => defineFlow({ name: 'bad', startsWith: 'a', timeout: 'soonish', states: { a: result() } });
    expect(attempt).toThrow(StepwiseError);
    try {
      attempt();
    } catch (err) {
      expect((err as StepwiseError).code).toBe('TEMPLATE_INVALID');
      expect((err as StepwiseError).details.problems).toEqual([expect.objectContaining({ code: 'BAD_DURATION', message: expect.stringContaining('soonish') })]);
    }
  });

  it('leaves graph problems to validation, which reports them like YAML ones', () => {
    const f = defineFlow({
      name: 'loose',
      startsWith: 'a',
      states: { a: action('go', { goTo: 'b' }), b: result(), c: result() },
    });
    expect(validateTemplate(f).map((p) => p.code)).toEqual(['UNREACHABLE_STATE']);
  });

  it('checks state names at compile time', () => {
    // These only have to compile (or fail to); the model is not used.
    const typoTarget = () =>
      defineFlow({
        name: 't',
        startsWith: 'a',
        // @ts-expect-error 'dnoe' is not a state
        states: { a: action('x', { goTo: 'dnoe' }), done: result() },
      });
    const typoStart = () =>
      defineFlow({
        name: 't',
        // @ts-expect-error 'b' is not a state
        startsWith: 'b',
        states: { a: result() },
      });
    const typoWhen = () =>
      defineFlow({
        name: 't',
        startsWith: 'a',
        states: { a: result() },
        // @ts-expect-error 'z' is not a state
        interactions: { i: interaction({ when: ['z'] }, 'h') },
      });
    expect([typoTarget, typoStart, typoWhen].every((f) => typeof f === 'function')).toBe(true);
  });
});
