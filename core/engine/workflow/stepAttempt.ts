/**
 * A workflow step's attempt, as the runtime runs it (../runtime/attempts.ts): the executor job
 * built from the task view (the step's context), its lease and progress on the step record, and
 * its end recorded through the pure planners — success (decisions, batches, a subtask's child),
 * failure with retry or error, timeout, or a clean stop's release — with the task's next ready
 * steps claimed in the same commit when the chain allows (./chain.ts).
 */
import { StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { Json, StepRecord } from '../../model/runtime.js';
import type { StepTemplate } from '../../model/template.js';
import type { BatchInputs } from '../../model/handlers.js';
import type { JobOutcome, StepContextData, StepJob } from '../../executor/types.js';
import { copyPlain } from '../../model/jsonCopy.js';
import type { HandlerFailure } from '../../executor/failure.js';
import type { EngineContext } from '../context.js';
import type { AttemptEnd, AttemptSpec } from '../runtime/attempts.js';
import type { Draft } from '../runtime/draft.js';
import type { TaskStore } from '../runtime/taskStore.js';
import type { TaskView } from '../runtime/view.js';
import type { ChainTicket } from './chain.js';
import { failureOfTimeout, finishAttempt, ownsAttempt, planFailure, planSuccess, type AttemptRef, type PlanEnv } from './outcome.js';
import { settleTask } from './taskStatus.js';
import { ancestorResults } from './ancestors.js';
import { isTaskerWorker } from './batches.js';

export interface StepAttemptDeps {
  ctx: EngineContext;
  store: TaskStore;
  /** Subtask steps: start the child after the (optional) input-building handler succeeded. */
  startSubtask(d: Draft, name: string, attempt: AttemptRef, value: Json, env: PlanEnv): Promise<void>;
  /** Claims of the task's next ready steps to make in the commit of `step`'s end (./chain.ts), or null. */
  openChain(taskId: string, step: string, env: PlanEnv): ChainTicket | null;
}

/** A claimed step. */
export interface StepClaim {
  name: string;
  attempt: AttemptRef;
  stepT: StepTemplate | undefined;
}

function contextData(view: TaskView, step: StepRecord, stepT: StepTemplate | undefined, attempt: AttemptRef): StepContextData {
  // Copies: a handler that mutates its context must not change the engine's cached view (or the
  // template). Each part is copied on its own, a plain walk for JSON-shaped values (see copyPlain).
  const results: Record<string, Json> = {};
  for (const dep of step.dependsOn) results[dep] = copyPlain(view.steps.get(dep)?.results ?? null);
  const given = stepT?.handler?.initialization as Record<string, unknown> | undefined;
  const initialization = given === undefined || isEmpty(given) ? {} : copyPlain(given);
  const batch = copyPlain(step.batch);
  // tasker-core merges a worker's BatchWorkerInputs into its handler's initialization.
  const batchInputs = isTaskerWorker(step, (n) => view.steps.get(n)) ? (batch as unknown as BatchInputs) : null;
  return {
    taskId: view.task.id,
    input: copyPlain(view.task.input),
    results,
    step: { name: step.name, templateStep: step.templateStep, attempt: attempt.number, maxAttempts: step.maxAttempts, type: step.type },
    initialization: batchInputs ? { ...initialization, ...batchInputs, __template_step_name: step.templateStep } : initialization,
    batch,
    batchInputs,
  };
}

/** A job's `aborted` for I/O that has none (reads the signal). */
function abortedOf(io: Pick<StepJob, 'signal'>): () => boolean {
  return () => io.signal.aborted;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * `ctx.ancestors`, gathered when the handler reads it (StepJob.ancestors): the ancestors are
 * finished steps, whose records do not change while this one runs; copying them for every step
 * cost O(depth) per step in a chain.
 */
function ancestorsOf(view: TaskView, step: StepRecord): () => Record<string, Json> {
  return () => structuredClone(ancestorResults((n) => view.steps.get(n), step.name));
}

function missingHandler(step: string, handler: string | undefined, method: string | undefined): HandlerFailure {
  const message = !handler
    ? `Step '${step}' has no handler. Give it \`handler: <name>\` in the template.`
    : method
      ? `Handler '${handler}' of step '${step}' is not registered or has no method '${method}'. Export a class or object with that method from a module in the workspace's handlers/ folder, or fix \`handler.method\` in the template.`
      : `Handler '${handler}' of step '${step}' is not registered. Export it from a module in the workspace's handlers/ folder.`;
  return { error: toErrorInfo(new StepwiseError('HANDLER_NOT_FOUND', message, { step, handler, ...(method ? { method } : {}) })), retryable: false };
}

/** The runtime's view of one claimed workflow step attempt. */
export function stepAttempt(deps: StepAttemptDeps, view: TaskView, claim: StepClaim, env: PlanEnv): AttemptSpec {
  const { ctx } = deps;
  const { name, attempt, stepT } = claim;
  const taskId = view.task.id;
  return {
    taskId,
    step: name,
    ...(stepT?.timeoutMs ? { timeoutMs: stepT.timeoutMs } : {}),
    label: `Step '${name}'`,
    handler: stepT?.handler?.callable ?? name,
    logs: attempt.logs,
    job(io) {
      const step = view.steps.get(name)!;
      const handlerName = stepT?.handler?.callable;
      if (!handlerName && step.type === 'subtask') return { kind: 'success', value: null } satisfies JobOutcome;
      const method = stepT?.handler?.method;
      const fn = handlerName ? ctx.handlers.get(handlerName, env.template, method) : undefined;
      if (!handlerName || !fn) return { kind: 'failure', failure: missingHandler(name, handlerName, method) } satisfies JobOutcome;
      const file = ctx.handlers.fileOf?.(handlerName, env.template);
      const job: StepJob = {
        kind: 'step',
        handlerName,
        fn,
        context: contextData(view, step, stepT, attempt),
        ancestors: ancestorsOf(view, step),
        // A getter, not a copy: the signal is made only when something reads it.
        get signal() {
          return io.signal;
        },
        aborted: io.aborted ?? abortedOf(io),
        onProgress: io.onProgress,
        onLog: io.onLog,
      };
      if (file) job.file = file;
      if (method) job.method = method;
      return job;
    },
    records: {
      kind: 'draft',
      renew(d, until) {
        if (!ownsAttempt(d, name, attempt, env.owner)) return false;
        d.patchStep(name, { leaseExpiresAt: until });
        return true;
      },
      progress(d, progress) {
        if (!ownsAttempt(d, name, attempt, env.owner)) return;
        d.patchStep(name, { progress });
        d.event('step.progress', name, progress);
      },
    },
    finish(end) {
      return recordEnd(deps, taskId, env, claim, end);
    },
  };
}

/** Stores an end: the returned promise settles once it is committed (plain functions and one `.then`, not async ones: ends are per step). */
function recordEnd(deps: StepAttemptDeps, taskId: string, env: PlanEnv, claim: StepClaim, end: AttemptEnd): Promise<unknown> {
  const { name, attempt, stepT } = claim;
  switch (end.kind) {
    case 'success':
      if ((stepT?.type ?? 'standard') === 'subtask') return deps.store.change(taskId, (d) => deps.startSubtask(d, name, attempt, end.value, env));
      return commitEnd(deps, taskId, name, env, (d) => planSuccess(d, name, attempt, end.value, env));
    case 'failure':
      return commitEnd(deps, taskId, name, env, (d) => planFailure(d, name, attempt, 'error', end.failure, env));
    case 'timeout':
      return commitEnd(deps, taskId, name, env, (d) => planFailure(d, name, attempt, 'timeout', failureOfTimeout(name, end.timeoutMs), env));
    case 'shutdown':
      // A clean stop gives the step back at once instead of waiting for the lease to expire.
      return deps.store.change(taskId, (d) => planReleased(d, name, attempt, env));
    case 'gone':
      // Cancelled or lease lost: whoever cancelled (or took over) the step recorded its state.
      return GONE;
  }
}

const GONE: Promise<unknown> = Promise.resolve();

/** Commit an end, with the chained claims of the task's next ready steps in the same commit. */
function commitEnd(deps: StepAttemptDeps, taskId: string, name: string, env: PlanEnv, plan: (d: Draft) => void): Promise<unknown> {
  const ticket = deps.openChain(taskId, name, env);
  if (!ticket) return deps.store.change(taskId, plan);
  return deps.store
    .change(taskId, (d) => {
      plan(d);
      ticket.plan(d);
    })
    .then(
      (r) => {
        try {
          if (r) ticket.launch(r.view);
        } finally {
          ticket.release();
        }
      },
      (err: unknown) => {
        ticket.release();
        throw err;
      },
    );
}

/**
 * The engine stopped while the attempt ran: back to ready, attempt `interrupted`. A clean stop is
 * the engine's doing, not the handler's: the attempt does not use up one of max_attempts.
 */
function planReleased(d: Draft, name: string, attempt: AttemptRef, env: PlanEnv): void {
  if (!ownsAttempt(d, name, attempt, env.owner)) return;
  const step = d.requireStep(name);
  finishAttempt(d, attempt, 'interrupted', {
    error: { class: 'Interrupted', message: `The engine '${env.owner}' stopped while the attempt ran; the step runs again (this attempt does not count toward max_attempts).` },
  });
  d.moveStep(name, 'ready', `engine ${env.owner} stopped; attempt ${attempt.number} interrupted (not counted)`, {
    set: { leaseOwner: null, leaseExpiresAt: null, maxAttempts: step.maxAttempts + 1 },
  });
  settleTask(d, env.template.deleteAfterMs);
}
