/**
 * Pure planners for a step's life on an executor: claim, success (with the decision and batch
 * rules), failure (retry with backoff or error), and recovery of an interrupted attempt. Each
 * planner checks its precondition on the draft and does nothing when it no longer holds (the
 * step was cancelled, or another engine took it), so a plan can be recomputed after a STALE.
 */
import { attemptOfAllowed } from '../../model/attempts.js';
import type { ErrorInfo } from '../../model/errors.js';
import type { AttemptOutcome, AttemptRecord, Json, LogLine, StepRecord } from '../../model/runtime.js';
import type { StepTemplate, WorkflowTemplate } from '../../model/template.js';
import type { HandlerFailure } from '../../executor/failure.js';
import { summarizeFailure } from '../../limits/index.js';
import { retryDelayMs, type Random } from '../runtime/backoff.js';
import type { Draft } from '../runtime/draft.js';
import { openAttemptRecord } from '../runtime/records.js';
import { propagateReadiness } from './readiness.js';
import { interpretBatches, interpretDecision } from './stepResults.js';
import { planStepwiseWorkers, planTaskerWorkers, spawnWorkers, type WorkerPlan } from './batches.js';
import { settleTask } from './taskStatus.js';

export interface PlanEnv {
  template: WorkflowTemplate;
  owner: string;
  leaseMs: number;
  newId: () => string;
  random: Random;
}

export interface AttemptRef {
  id: string;
  number: number;
  startedAt: number;
  logs: LogLine[];
}

const stepIndex = new WeakMap<WorkflowTemplate, Map<string, StepTemplate>>();

export function stepTemplateOf(template: WorkflowTemplate, step: Pick<StepRecord, 'templateStep'>): StepTemplate | undefined {
  let index = stepIndex.get(template);
  if (!index) stepIndex.set(template, (index = new Map(template.steps.map((s) => [s.name, s]))));
  return index.get(step.templateStep);
}

/** ready → running under this engine's lease, with a new attempt row. Returns the attempt or null. */
export function planClaim(d: Draft, name: string, env: PlanEnv): AttemptRef | null {
  const step = d.step(name);
  if (!step || step.state !== 'ready') return null;
  const number = step.attempts + 1;
  d.moveStep(name, 'running', `attempt ${number} claimed by ${env.owner}`, {
    set: { attempts: number, leaseOwner: env.owner, leaseExpiresAt: d.now + env.leaseMs, retryAt: null, progress: null },
    details: { attempt: number, owner: env.owner },
  });
  const attempt: AttemptRef = { id: env.newId(), number, startedAt: d.now, logs: [] };
  d.insertAttempt(openAttemptRecord({ id: attempt.id, taskId: d.task.id, stepName: name, number, startedAt: d.now, logs: [] }));
  settleTask(d, env.template.deleteAfterMs);
  return attempt;
}

export function ownsAttempt(d: Draft, name: string, attempt: AttemptRef, owner: string): boolean {
  const step = d.step(name);
  return !!step && step.state === 'running' && step.leaseOwner === owner && step.attempts === attempt.number;
}

export function finishAttempt(
  d: Draft,
  attempt: AttemptRef,
  outcome: AttemptOutcome,
  extra: { error?: ErrorInfo | null; output?: Json } = {},
): void {
  d.updateAttempt(attempt.id, {
    finishedAt: d.now,
    durationMs: d.now - attempt.startedAt,
    outcome,
    error: extra.error ?? null,
    output: extra.output ?? null,
    // A copy: the attempt's array takes lines from the handler's leftover code after its end, and
    // a synchronous commit (Storage.sync) may keep what it is given.
    logs: attempt.logs.slice(),
  });
}

const RELEASE = { leaseOwner: null, leaseExpiresAt: null } as const;

/** The handler returned `value` (already JSON). Decisions and batches are interpreted here. */
export function planSuccess(d: Draft, name: string, attempt: AttemptRef, value: Json, env: PlanEnv): void {
  if (!ownsAttempt(d, name, attempt, env.owner)) return;
  const step = d.requireStep(name);
  let results = value;
  let proceed: string[] | null = null;
  let workers: WorkerPlan | null = null;
  if (step.type === 'decision') {
    const r = interpretDecision(name, value, d.dependentsOf(name));
    if (!r.ok) return planFailure(d, name, attempt, 'error', r.failure, env);
    ({ proceed, results } = r.value);
  } else if (step.type === 'batchable') {
    const r = interpretBatches(name, value);
    if (!r.ok) return planFailure(d, name, attempt, 'error', r.failure, env);
    results = r.value.results;
    if (r.value.kind === 'stepwise') {
      workers = planStepwiseWorkers(d, name, r.value.batches);
    } else {
      const planned = planTaskerWorkers(d, name, r.value, env);
      if (!planned.ok) return planFailure(d, name, attempt, 'error', planned.failure, env);
      workers = planned.plan;
    }
  }
  finishAttempt(d, attempt, 'success', { output: results });
  d.moveStep(name, 'complete', 'handler succeeded', { set: { results, error: null, ...RELEASE }, details: { attempt: attempt.number } });
  const finished = [name];
  if (proceed) finished.push(...skipUnchosen(d, name, proceed));
  if (workers) finished.push(...spawnWorkers(d, name, workers, env));
  propagateReadiness(d, finished);
  settleTask(d, env.template.deleteAfterMs);
}

