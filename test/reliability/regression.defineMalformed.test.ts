/**
 * Regression (found by the bad-input properties): defineWorkflow/defineFlow threw TypeErrors on
 * malformed definitions (a JavaScript template module, or a cast): `steps: {}` ("def.steps.map is
 * not a function"), an action's `goTo: 0` ("s.goTo is not iterable"), `startsWith: 0` (a crash
 * later, in validation's suggestions), an unknown state type (an untyped Error from assertNever).
 * Each is now a TEMPLATE_INVALID refusal listing coded problems.
 */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { Problem } from '../../core/model/problem.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { defineWorkflow } from '../../core/template/defineWorkflow.js';

function codes(define: () => unknown): string[] {
  try {
    define();
  } catch (err) {
    expect(err).toBeInstanceOf(StepwiseError);
    expect((err as StepwiseError).code).toBe('TEMPLATE_INVALID');
    return ((err as StepwiseError).details.problems as Problem[]).map((p) => p.code);
  }
  throw new Error('the definition was accepted');
}

const noop = () => undefined;

describe('malformed definitions are refused, never crash', () => {
  it('workflow steps that are not a list, steps that are not objects, names that are not strings', () => {
    expect(codes(() => defineWorkflow({ name: 'wf', steps: {} } as never))).toEqual(['WRONG_TYPE']);
    expect(codes(() => defineWorkflow({ name: 'wf', steps: [null, 3] } as never))).toEqual(['WRONG_TYPE', 'WRONG_TYPE']);
    expect(codes(() => defineWorkflow({ name: 'wf', steps: [{ name: 7, handler: noop }] } as never))).toContain('MISSING_FIELD');
    expect(codes(() => defineWorkflow({ name: 'wf', steps: [{ name: 'a', handler: noop, dependsOn: 'b' }] } as never))).toEqual(['WRONG_TYPE']);
  });

  it('flow goTo, branches, when and startsWith of the wrong type; unknown state types', () => {
    expect(codes(() => defineFlow({ name: 'f', startsWith: 's', states: { s: { type: 'action', handler: noop, goTo: 0 } } } as never))).toEqual(['WRONG_TYPE']);
    expect(codes(() => defineFlow({ name: 'f', startsWith: 0, states: { s: { type: 'result' } } } as never))).toEqual(['MISSING_STARTS_WITH']);
    expect(codes(() => defineFlow({ name: 'f', startsWith: 's', states: { s: { type: 'teleport' } } } as never))).toEqual(['BAD_STEP_TYPE']);
    expect(codes(() => defineFlow({ name: 'f', startsWith: 's', states: { s: { type: 'wait', branches: 5 } } } as never))).toEqual(['WRONG_TYPE']);
    expect(codes(() => defineFlow({ name: 'f', startsWith: 's', states: 'nope' } as never))).toEqual(['WRONG_TYPE']);
    expect(
      codes(() => defineFlow({ name: 'f', startsWith: 's', states: { s: { type: 'result' } }, interactions: { i: { when: 's', handler: noop } } } as never)),
    ).toEqual(['WRONG_TYPE']);
  });
});
