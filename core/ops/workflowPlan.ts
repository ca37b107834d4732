/**
 * The pure planner of the workflow operations. It plans on the engine's own Draft, so every state
 * change is checked against core/model's transition table and records its transition and event
 * exactly as the engine would; readiness of dependents and the task status follow from the
 * engine's readiness planner and settleTask. Nothing here reads storage or the clock.
 */
import type { AttemptRecord, Json, NewTransition, StepRecord, TaskRecord } from '../model/runtime.js';
import { workingStatus, type StepState } from '../model/states.js';
import type { WorkflowTemplate } from '../model/template.js';
import { assertNever, StepwiseError } from '../model/errors.js';
import { Draft } from '../engine/runtime/draft.js';
import { buildView } from '../engine/runtime/view.js';
import { propagateReadiness, readinessOf } from '../engine/workflow/readiness.js';
import { leafResults, settleTask } from '../engine/workflow/taskStatus.js';
import { planCancel } from '../engine/workflow/cancel.js';
import { stepTemplateOf, type PlanEnv } from '../engine/workflow/outcome.js';
import { maxAttemptsOf } from '../engine/workflow/create.js';
import { childOf, planWaitDue } from '../engine/workflow/waits.js';
import { cascadeRequired, invalidState, unknownStep } from './errors.js';
import { changesOf } from './changes.js';
import { downstreamOf, topologicalOrder } from './graph.js';
import { planBreakpoints, planContinue, planPause, type DebugPlan } from './debugPlan.js';
import type { Followups, OpName, OpRequest, Plan } from './types.js';

export interface WorkflowSnapshot {
  task: TaskRecord;
  steps: readonly StepRecord[];
  template: WorkflowTemplate;
  now: number;
  /** Attempts without an outcome, by step (cancel records them as cancelled). */
  openAttempts: ReadonlyMap<string, AttemptRecord>;
}

export type WorkflowRequest = Exclude<OpRequest, { op: 'fireInteraction' | 'retryState' | 'goTo' | 'updateData' }>;

const UNFINISHED = ['running', 'waiting', 'error'] as const;

class Planner {
  readonly d: Draft;
  readonly notes: string[] = [];
  readonly transitions: NewTransition[] = [];
  readonly followups: Followups = { abort: [], cancelChildren: [] };
  readonly env: PlanEnv;
  readonly order: string[];

  constructor(readonly snap: WorkflowSnapshot) {
    this.d = new Draft(buildView(snap.task, snap.steps), snap.now, 'user');
    this.order = topologicalOrder(snap.steps);
    // Operations create no records and draw no jitter: these are never called on the paths used here.
    this.env = {
      template: snap.template,
      owner: 'user',
      leaseMs: 0,
      newId: () => {
        throw new Error('operations do not create records');
      },
      random: () => 1,
    };
  }

  /** `accepts` names working statuses: a paused task is judged by the status it returns to. */
  requireTask(op: OpName, accepts: readonly string[]): void {
    const status = this.d.task.status;
    if (!accepts.includes(workingStatus(this.d.task))) {
      const hint = status === 'cancelled' ? 'A cancelled task cannot be changed.' : '';
      throw invalidState(op, { kind: 'task', name: this.d.task.id }, status, accepts, hint);
    }
  }

  requireStep(op: OpName, name: string, accepts: readonly StepState[], hint = ''): StepRecord {
    const step = this.d.step(name);
    if (!step) throw unknownStep(op, this.d.task.id, name, this.order);
    if (!accepts.includes(step.state)) throw invalidState(op, { kind: 'step', name }, step.state, accepts, hint);
    return step;
  }

  stateOf = (n: string) => this.d.step(n)?.state;

  downstream(name: string): string[] {
    return downstreamOf(name, (n) => this.d.dependentsOf(n), this.order);
  }

  /** The template's attempt budget for a step (a wait gets one). */
  budget(step: StepRecord): number {
    const t = stepTemplateOf(this.snap.template, step);
    return t ? maxAttemptsOf(t) : Math.max(1, step.maxAttempts);
  }

