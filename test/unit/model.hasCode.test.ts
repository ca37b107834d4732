/** hasCode: the typed check for a Stepwise error's code, instead of casts. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PermanentError, StaleError, StepwiseError, hasCode } from '../../core/model/errors.js';

describe('hasCode', () => {
  it('is true for a Stepwise error (or subclass) with that code only', () => {
    expect(hasCode(new StepwiseError('NOT_FOUND', 'x'), 'NOT_FOUND')).toBe(true);
    expect(hasCode(new PermanentError('x'), 'PERMANENT')).toBe(true);
    expect(hasCode(new PermanentError('x'), 'RETRYABLE')).toBe(false);
  });

  it('is false for anything else, including look-alikes and non-errors', () => {
    for (const value of [Object.assign(new Error('x'), { code: 'STALE' }), { code: 'STALE' }, 'STALE', null, undefined, 42]) {
      expect(hasCode(value, 'STALE')).toBe(false);
    }
  });

  it('narrows without a cast: code is the literal, details are typed', () => {
    const err: unknown = new StaleError('task t-1 changed meanwhile', { taskId: 't-1' });
    if (!hasCode(err, 'STALE')) throw new Error('expected STALE');
    expectTypeOf(err.code).toEqualTypeOf<'STALE'>();
    expectTypeOf(err.details).toEqualTypeOf<Record<string, unknown>>();
    expect(err.message).toContain('t-1');
  });
});
