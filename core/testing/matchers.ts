/**
 * Vitest matchers for tasks and step runs. Register them once with
 * `expect.extend(stepwiseMatchers)` or by adding `stepwise-workflows/testing/setup` to `setupFiles`.
 * Each failure message says what was expected and what was found.
 */
import type { ErrorInfo } from '../model/errors.js';
import type { StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import type { StepState } from '../model/states.js';
import type { StepRun } from './steps.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

interface MatcherThis {
  isNot: boolean;
}

type Expectation = string | RegExp;

/** A TaskRecord, or anything holding one in `task` (e.g. `{ task, steps }` from the engine). */
function taskOf(received: unknown): TaskRecord | null {
  if (!received || typeof received !== 'object') return null;
  const r = received as { task?: unknown; status?: unknown; id?: unknown };
  if (r.task && typeof r.task === 'object') return r.task as TaskRecord;
  if (typeof r.status === 'string' && typeof r.id === 'string') return received as TaskRecord;
  return null;
}

function describeTask(t: TaskRecord): string {
  const where = t.currentState ? ` in state "${t.currentState}"` : '';
  const error = t.error ? ` (error: ${describeError(t.error)})` : '';
  return `${t.status}${where}${error}`;
}

function describeError(e: ErrorInfo | null): string {
  if (!e) return 'none';
  return `${e.code ?? e.class}: ${e.message}`;
}

function notATask(name: string, received: unknown): MatcherResult {
  return { pass: false, message: () => `${name} expects a task (a TaskRecord or { task }), but received ${JSON.stringify(received)?.slice(0, 200)}` };
}

const COMPLETED = ['complete'];
const FAILED = ['error'];

function errorMatches(error: ErrorInfo | null, expected: Expectation | undefined): boolean {
  if (expected === undefined) return true;
  if (!error) return false;
  if (expected instanceof RegExp) return expected.test(error.message) || (error.code !== undefined && expected.test(error.code));
  return error.code === expected || error.message.includes(expected);
}

/** Every field of `expected` is in `actual` (recursively); asymmetric matchers are honoured. */
export function isSubset(actual: unknown, expected: unknown): boolean {
  if (expected && typeof (expected as { asymmetricMatch?: unknown }).asymmetricMatch === 'function') {
    return (expected as { asymmetricMatch(v: unknown): boolean }).asymmetricMatch(actual);
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => isSubset(actual[i], e));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => k in actual && isSubset((actual as Record<string, unknown>)[k], v));
  }
  return Object.is(actual, expected);
}

function stepRunOf(received: unknown): StepRun | null {
  const r = received as Partial<StepRun> | null;
  return r && typeof r === 'object' && (r.status === 'success' || r.status === 'failure') && typeof r.step === 'string' ? (r as StepRun) : null;
}

/** What `toHaveStep` checks: a state, or any of state, results (a subset), attempts and error. */
export type StepExpectation = StepState | { state?: StepState; results?: unknown; attempts?: number; error?: Expectation };

/** A workflow run's steps and transitions (runWorkflow's result, or anything shaped like it). */
function runOf(received: unknown): { steps: StepRecord[]; transitions: TransitionRecord[] } | null {
  const r = received as { steps?: unknown; transitions?: unknown } | null;
  return r && typeof r === 'object' && Array.isArray(r.steps) && Array.isArray(r.transitions) ? (r as { steps: StepRecord[]; transitions: TransitionRecord[] }) : null;
}

function describeStep(s: StepRecord): string {
  const error = s.error ? `, error ${describeError(s.error)}` : '';
  return `${s.state} after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, results ${JSON.stringify(s.results)}${error}`;
}

/** Which parts of `expected` the step does not meet, as phrases. */
function stepMismatches(s: StepRecord, expected: StepExpectation | undefined): string[] {
  if (expected === undefined) return [];
  const e = typeof expected === 'string' ? { state: expected } : expected;
  const out: string[] = [];
  if (e.state !== undefined && s.state !== e.state) out.push(`state ${e.state}`);
  if (e.attempts !== undefined && s.attempts !== e.attempts) out.push(`${e.attempts} attempts`);
  if (e.results !== undefined && !isSubset(s.results, e.results)) out.push(`results containing ${JSON.stringify(e.results)}`);
  if (e.error !== undefined && !errorMatches(s.error, e.error)) out.push(`error ${String(e.error)}`);
  return out;
}