  /** Downstream steps back to pending, for a reset with cascade. Refuses a running one. */
  resetDownstream(op: OpName, names: readonly string[]): void {
    for (const n of names) {
      const s = this.d.requireStep(n);
      if (s.state === 'running' || s.state === 'cancelled') {
        throw invalidState(op, { kind: 'step', name: n }, s.state, ['pending', 'ready', 'waiting', 'waiting_for_retry', 'error', 'complete', 'resolved_manually', 'skipped'], `It is downstream of the step being reset; ${s.state === 'running' ? 'wait for it to finish' : 'it cannot be reset'}.`);
      }
    }
    for (const n of names) {
      const s = this.d.requireStep(n);
      if (s.state === 'pending') continue;
      this.d.moveStep(n, 'pending', 'reset with an upstream step', {
        set: { results: null, error: null, retryAt: null, wakeAt: null, maxAttempts: s.attempts + this.budget(s) },
      });
    }
  }

  debug(plan: DebugPlan): void {
    this.d.patchTask(plan.set);
    this.transitions.push(...plan.transitions);
    for (const e of plan.events) this.d.event(e.type, e.stepName, e.payload as never);
  }

  settle(): void {
    settleTask(this.d, this.snap.template.deleteAfterMs);
  }
}

function retryStep(p: Planner, name: string): void {
  p.requireTask('retryStep', UNFINISHED);
  const s = p.requireStep('retryStep', name, ['error', 'waiting_for_retry', 'pending']);
  if (s.state === 'pending' && readinessOf(s, p.stateOf) !== 'ready') {
    throw invalidState('retryStep', { kind: 'step', name }, 'pending with unfinished dependencies', ['error', 'waiting_for_retry', 'pending (dependencies done)'], 'It becomes ready by itself when its dependencies are done.');
  }
  if (s.state !== 'pending' && s.attempts >= s.maxAttempts) {
    p.notes.push(`'${name}' has used the ${s.maxAttempts} attempt${s.maxAttempts === 1 ? '' : 's'} its retry policy allows: this is one more, and if it fails the step is in error again at once. Reset for retry (stepwise reset) gives it a fresh set of ${s.maxAttempts} instead.`);
  }
  p.d.moveStep(name, 'ready', 'retried', { set: { retryAt: null }, details: { attempts: s.attempts } });
  p.settle();
}

function resetForRetry(p: Planner, name: string, attempts: number | undefined): void {
  p.requireTask('resetForRetry', UNFINISHED);
  const s = p.requireStep('resetForRetry', name, ['error', 'waiting_for_retry']);
  const budget = attempts ?? p.budget(s);
  if (!Number.isInteger(budget) || budget < 1) throw new StepwiseError('USAGE', `resetForRetry: attempts must be a whole number of at least 1, got ${budget}.`, { attempts: budget });
  p.notes.push(`'${name}' gets a new set of ${budget} attempt${budget === 1 ? '' : 's'}: it has run ${s.attempts} time${s.attempts === 1 ? '' : 's'}, so it may run up to ${s.attempts + budget} times in all.`);
  p.d.moveStep(name, 'ready', 'reset for retry with a new attempt budget', {
    set: { retryAt: null, maxAttempts: s.attempts + budget },
    details: { attemptsUsed: s.attempts, budget },
  });
  p.settle();
}

/** Dependents that ran (anything but pending) must be reset with cascade, or the reset is refused. */
function requireCascade(p: Planner, op: OpName, name: string, cascade: boolean | undefined): string[] {
  const ran = p.downstream(name).filter((n) => p.stateOf(n) !== 'pending');
  if (ran.length > 0 && !cascade) throw cascadeRequired(op, name, ran);
  return ran;
}

function markPending(p: Planner, name: string, cascade: boolean | undefined): void {
  p.requireTask('markPending', [...UNFINISHED, 'complete']);
  const s = p.requireStep('markPending', name, ['ready', 'error', 'waiting_for_retry', 'waiting', 'complete', 'resolved_manually', 'skipped']);
  p.resetDownstream('markPending', requireCascade(p, 'markPending', name, cascade));
  if (s.type === 'subtask' && s.state === 'waiting') p.notes.push(`The sub-task ${childOf(s) ?? ''} of '${name}' keeps running; cancel it separately if it should stop.`);
  p.d.moveStep(name, 'pending', 'parked', { set: { retryAt: null, wakeAt: null } });
  p.notes.push(`'${name}' stays pending until it is retried (Retry step, stepwise retry).`);
  p.settle();
}

