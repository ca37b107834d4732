/** The stepwise-workflows/testing matchers: pass and fail both ways, with messages that say expected vs found. */
import { beforeAll, describe, expect, it } from 'vitest';
import { stepwiseMatchers } from '../../core/testing/index.js';
import type { TaskRecord } from '../../core/model/runtime.js';
import type { StepRun } from '../../core/testing/steps.js';

beforeAll(() => {
  expect.extend(stepwiseMatchers);
});

const task = (over: Partial<TaskRecord>): TaskRecord =>
  ({ id: 't1', kind: 'flow', status: 'running', currentState: 'greet', error: null, wakeAt: null, ...over }) as TaskRecord;

const run = (over: Partial<StepRun>): StepRun => ({ step: 'charge', status: 'success', results: null, error: null, retryable: false, logs: [], progress: [], ...over });

function failureOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the assertion passed');
}

describe('flow matchers', () => {
  it('toBeIn compares the current state, also through { task }', () => {
    expect(task({ currentState: 'done' })).toBeIn('done');
    expect({ task: task({ currentState: 'done' }) }).toBeIn('done');
    expect(task({})).not.toBeIn('done');
    expect(failureOf(() => expect(task({ currentState: 'greet' })).toBeIn('done'))).toBe(
      'expected the flow to be in state "done", but it is running in state "greet"',
    );
  });

  it('toBeWaitingUntil needs status waiting in that state', () => {
    expect(task({ status: 'waiting', currentState: 'wait' })).toBeWaitingUntil('wait');
    expect(task({ status: 'running', currentState: 'wait' })).not.toBeWaitingUntil('wait');
    expect(failureOf(() => expect(task({ status: 'complete', currentState: 'done' })).toBeWaitingUntil('wait'))).toBe(
      'expected the flow to be waiting in state "wait", but it is complete in state "done"',
    );
  });

  it('toBeCompleted accepts complete tasks of both kinds', () => {
    expect(task({ status: 'complete' })).toBeCompleted();
    expect(task({ kind: 'workflow', status: 'complete', currentState: null })).toBeCompleted();
    const failed = task({ status: 'error', error: { class: 'StepwiseError', code: 'NO_DECISION', message: 'no condition matched x' } });
    expect(failureOf(() => expect(failed).toBeCompleted())).toBe(
      'expected the task to be completed, but it is error in state "greet" (error: NO_DECISION: no condition matched x)',
    );
  });

  it('toBeFailed optionally checks the code or message', () => {
    const failed = task({ status: 'error', error: { class: 'TypeError', message: 'x is undefined' } });
    expect(failed).toBeFailed();
    expect(failed).toBeFailed('x is undefined');
    expect(failed).toBeFailed(/undefined/);
    expect(failed).not.toBeFailed('TIMEOUT');
    expect(failureOf(() => expect(failed).toBeFailed('TIMEOUT'))).toBe('expected the task to be failed with TIMEOUT, but it is failed with TypeError: x is undefined');
    expect(failureOf(() => expect(task({})).toBeFailed())).toBe('expected the task to be failed, but it is running in state "greet"');
  });

  it('reports a received value that is not a task', () => {
    expect(failureOf(() => expect(42).toBeIn('x'))).toContain('toBeIn expects a task');
  });
});

describe('step matchers', () => {
  it('toSucceedWith matches a subset of the results, recursively', () => {
    const ok = run({ results: { charged: true, receipt: { id: 'r1', amount: 10 } } });
    expect(ok).toSucceedWith({ charged: true });
    expect(ok).toSucceedWith({ receipt: { id: 'r1' } });
    expect(ok).toSucceedWith({ receipt: { id: expect.any(String) } });
    expect(ok).not.toSucceedWith({ charged: false });
    expect(failureOf(() => expect(ok).toSucceedWith({ charged: false }))).toBe(
      'expected step "charge" to succeed with results containing {"charged":false}, but its results are {"charged":true,"receipt":{"id":"r1","amount":10}}',
    );
    const bad = run({ status: 'failure', error: { class: 'PermanentError', code: 'PERMANENT', message: 'card declined' } });
    expect(failureOf(() => expect(bad).toSucceedWith({}))).toBe('expected step "charge" to succeed with {}, but it failed with PERMANENT: card declined');
  });

  it('toFailWith matches the code or the message', () => {
    const bad = run({ status: 'failure', error: { class: 'PermanentError', code: 'PERMANENT', message: 'card declined' } });
    expect(bad).toFailWith('PERMANENT');
    expect(bad).toFailWith('declined');
    expect(bad).not.toFailWith('TIMEOUT');
    expect(failureOf(() => expect(run({ results: { a: 1 } })).toFailWith('PERMANENT'))).toBe(
      'expected step "charge" to fail with PERMANENT, but it succeeded with {"a":1}',
    );
  });
});
