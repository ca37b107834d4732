import { describe, expect, it } from 'vitest';
import {
  assertStepTransition,
  assertTaskTransition,
  canStepTransition,
  STEP_STATES,
  STEP_TRANSITIONS,
  IllegalTransitionError,
  toErrorInfo,
  PermanentError,
  RetryableError,
} from '../../core/model/index.js';

describe('step state machine', () => {
  it('lists a row for every state and only known targets', () => {
    for (const s of STEP_STATES) {
      for (const t of STEP_TRANSITIONS[s]) expect(STEP_STATES).toContain(t);
    }
  });
  it('allows the happy path pending → ready → running → complete', () => {
    expect(canStepTransition('pending', 'ready')).toBe(true);
    expect(canStepTransition('ready', 'running')).toBe(true);
    expect(canStepTransition('running', 'complete')).toBe(true);
  });
  it('throws a typed error on an illegal transition', () => {
    expect(() => assertStepTransition('complete', 'running', { step: 'a' })).toThrow(IllegalTransitionError);
    try {
      assertStepTransition('cancelled', 'ready');
    } catch (e) {
      expect((e as IllegalTransitionError).code).toBe('ILLEGAL_TRANSITION');
      expect((e as IllegalTransitionError).message).toContain("'cancelled' to 'ready'");
    }
  });
  it('keeps cancelled terminal', () => {
    expect(STEP_TRANSITIONS.cancelled).toEqual([]);
  });
});

describe('task state machines', () => {
  it('refuses leaving a completed flow', () => {
    expect(() => assertTaskTransition('flow', 'complete', 'running')).toThrow(IllegalTransitionError);
  });
  it('lets a failed workflow task resume', () => {
    expect(() => assertTaskTransition('workflow', 'error', 'running')).not.toThrow();
  });
});

describe('toErrorInfo', () => {
  it('keeps class, code and retryability of library errors', () => {
    expect(toErrorInfo(new PermanentError('card declined'))).toMatchObject({
      class: 'PermanentError',
      code: 'PERMANENT',
      message: 'card declined',
      retryable: false,
    });
    expect(toErrorInfo(new RetryableError('busy', { retryAfterMs: 5 }))).toMatchObject({ retryable: true });
  });
  it('describes thrown non-errors', () => {
    expect(toErrorInfo('boom')).toEqual({ class: 'Error', message: 'boom' });
    expect(toErrorInfo({ a: 1 })).toEqual({ class: 'NonError', message: '{"a":1}', details: { thrown: { a: 1 } } });
  });
});