function updateResults(p: Planner, name: string, results: Json): void {
  p.requireTask('updateResults', [...UNFINISHED, 'complete']);
  const s = p.requireStep('updateResults', name, ['complete', 'resolved_manually']);
  if (results === undefined) throw new StepwiseError('USAGE', 'updateResults needs results (JSON).');
  p.d.patchStep(name, { results });
  p.transitions.push({
    taskId: p.d.task.id,
    stepName: name,
    field: 'data',
    from: JSON.stringify(s.results),
    to: JSON.stringify(results),
    reason: 'results updated',
    actor: 'user',
    at: p.d.now,
    details: { previousResults: s.results, results },
  });
  if (p.d.task.status === 'complete') p.d.patchTask({ result: leafResults(p.d) });
  const ran = p.downstream(name).filter((n) => p.stateOf(n) !== 'pending' && p.stateOf(n) !== 'skipped');
  if (ran.length > 0) p.notes.push(`Already ran with the old results: ${ran.join(', ')} (Rerun from here on '${name}', with cascade, runs them again).`);
}

function resolveManually(p: Planner, op: 'resolveManually' | 'markCompleted', name: string, results: Json): void {
  p.requireTask(op, UNFINISHED);
  const s = p.requireStep(op, name, ['error', 'waiting_for_retry', 'waiting']);
  if (s.type === 'subtask' && s.state === 'waiting') p.notes.push(`The sub-task ${childOf(s) ?? ''} of '${name}' keeps running; cancel it separately if it should stop.`);
  p.d.moveStep(name, 'resolved_manually', 'resolved manually', {
    set: { results: results ?? null, error: null, retryAt: null, wakeAt: null },
    details: { results: results ?? null },
  });
  propagateReadiness(p.d, [name]);
  p.settle();
}

function skipStep(p: Planner, name: string): void {
  p.requireTask('skipStep', UNFINISHED);
  p.requireStep('skipStep', name, ['pending', 'ready', 'error', 'waiting_for_retry', 'waiting']);
  p.d.moveStep(name, 'skipped', 'skipped', { set: { retryAt: null, wakeAt: null } });
  propagateReadiness(p.d, [name]);
  p.settle();
}

function cancelTask(p: Planner): void {
  p.requireTask('cancelTask', ['pending', ...UNFINISHED]);
  const plan = planCancel(p.d, 'cancelled', p.snap.openAttempts, p.snap.template.deleteAfterMs);
  p.followups.abort.push(...plan.running);
  for (const name of plan.subtasks) {
    const child = childOf(p.d.requireStep(name));
    if (child) p.followups.cancelChildren.push(child);
  }
}

function rerunFromStep(p: Planner, name: string, cascade: boolean | undefined): void {
  p.requireTask('rerunFromStep', [...UNFINISHED, 'complete']);
  const s = p.requireStep('rerunFromStep', name, ['complete', 'resolved_manually', 'skipped']);
  const downstream = p.downstream(name);
  const resets = downstream.filter((n) => p.stateOf(n) !== 'pending');
  if (!cascade) {
    if (resets.length > 0) throw cascadeRequired('rerunFromStep', name, resets);
    throw new StepwiseError('INVALID_STATE', `rerunFromStep resets '${name}' and everything downstream of it; pass cascade: true (--cascade) to confirm. Nothing was changed.`, {
      op: 'rerunFromStep',
      target: 'step',
      name,
      found: 'no cascade',
      accepts: ['cascade'],
      dependents: [],
    });
  }
  for (const n of [name, ...downstream]) {
    const step = p.d.requireStep(n);
    const created = p.order.filter((m) => p.d.step(m)?.createdBy === n);
    if (step.type === 'batchable' && created.length > 0) {
      throw new StepwiseError(
        'INVALID_STATE',
        `rerunFromStep: '${n}' created batch workers (${created.join(', ')}); running it again would create them twice. Rerun from the workers (or a step after them) instead. Nothing was changed.`,
        { op: 'rerunFromStep', target: 'step', name: n, found: 'batch expanded', accepts: ['steps after the batch expansion'], dependents: created },
      );
    }
  }
  p.resetDownstream('rerunFromStep', resets);
  p.d.moveStep(name, 'ready', 'rerun', { set: { results: null, error: null, maxAttempts: s.attempts + p.budget(s) } });
  p.settle();
}