export const stepwiseMatchers = {
  toBeIn(this: MatcherThis, received: unknown, state: string): MatcherResult {
    const t = taskOf(received);
    if (!t) return notATask('toBeIn', received);
    const pass = t.currentState === state;
    return {
      pass,
      message: () => (this.isNot ? `expected the flow not to be in state "${state}", but it is` : `expected the flow to be in state "${state}", but it is ${describeTask(t)}`),
      actual: t.currentState,
      expected: state,
    };
  },

  toBeWaitingUntil(this: MatcherThis, received: unknown, state: string): MatcherResult {
    const t = taskOf(received);
    if (!t) return notATask('toBeWaitingUntil', received);
    const pass = t.status === 'waiting' && t.currentState === state;
    const wake = t.wakeAt !== null ? `, wake_at ${new Date(t.wakeAt).toISOString()}` : '';
    return {
      pass,
      message: () =>
        this.isNot
          ? `expected the flow not to be waiting in state "${state}", but it is${wake}`
          : `expected the flow to be waiting in state "${state}", but it is ${describeTask(t)}`,
    };
  },

  toBeCompleted(this: MatcherThis, received: unknown): MatcherResult {
    const t = taskOf(received);
    if (!t) return notATask('toBeCompleted', received);
    return {
      pass: COMPLETED.includes(t.status),
      message: () => (this.isNot ? `expected the task not to be completed, but it is ${describeTask(t)}` : `expected the task to be completed, but it is ${describeTask(t)}`),
    };
  },

  toBeFailed(this: MatcherThis, received: unknown, codeOrMessage?: Expectation): MatcherResult {
    const t = taskOf(received);
    if (!t) return notATask('toBeFailed', received);
    const failed = FAILED.includes(t.status);
    const pass = failed && errorMatches(t.error, codeOrMessage);
    const wanted = codeOrMessage === undefined ? 'to be failed' : `to be failed with ${String(codeOrMessage)}`;
    return {
      pass,
      message: () =>
        this.isNot
          ? `expected the task not ${wanted.slice(3)}, but it is ${describeTask(t)}`
          : `expected the task ${wanted}, but it is ${failed ? `failed with ${describeError(t.error)}` : describeTask(t)}`,
    };
  },

  toSucceedWith(this: MatcherThis, received: unknown, partialResults: unknown): MatcherResult {
    const run = stepRunOf(received);
    if (!run) return { pass: false, message: () => `toSucceedWith expects the result of runStep(), but received ${JSON.stringify(received)?.slice(0, 200)}` };
    const pass = run.status === 'success' && isSubset(run.results, partialResults);
    return {
      pass,
      message: () => {
        const want = JSON.stringify(partialResults);
        if (this.isNot) return `expected step "${run.step}" not to succeed with ${want}, but it did: ${JSON.stringify(run.results)}`;
        if (run.status !== 'success') return `expected step "${run.step}" to succeed with ${want}, but it failed with ${describeError(run.error)}`;
        return `expected step "${run.step}" to succeed with results containing ${want}, but its results are ${JSON.stringify(run.results)}`;
      },
      actual: run.results,
      expected: partialResults,
    };
  },

  toHaveStep(this: MatcherThis, received: unknown, name: string, expected?: StepExpectation): MatcherResult {
    const run = runOf(received);
    if (!run) return { pass: false, message: () => `toHaveStep expects the result of runWorkflow() (steps and transitions), but received ${JSON.stringify(received)?.slice(0, 200)}` };
    const step = run.steps.find((s) => s.name === name);
    const wanted = expected === undefined ? '' : ` with ${typeof expected === 'string' ? `state ${expected}` : JSON.stringify(expected)}`;
    if (!step) {
      return { pass: false, message: () => `expected a step "${name}"${wanted}, but there is none; the steps are ${run.steps.map((s) => s.name).join(', ') || '(none)'}` };
    }
    const missing = stepMismatches(step, expected);
    return {
      pass: missing.length === 0,
      message: () =>
        this.isNot
          ? `expected step "${name}" not to be there${wanted}, but it is: ${describeStep(step)}`
          : `expected step "${name}" to have ${missing.join(', ')}, but it is ${describeStep(step)}`,
    };
  },

  toHaveCompletedInOrder(this: MatcherThis, received: unknown, names: readonly string[]): MatcherResult {
    const run = runOf(received);
    if (!run) return { pass: false, message: () => `toHaveCompletedInOrder expects the result of runWorkflow(), but received ${JSON.stringify(received)?.slice(0, 200)}` };
    const order = run.transitions.filter((t) => t.stepName !== null && t.to === 'complete').map((t) => t.stepName!);
    // `names` in this order among the completed steps; others may complete in between.
    let at = 0;
    for (const n of order) if (n === names[at]) at += 1;
    return {
      pass: at === names.length,
      message: () =>
        this.isNot
          ? `expected ${names.join(' → ')} not to complete in this order, but they did (completed: ${order.join(' → ')})`
          : `expected ${names.join(' → ')} to complete in this order, but the steps completed ${order.join(' → ') || '(none)'}`,
    };
  },

  toFailWith(this: MatcherThis, received: unknown, codeOrMessage: Expectation): MatcherResult {
    const run = stepRunOf(received);
    if (!run) return { pass: false, message: () => `toFailWith expects the result of runStep(), but received ${JSON.stringify(received)?.slice(0, 200)}` };
    const pass = run.status === 'failure' && errorMatches(run.error, codeOrMessage);
    return {
      pass,
      message: () => {
        if (this.isNot) return `expected step "${run.step}" not to fail with ${String(codeOrMessage)}, but it failed with ${describeError(run.error)}`;
        if (run.status !== 'failure') return `expected step "${run.step}" to fail with ${String(codeOrMessage)}, but it succeeded with ${JSON.stringify(run.results)}`;
        return `expected step "${run.step}" to fail with ${String(codeOrMessage)}, but it failed with ${describeError(run.error)}`;
      },
    };
  },
};

export interface StepwiseMatchers<R = unknown> {
  /** The flow's current state is `state`. */
  toBeIn(state: string): R;
  /** The flow is `waiting` in `state`. */
  toBeWaitingUntil(state: string): R;
  toBeCompleted(): R;
  /** Failed; optionally with this error code, or a message containing the text (or matching the RegExp). */
  toBeFailed(codeOrMessage?: string | RegExp): R;
  /** A runStep() result that succeeded with results containing these fields. */
  toSucceedWith(partialResults: unknown): R;
  /** A runStep() result that failed with this error code or message text. */
  toFailWith(codeOrMessage: string | RegExp): R;
  /** A runWorkflow() result has step `name`, optionally in this state (or with these attempts, results, error). */
  toHaveStep(name: string, expected?: StepExpectation): R;
  /** A runWorkflow() result's steps completed in this order (others may complete in between). */
  toHaveCompletedInOrder(names: readonly string[]): R;
}

// Importing anything from `stepwise-workflows/testing` types the matchers on vitest's `expect`.
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends StepwiseMatchers<T> {}
}
