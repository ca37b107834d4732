/**
 * Pure planning of a flow action run under a lease, the way a workflow step runs: the claim (the
 * flow task takes this engine's lease and counts one more attempt at its state), the end (success
 * moves on; a failure or a timeout is retried after a backoff while the state's `retry` allows,
 * else it fails the flow; a clean stop gives the action back uncounted), and the recovery of an
 * action whose engine died (its lease expired). No I/O: the driver and the attempt commit these.
 */
import { workingStatus } from '../../model/states.js';
import { toErrorInfo, type ErrorInfo } from '../../model/errors.js';
import { DEFAULT_RETRY, type ActionState, type FlowTemplate } from '../../model/template.js';
import type { Actor, AttemptRecord, Json, JsonObject, TaskRecord } from '../../model/runtime.js';
import type { ChangeSet } from '../../storage/storage.js';
import type { HandlerFailure } from '../../executor/failure.js';
import { summarizeFailure } from '../../limits/index.js';
import { retryDelayMs, type Random } from '../runtime/backoff.js';
import { planOutcome, type Plan } from './plan.js';
import { actionTarget } from './select.js';

/** The lease fields of a flow task that runs no action. */
export const NO_LEASE = { leaseOwner: null, leaseExpiresAt: null } as const;

/** The claim of the task's current action: this engine's lease, one more attempt at the state. */
export function planActionClaim(task: TaskRecord, now: number, owner: string, leaseMs: number): ChangeSet {
  return {
    updateTasks: [{ id: task.id, expectedVersion: task.version, set: { leaseOwner: owner, leaseExpiresAt: now + leaseMs, stateAttempts: task.stateAttempts + 1, updatedAt: now } }],
  };
}

/** What a claimed action is: where it stands and which of its state's attempts it is. */
export interface ActionClaim {
  state: ActionState;
  /** The task's `stateAttempts` after the claim (1 for the first attempt at the state). */
  stateAttempt: number;
  /** The attempt record's number (attempts of this state name over the flow's whole life). */
  number: number;
  owner: string;
  startedAt: number;
}

/** Whether the task still runs this claim here (not cancelled, moved on or taken over meanwhile). */
export function holdsAction(task: TaskRecord, claim: ActionClaim): boolean {
  return workingStatus(task) === 'running' && task.currentState === claim.state.name && task.leaseOwner === claim.owner && task.stateAttempts === claim.stateAttempt;
}

/** How many attempts the state allows (an interrupted one counts too). */
export function maxAttemptsOf(state: ActionState): number {
  return state.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
}

/** How a claimed action ended, as the flow records it. */
export type ActionEnd =
  | { kind: 'success'; value: Json; data: JsonObject; dataText: string }
  | { kind: 'failure'; failure: HandlerFailure; outcome: 'error' | 'timeout' }
  /** The engine stopped cleanly while it ran: given back, not counted. */
  | { kind: 'released' };

export interface ActionEnv {
  template: FlowTemplate;
  now: number;
  actor: Actor;
  random?: Random;
}

function attemptOf(task: TaskRecord, claim: ActionClaim, now: number, id: string, logs: AttemptRecord['logs']): AttemptRecord {
  return { id, taskId: task.id, stepName: claim.state.name, number: claim.number, startedAt: claim.startedAt, finishedAt: now, durationMs: now - claim.startedAt, outcome: null, error: null, output: null, logs };
}