/** Retry backoffs and timed waits (one, or every one of the task) become due now. */
function skipWait(p: Planner, op: 'skipWait' | 'wakeNow', name: string | undefined): void {
  p.requireTask(op, ['running', 'waiting']);
  const timed = (s: StepRecord) => s.state === 'waiting_for_retry' || (s.state === 'waiting' && s.type === 'wait' && s.wakeAt !== null);
  let names: string[];
  if (name !== undefined) {
    const s = p.d.step(name);
    if (!s) throw unknownStep(op, p.d.task.id, name, p.order);
    if (!timed(s)) throw invalidState(op, { kind: 'step', name }, s.state === 'waiting' ? `waiting without a time (${s.type})` : s.state, ['waiting_for_retry', 'waiting (a wait step with a duration or timeout)']);
    names = [name];
  } else {
    names = p.order.filter((n) => timed(p.d.requireStep(n)));
    if (names.length === 0) throw invalidState(op, { kind: 'task', name: p.d.task.id }, `${p.d.task.status} with nothing scheduled`, ['a step in waiting_for_retry', 'a timed wait']);
  }
  for (const n of names) {
    const s = p.d.requireStep(n);
    if (s.state === 'waiting_for_retry') {
      p.d.moveStep(n, 'ready', 'retry made due now', { set: { retryAt: null }, details: { retryAt: s.retryAt } });
    } else {
      // The wait's time (duration, or timeout when that comes first) is now: it ends as it would then.
      p.d.patchStep(n, { wakeAt: p.d.now });
      planWaitDue(p.d, n, p.env);
    }
  }
  p.settle();
}

export function planWorkflowOp(snap: WorkflowSnapshot, req: WorkflowRequest): Plan {
  const p = new Planner(snap);
  let stepName: string | null = null;
  switch (req.op) {
    case 'retryStep':
      retryStep(p, (stepName = req.step));
      break;
    case 'resetForRetry':
      resetForRetry(p, (stepName = req.step), req.attempts);
      break;
    case 'markPending':
      markPending(p, (stepName = req.step), req.cascade);
      break;
    case 'updateResults':
      updateResults(p, (stepName = req.step), req.results);
      break;
    case 'resolveManually':
    case 'markCompleted':
      resolveManually(p, req.op, (stepName = req.step), req.results);
      break;
    case 'skipStep':
      skipStep(p, (stepName = req.step));
      break;
    case 'cancelTask':
      cancelTask(p);
      break;
    case 'rerunFromStep':
      rerunFromStep(p, (stepName = req.step), req.cascade);
      break;
    case 'wakeNow':
      skipWait(p, 'wakeNow', undefined);
      break;
    case 'skipWait':
      skipWait(p, 'skipWait', (stepName = req.step ?? null) ?? undefined);
      break;
    case 'pause':
      p.debug(planPause(snap.task, snap.now, req.reason));
      break;
    case 'continue': {
      const ready = p.order.filter((n) => p.d.step(n)?.state === 'ready');
      const at = ready.flatMap((n) => [n, p.d.requireStep(n).templateStep]);
      p.debug(planContinue(snap.task, snap.now, at));
      break;
    }
    case 'setBreakpoints': {
      const known = [...new Set([...snap.template.steps.map((s) => s.name), ...p.order])];
      p.debug(planBreakpoints(snap.task, snap.now, req.names, known));
      break;
    }
    default:
      assertNever(req, 'workflow operation');
  }
  if (p.transitions.length > 0) p.d.extra = { transitions: p.transitions };
  const changeSet = p.d.toChangeSet();
  return {
    op: req.op,
    taskId: snap.task.id,
    version: snap.task.version,
    changes: changesOf(snap.task, p.d.view.steps, changeSet),
    notes: p.notes,
    changeSet,
    followups: p.followups,
    stepName,
  };
}
