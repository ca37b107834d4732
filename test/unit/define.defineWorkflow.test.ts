import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StepwiseError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import { DEFAULT_RETRY } from '../../core/model/template.js';
import { defineWorkflow, validateTemplate } from '../../core/template/index.js';

const double = (ctx: StepContext<{ n: number }>) => ({ value: ctx.input.n * 2 });

describe('defineWorkflow', () => {
  const wf = defineWorkflow({
    name: 'math',
    namespace: 'demo',
    inputSchema: z.object({ n: z.number().int() }),
    steps: [
      { name: 'double', handler: double, initialization: { factor: 2 } },
      { name: 'route', type: 'decision', handler: (ctx) => ({ proceed: ctx.results.double ? ['big'] : [] }), dependsOn: ['double'] },
      { name: 'big', handler: 'record_big', dependsOn: ['route'], retry: { maxAttempts: 5 }, timeout: '10s' },
    ],
  });

  it('builds the model with defaults', () => {
    expect(wf).toMatchObject({ kind: 'workflow', namespace: 'demo', name: 'math', version: '0.0.0', source: { kind: 'ts' } });
    expect(wf.steps[2]).toEqual({
      name: 'big',
      type: 'standard',
      handler: { callable: 'record_big', initialization: {} },
      dependsOn: ['route'],
      retry: { ...DEFAULT_RETRY, maxAttempts: 5 },
      timeoutMs: 10_000,
    });
    expect(wf.inputSchema).toMatchObject({ type: 'object', required: ['n'], properties: { n: { type: 'integer' } } });
    expect(validateTemplate(wf)).toEqual([]);
  });

  it('registers handler functions inline under the step name', () => {
    expect(wf.steps[0]!.handler).toEqual({ callable: 'double', initialization: { factor: 2 } });
    expect(wf.steps[1]!.handler!.callable).toBe('route');
    expect(wf.inlineHandlers!.double).toBe(double);
    expect(Object.keys(wf.inlineHandlers!)).toEqual(['double', 'route']);
  });

  it('has no inlineHandlers when every handler is a name', () => {
    const named = defineWorkflow({ name: 'n', steps: [{ name: 'a', handler: 'a' }] });
    expect(named).not.toHaveProperty('inlineHandlers');
  });

  it('refuses what cannot become a model, with every problem', () => {
    try {
      defineWorkflow({
        name: 'broken',
        steps: [
          { name: 'a' },
          { name: 'b', handler: 'b', timeout: 'later' },
          // @ts-expect-error not a step type
          { name: 'c', handler: 'c', type: 'parallel' },
        ],
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StepwiseError);
      const problems = (err as StepwiseError).details.problems as { code: string }[];
      expect(problems.map((p) => p.code)).toEqual(['MISSING_FIELD', 'BAD_DURATION', 'BAD_STEP_TYPE']);
    }
  });

  it('validation catches graph problems of TypeScript workflows too', () => {
    const cyclic = defineWorkflow({
      name: 'cyclic',
      steps: [
        { name: 'a', handler: 'a', dependsOn: ['b'] },
        { name: 'b', handler: 'b', dependsOn: ['a'] },
      ],
    });
    expect(validateTemplate(cyclic)).toEqual([expect.objectContaining({ code: 'CYCLE', message: 'dependency cycle: a → b → a' })]);
  });

  it('checks dependency names at compile time', () => {
    const typo = () =>
      defineWorkflow({
        name: 't',
        steps: [
          { name: 'fetch', handler: 'fetch' },
          // @ts-expect-error 'fecth' is not a step
          { name: 'store', handler: 'store', dependsOn: ['fecth'] },
        ],
      });
    expect(typeof typo).toBe('function');
  });
});
