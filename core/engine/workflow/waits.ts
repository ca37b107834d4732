/**
 * Planners for steps that wait instead of running a handler to completion: `wait` steps (done on
 * a signal or at a time, error on timeout) and `subtask` steps (done when their child task is).
 */
import { NotFoundError, StepwiseError } from '../../model/errors.js';
import type { Json, TaskRecord } from '../../model/runtime.js';
import type { WaitConfig } from '../../model/template.js';
import type { ChangeSet } from '../../storage/storage.js';
import type { Draft } from '../runtime/draft.js';
import { finishAttempt, ownsAttempt, stepTemplateOf, type AttemptRef, type PlanEnv } from './outcome.js';
import { propagateReadiness } from './readiness.js';
import { settleTask } from './taskStatus.js';

/** The child task a waiting subtask step is waiting for (kept in its results while it waits). */
export function childOf(step: { results: Json }): string | null {
  const r = step.results;
  return r && typeof r === 'object' && !Array.isArray(r) && typeof r.childTaskId === 'string' ? r.childTaskId : null;
}

/** A waiting subtask step is re-checked this often, in case its child's completion was missed (a crash). */
export const SUBTASK_RECHECK_MS = 30_000;

export function waitWakeAt(wait: WaitConfig | undefined, now: number): number | null {
  const delays = [wait?.durationMs, wait?.timeoutMs].filter((v): v is number => v !== undefined);
  return delays.length ? now + Math.min(...delays) : null;
}

/** A ready wait step starts waiting (it needs no executor slot). */
export function planWaitStart(d: Draft, name: string, env: PlanEnv): void {
  const step = d.step(name);
  if (!step || step.state !== 'ready' || step.type !== 'wait') return;
  const wait = stepTemplateOf(env.template, step)?.wait;
  const wakeAt = waitWakeAt(wait, d.now);
  d.moveStep(name, 'waiting', wakeAt === null ? 'waiting for a signal' : `waiting until ${new Date(wakeAt).toISOString()}`, { set: { wakeAt } });
  settleTask(d, env.template.deleteAfterMs);
}

/** `signal(taskId, step, payload)`: a waiting (or ready) wait step completes with the payload. */
export function planSignal(d: Draft, name: string, payload: Json, env: PlanEnv): void {
  const step = d.step(name);
  if (!step) throw new NotFoundError('step', `${d.task.id}/${name}`, 'Check the step name with `stepwise show`.');
  if (step.type !== 'wait') {
    throw new StepwiseError('INVALID_STATE', `Step '${name}' is a ${step.type} step; only wait steps accept signals.`, { step: name, type: step.type });
  }
  if (step.state !== 'waiting' && step.state !== 'ready') {
    throw new StepwiseError(
      'INVALID_STATE',
      `Step '${name}' is ${step.state}; a signal is accepted only while it is waiting (or ready).`,
      { step: name, state: step.state, accepts: ['waiting', 'ready'] },
    );
  }
  if (step.state === 'ready') d.moveStep(name, 'waiting', 'signalled before it started waiting', { set: { wakeAt: null } });
  d.moveStep(name, 'complete', 'signal received', { set: { results: payload, wakeAt: null }, details: { signal: true } });
  propagateReadiness(d, [name]);
  settleTask(d, env.template.deleteAfterMs);
}

/** A waiting wait step whose time came: done after its duration, or error after its timeout. */
export function planWaitDue(d: Draft, name: string, env: PlanEnv): void {
  const step = d.step(name);
  if (!step || step.state !== 'waiting' || step.type !== 'wait' || step.wakeAt === null || step.wakeAt > d.now) return;
  const wait = stepTemplateOf(env.template, step)?.wait ?? {};
  const byTime = wait.durationMs !== undefined && (wait.timeoutMs === undefined || wait.durationMs <= wait.timeoutMs);
  if (byTime) {
    d.moveStep(name, 'complete', `waited ${wait.durationMs} ms`, { set: { results: { completedBy: 'time' }, wakeAt: null } });
    propagateReadiness(d, [name]);
  } else {
    const error = {
      class: 'TimeoutError',
      code: 'TIMEOUT',
      message: `Wait step '${name}' received no signal within ${wait.timeoutMs} ms. Signal it sooner, or raise wait.timeout.`,
    };
    d.moveStep(name, 'error', 'wait timed out', { set: { error, wakeAt: null } });
  }
  settleTask(d, env.template.deleteAfterMs);
}

/** The subtask step started its child (committed together with `child`). */
export function planSubtaskStarted(d: Draft, name: string, attempt: AttemptRef, child: { id: string; changes: ChangeSet }, env: PlanEnv): boolean {
  if (!ownsAttempt(d, name, attempt, env.owner)) return false;
  finishAttempt(d, attempt, 'success', { output: { childTaskId: child.id } });
  d.moveStep(name, 'waiting', `waiting for subtask ${child.id}`, {
    set: { wakeAt: d.now + SUBTASK_RECHECK_MS, results: { childTaskId: child.id }, leaseOwner: null, leaseExpiresAt: null },
    details: { childTaskId: child.id },
  });
  d.extra = child.changes;
  settleTask(d, env.template.deleteAfterMs);
  return true;
}

/** The child of a waiting subtask step finished: the step completes with its result, or fails. */
export function planSubtaskFinished(d: Draft, name: string, child: TaskRecord, env: PlanEnv): void {
  const step = d.step(name);
  if (!step || step.state !== 'waiting' || step.type !== 'subtask') return;
  if (child.status === 'complete') {
    // A flow has no result of its own: its final state and data are what the parent gets.
    const results = child.kind === 'flow' ? { state: child.currentState, data: child.data } : child.result;
    d.moveStep(name, 'complete', `subtask ${child.id} completed`, { set: { results, wakeAt: null, error: null }, details: { childTaskId: child.id } });
    propagateReadiness(d, [name]);
  } else {
    const cause = child.error ? `: ${child.error.message}` : '';
    const error = {
      class: 'SubtaskError',
      code: 'SUBTASK_FAILED',
      message: `Subtask ${child.id} (${child.templateRef}) ended ${child.status}${cause}`,
      details: { childTaskId: child.id, childStatus: child.status },
    };
    d.moveStep(name, 'error', `subtask ${child.id} ended ${child.status}`, { set: { error, wakeAt: null }, details: { childTaskId: child.id } });
  }
  settleTask(d, env.template.deleteAfterMs);
}

/** The child is still running: look again later. */
export function planSubtaskRecheck(d: Draft, name: string): void {
  const step = d.step(name);
  if (!step || step.state !== 'waiting' || step.type !== 'subtask') return;
  d.patchStep(name, { wakeAt: d.now + SUBTASK_RECHECK_MS });
}
