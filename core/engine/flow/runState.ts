/**
 * One flow transition: run the current state (action handler, decision or wait conditions), or
 * apply a due timeout, and commit what it decided in one ChangeSet. Returns the committed
 * outcome, or null when the task changed underneath (STALE): the caller reloads and decides again.
 */
import { StaleError, StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { Actor, JsonObject, TaskRecord } from '../../model/runtime.js';
import { assertNever } from '../../model/errors.js';
import type { FlowContext } from '../../model/handlers.js';
import type { FlowState, FlowTemplate } from '../../model/template.js';
import type { ChangeSet } from '../../storage/storage.js';
import { summarizeFailure } from '../../limits/index.js';
import { runAttempt, type AbortSource, type AttemptResult } from './attempt.js';
import { flowTimedOut, unknownState } from './errors.js';
import { planOutcome, type FlowOutcome } from './plan.js';
import type { FlowRuntime } from './runtime.js';
import { branchReason, decisionBranch, waitBranch } from './select.js';
import { promised, after, type Maybe } from '../runtime/maybe.js';

export interface StepInput {
  task: TaskRecord;
  actor: Actor;
  abort: AbortSource;
  /** The task's template when the caller already resolved it. */
  template?: FlowTemplate;
  /** Called before a condition that answered with a Promise is awaited (the driver flushes). */
  beforeAwait?: () => Promise<void>;
}

/** What one state run (or timeout) decided, and the ChangeSet recording it (not yet committed). */
export interface Decided {
  outcome: FlowOutcome;
  changes: ChangeSet;
}

function decide(rt: FlowRuntime, input: StepInput, template: FlowTemplate, outcome: FlowOutcome, extras: Parameters<typeof planOutcome>[2] = {}): Decided {
  const plan = planOutcome({ task: input.task, template, now: rt.ctx.clock.now(), actor: input.actor }, outcome, extras);
  return { outcome, changes: plan.changes };
}

/** Commit a decision on its own; null on STALE (someone else changed the task first). */
export async function commitDecided(rt: FlowRuntime, decided: Decided): Promise<FlowOutcome | null> {
  try {
    await rt.commit(decided.changes);
    return decided.outcome;
  } catch (err) {
    if (err instanceof StaleError) return null;
    throw err;
  }
}

/** Commit `outcome` on its own; null on STALE. */
export function commitOutcome(rt: FlowRuntime, input: StepInput, template: FlowTemplate, outcome: FlowOutcome): Promise<FlowOutcome | null> {
  return commitDecided(rt, decide(rt, input, template, outcome));
}

function stateOf(template: FlowTemplate, name: string): FlowState {
  const state = template.states.find((s) => s.name === name);
  if (!state) throw unknownState(template, name);
  return state;
}

function attemptFor<T>(rt: FlowRuntime, input: StepInput, stepName: string, what: string, body: (ctx: FlowContext) => T | Promise<T>): Maybe<AttemptResult<T>> {
  const { task } = input;
  return after(rt.nextAttemptNumber(task, stepName), (number) =>
    runAttempt(
      {
        task,
        stepName,
        what,
        state: task.currentState ?? '',
        number,
        clock: rt.ctx.clock,
        abort: input.abort,
        subtasks: rt.subtasksOf(task),
        limits: rt.ctx.limits,
        onProgress: (fraction, message) => {
          const at = rt.ctx.clock.now();
          const payload = message === undefined ? { fraction } : { fraction, message };
          // Progress is advisory: a failed write must not fail the handler.
          promised(() => rt.commit({ events: [{ type: 'step.progress', taskId: task.id, stepName, at, payload }] })).catch(() => undefined);
        },
      },
      body,
    ),
  );
}

/** Turn an attempt into an outcome: failures fail the flow, with the error on attempt and task. */
function failed(result: AttemptResult<unknown> & { ok: false }, stateName: string): FlowOutcome {
  const code = result.info.code ?? 'HANDLER_ERROR';
  // The whole failure is on the attempt; the task and its event repeat a summary.
  return { type: 'fail', error: summarizeFailure(result.info, result.attempt.id), reason: `${stateName}: ${code === 'HANDLER_ERROR' ? result.info.class : code}` };
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === 'function';

/** Whether a timeout applied now runs an on_timeout handler (side effects). */
export function timeoutRunsHandler(template: FlowTemplate): boolean {
  const target = template.onTimeout;
  return target !== undefined && !template.states.some((s) => s.name === target);
}

/**
 * Runs the task's current state once and plans the result (the caller commits it). Synchronous
 * while the conditions answer synchronously and the attempt number is known (or storage is).
 */
export function runCurrentState(rt: FlowRuntime, input: StepInput): Maybe<Decided> {
  const { task } = input;
  const template = input.template ?? rt.templateOf(task);
  const name = task.currentState ?? template.startsWith;
  const state = stateOf(template, name);
  // A condition that answers synchronously is recorded at once; only one that returns a promise
  // makes the evaluation asynchronous (and flushes what is pending before it is awaited).
  const evaluator =
    (ctx: FlowContext, evaluated: Record<string, boolean>) =>
    (cond: string): boolean | Promise<boolean> => {
      const answer = rt.handler(cond, template, `condition of ${name}`)(ctx);
      if (!isThenable(answer)) return (evaluated[cond] = Boolean(answer));
      return (async () => {
        if (input.beforeAwait) await input.beforeAwait();
        return (evaluated[cond] = Boolean(await answer));
      })();
    };

  switch (state.type) {
    case 'action':
      // Actions have side effects: the driver claims them and runs them as attempts (./actionAttempt.ts).
      throw new StepwiseError('USAGE', `State ${name} is an action: it runs as a claimed attempt, not in a state run.`);
    case 'decision':
    case 'wait': {
      const evaluated: Record<string, boolean> = {};
      const attempt = attemptFor(rt, input, name, `The conditions of state '${name}'`, (ctx) =>
        state.type === 'decision' ? decisionBranch(state, evaluator(ctx, evaluated)) : waitBranch(state, evaluator(ctx, evaluated)),
      );
      return after(attempt, (result) => {
        if (!result.ok) return decide(rt, input, template, failed(result, name), { attempt: result.attempt });
        const branch = result.value;
        result.attempt.output = { conditions: evaluated, goTo: branch?.goTo ?? null };
        const extras = { data: result.data, dataText: result.dataText, attempt: result.attempt };
        if (!branch) return decide(rt, input, template, { type: 'sleep', reason: `${name}: no condition matched yet` }, extras);
        const details: JsonObject = { conditions: evaluated };
        if (branch.label) details.label = branch.label;
        return decide(rt, input, template, { type: 'move', to: branch.goTo, reason: branchReason(name, branch), details }, extras);
      });
    }
    case 'result':
      // Only reached when a task is placed on a result state directly (testState, goTo).
      return decide(rt, input, template, { type: 'move', to: name, reason: `reached result ${name}` });
    default:
      return assertNever(state, 'flow state');
  }
}

/** A waiting flow woken past its timeout: go to on_timeout's state, run its handler, or fail. */
export function applyTimeout(rt: FlowRuntime, input: StepInput): Maybe<Decided> {
  const { task } = input;
  const template = input.template ?? rt.templateOf(task);
  const now = rt.ctx.clock.now();
  const state = task.currentState ?? template.startsWith;
  const details: JsonObject = { timeoutAt: task.timeoutAt };
  const target = template.onTimeout;
  if (target === undefined) {
    const error = toErrorInfo(flowTimedOut(state, task.timeoutAt ?? now, now));
    return decide(rt, input, template, { type: 'fail', error, reason: 'timeout' }, { clearTimeout: true });
  }
  if (template.states.some((s) => s.name === target)) {
    return decide(rt, input, template, { type: 'move', to: target, reason: 'timeout', details }, { clearTimeout: true });
  }
  return after(attemptFor(rt, input, 'on_timeout', `The on_timeout handler '${target}'`, async (ctx) => rt.handler(target, template, 'on_timeout')(ctx)), (result) =>
    timeoutDecided(rt, input, template, result, state, now, details),
  );
}

function timeoutDecided(rt: FlowRuntime, input: StepInput, template: FlowTemplate, result: AttemptResult<unknown>, state: string, now: number, details: JsonObject): Decided {
  const { task } = input;
  const target = template.onTimeout!;
  if (!result.ok) return decide(rt, input, template, failed(result, 'on_timeout'), { attempt: result.attempt, clearTimeout: true });
  const chosen = result.value;
  if (typeof chosen === 'string' && template.states.some((s) => s.name === chosen)) {
    result.attempt.output = { goTo: chosen };
    return decide(rt, input, template, { type: 'move', to: chosen, reason: 'timeout', details }, { data: result.data, dataText: result.dataText, attempt: result.attempt, clearTimeout: true });
  }
  if (typeof chosen === 'string') {
    // A name that is no state is a bug in the hook, not a choice to keep waiting.
    const base = flowTimedOut(state, task.timeoutAt ?? now, now);
    const message = `TIMEOUT: the flow timed out in state ${state}; on_timeout handler ${target} returned "${chosen}", which is not a state of ${template.name}. Return a declared state, or nothing to keep waiting.`;
    const error = toErrorInfo(new StepwiseError('TIMEOUT', message, { ...base.details, returned: chosen }));
    return decide(rt, input, template, { type: 'fail', error, reason: 'timeout', keepData: true }, { data: result.data, dataText: result.dataText, attempt: result.attempt, clearTimeout: true });
  }
  // The operations gem's hook semantics: a hook that chooses no state leaves the flow waiting with
  // its data changes, and runs again at every later wake (a reminder, an escalation counter) until
  // it chooses a state or something else moves the flow: timeout_at becomes the next wake.
  result.attempt.output = { goTo: null };
  const next = now + template.delayMs;
  const reason = `timeout: on_timeout handler ${target} chose no state; waiting in ${state}`;
  return decide(rt, input, template, { type: 'sleep', reason, at: next }, { data: result.data, dataText: result.dataText, attempt: result.attempt, nextTimeoutAt: next });
}