/** The end of a claimed action: the attempt record, the move, retry or failure, and the lease released. */
export function planActionEnd(task: TaskRecord, claim: ActionClaim, end: ActionEnd, env: ActionEnv, attemptId: string, logs: AttemptRecord['logs']): Plan {
  const { template, now } = env;
  const input = { task, template, now, actor: env.actor };
  const attempt = attemptOf(task, claim, now, attemptId, logs);
  const name = claim.state.name;
  let plan: Plan;
  switch (end.kind) {
    case 'success': {
      let to: string;
      try {
        to = actionTarget(claim.state, end.value);
      } catch (err) {
        // What it chose is not allowed: the attempt becomes an error (not retried: it would choose again).
        const info = toErrorInfo(err);
        return planActionEnd(task, claim, { kind: 'failure', outcome: 'error', failure: { error: info, retryable: false } }, env, attemptId, logs);
      }
      attempt.outcome = 'success';
      attempt.output = { goTo: to };
      plan = planOutcome(input, { type: 'move', to, reason: `action ${name}` }, { data: end.data, dataText: end.dataText, attempt });
      plan.set.stateAttempts = 0;
      break;
    }
    case 'failure': {
      attempt.outcome = end.outcome;
      attempt.error = end.failure.error;
      const error = summarizeFailure(end.failure.error, attempt.id);
      const policy = claim.state.retry;
      const code = error.code ?? 'HANDLER_ERROR';
      if (policy && policy.retryable && end.failure.retryable && claim.stateAttempt < policy.maxAttempts) {
        const options = end.failure.retryAfterMs === undefined ? (env.random ? { random: env.random } : {}) : { retryAfterMs: end.failure.retryAfterMs };
        const delay = retryDelayMs(policy, claim.stateAttempt, options);
        const reason = `${name}: attempt ${claim.stateAttempt} of ${policy.maxAttempts} failed (${code === 'HANDLER_ERROR' ? error.class : code}); retrying in ${delay} ms`;
        plan = planOutcome(input, { type: 'sleep', reason, at: now + delay }, { attempt });
      } else {
        plan = planOutcome(input, { type: 'fail', error, reason: `${name}: ${code === 'HANDLER_ERROR' ? error.class : code}` }, { attempt });
      }
      break;
    }
    case 'released': {
      attempt.outcome = 'interrupted';
      attempt.error = { class: 'Interrupted', message: `The engine '${claim.owner}' stopped while the action ran; it runs again (this attempt does not count toward max_attempts).` };
      return {
        changes: { updateTasks: [{ id: task.id, expectedVersion: task.version, set: { ...NO_LEASE, stateAttempts: Math.max(0, task.stateAttempts - 1), updatedAt: now } }], insertAttempts: [attempt] },
        set: { ...NO_LEASE, stateAttempts: Math.max(0, task.stateAttempts - 1), updatedAt: now },
      };
    }
  }
  Object.assign(plan.set, NO_LEASE);
  return plan;
}

/**
 * An active flow whose action lease expired (the engine running it died): the attempt is recorded
 * `interrupted` and counts. The flow is given back (it stays active at the state, for any engine to
 * run the action again) while attempts are left, else it fails with INTERRUPTED.
 */
export function planActionLeaseExpired(task: TaskRecord, state: ActionState, env: ActionEnv, attempt: { id: string; number: number }): Plan {
  const owner = task.leaseOwner ?? 'unknown';
  const startedAt = Math.max(0, (task.leaseExpiresAt ?? env.now) - 1);
  const record: AttemptRecord = {
    id: attempt.id, taskId: task.id, stepName: state.name, number: attempt.number, startedAt, finishedAt: env.now, durationMs: env.now - startedAt,
    outcome: 'interrupted', error: { class: 'Interrupted', message: `The engine '${owner}' running this action stopped (its lease expired).` }, output: null, logs: [],
  };
  const max = maxAttemptsOf(state);
  if (task.stateAttempts < max) {
    const set: Partial<TaskRecord> = { ...NO_LEASE, updatedAt: env.now };
    return {
      changes: {
        updateTasks: [{ id: task.id, expectedVersion: task.version, set }],
        insertAttempts: [record],
      },
      set,
    };
  }
  const times = task.stateAttempts;
  const error: ErrorInfo = {
    class: 'InterruptedError',
    code: 'INTERRUPTED',
    message:
      `Action '${state.name}' was interrupted ${times} ${times === 1 ? 'time' : 'times'}: the process running it died (the lease of ${owner} expired) ` +
      `and its ${max} ${max === 1 ? 'attempt is' : 'attempts are'} used up. Find why the process dies (memory, a crash in the handler), then retry the flow.`,
    details: { state: state.name, interrupted: times, maxAttempts: max },
  };
  const plan = planOutcome({ task, template: env.template, now: env.now, actor: 'engine' }, { type: 'fail', error, reason: `${state.name}: INTERRUPTED` }, { attempt: record });
  Object.assign(plan.set, NO_LEASE);
  return plan;
}