function skipUnchosen(d: Draft, decision: string, proceed: string[]): string[] {
  const skipped: string[] = [];
  const chose = proceed.length ? proceed.join(', ') : 'none of its dependents';
  for (const dependent of d.dependentsOf(decision)) {
    if (proceed.includes(dependent) || d.step(dependent)?.state !== 'pending') continue;
    d.moveStep(dependent, 'skipped', `decision '${decision}' chose ${chose}`, { details: { decision, proceed } });
    skipped.push(dependent);
  }
  return skipped;
}

export function failureOfTimeout(name: string, timeoutMs: number): HandlerFailure {
  return {
    error: { class: 'TimeoutError', code: 'TIMEOUT', message: `Step '${name}' did not finish within its timeout of ${timeoutMs / 1000}s; the attempt was aborted.` },
    retryable: true,
  };
}

/** The attempt failed (error or timeout): schedule a retry while the budget allows, else error. */
export function planFailure(
  d: Draft,
  name: string,
  attempt: AttemptRef,
  outcome: 'error' | 'timeout',
  failure: HandlerFailure,
  env: PlanEnv,
): void {
  if (!ownsAttempt(d, name, attempt, env.owner)) return;
  const step = d.requireStep(name);
  const policy = stepTemplateOf(env.template, step)?.retry;
  finishAttempt(d, attempt, outcome, { error: failure.error });
  // The whole failure is on the attempt; the step, its transition and events repeat a summary.
  const error = summarizeFailure(failure.error, attempt.id);
  const retry = failure.retryable && policy?.retryable !== false && step.attempts < step.maxAttempts;
  if (retry && policy) {
    const options = failure.retryAfterMs === undefined ? { random: env.random } : { retryAfterMs: failure.retryAfterMs, random: env.random };
    const delay = retryDelayMs(policy, step.attempts, options);
    d.moveStep(name, 'waiting_for_retry', `attempt ${step.attempts} failed (${error.message}); retrying in ${delay} ms`, {
      set: { error, retryAt: d.now + delay, ...RELEASE },
      details: { attempt: step.attempts, delayMs: delay },
    });
  } else {
    const why = !failure.retryable ? 'not retryable' : attemptOfAllowed(step.attempts, step.maxAttempts);
    d.moveStep(name, 'error', `${error.message} (${why})`, {
      set: { error, ...RELEASE },
      details: { attempt: step.attempts },
    });
  }
  settleTask(d, env.template.deleteAfterMs);
}

/** A waiting_for_retry step whose time came: back to ready. */
export function planRetryDue(d: Draft, name: string, env: PlanEnv): void {
  const step = d.step(name);
  if (!step || step.state !== 'waiting_for_retry' || (step.retryAt ?? 0) > d.now) return;
  d.moveStep(name, 'ready', 'retry due', { set: { retryAt: null } });
  settleTask(d, env.template.deleteAfterMs);
}

/**
 * A running step whose lease expired (its process died): attempt `interrupted`. The attempt
 * counts: back to ready while attempts are left, else `error` saying how often it was
 * interrupted. `interruptedBefore`: the step's earlier interrupted attempts.
 */
export function planInterrupted(d: Draft, name: string, open: AttemptRecord | null, interruptedBefore: number, env: PlanEnv): void {
  const step = d.step(name);
  if (!step || step.state !== 'running' || step.leaseExpiresAt === null || step.leaseExpiresAt > d.now) return;
  const owner = step.leaseOwner;
  const died = { class: 'Interrupted', message: `The engine '${owner}' running this attempt stopped (its lease expired).` };
  if (open) {
    d.updateAttempt(open.id, { finishedAt: d.now, durationMs: d.now - open.startedAt, outcome: 'interrupted', error: died });
  }
  if (step.attempts < step.maxAttempts) {
    d.moveStep(name, 'ready', `lease of ${owner} expired; attempt ${step.attempts} interrupted`, {
      set: RELEASE,
      details: { attempt: step.attempts, owner },
    });
  } else {
    const times = interruptedBefore + 1;
    const error = {
      class: 'InterruptedError',
      code: 'INTERRUPTED',
      message:
        `Step '${name}' was interrupted ${times} ${times === 1 ? 'time' : 'times'}: the process running it died (the lease of ${owner} expired) ` +
        `and its ${step.maxAttempts} ${step.maxAttempts === 1 ? 'attempt is' : 'attempts are'} used up. Find why the process dies (memory, a crash in the handler), then retry the step.`,
      details: { step: name, interrupted: times, attempts: step.attempts, maxAttempts: step.maxAttempts },
    };
    d.moveStep(name, 'error', `lease of ${owner} expired; ${attemptOfAllowed(step.attempts, step.maxAttempts)} interrupted`, {
      set: { ...RELEASE, error },
      details: { attempt: step.attempts, owner },
    });
  }
  settleTask(d, env.template.deleteAfterMs);
}
