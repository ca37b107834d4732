/**
 * Running one claimed attempt: build the handler context from the task view, hand the job to the
 * executor, enforce the step timeout through the abort signal, renew the lease while it runs,
 * turn progress calls into throttled `step.progress` events, capture log lines, and commit the
 * outcome through the pure planners.
 */
import { StepwiseError, toErrorInfo } from '../model/errors.js';
import type { Json, StepRecord } from '../model/runtime.js';
import { attemptLogSink, boundOutcome } from '../limits/index.js';
import type { StepTemplate } from '../model/template.js';
import type { Executor, JobOutcome, StepContextData } from '../executor/types.js';
import { refusedContent, unrecordableFailure, unstorableResult, type HandlerFailure } from '../executor/failure.js';
import type { EngineContext } from './context.js';
import type { ChainTicket } from './chain.js';
import type { Draft } from './draft.js';
import { failureOfTimeout, finishAttempt, ownsAttempt, planFailure, planSuccess, type AttemptRef, type PlanEnv } from './outcome.js';
import { settleTask } from './taskStatus.js';
import type { TaskStore } from './taskStore.js';
import type { TaskView } from './view.js';
import { untilStored } from './runtime/durable.js';

/** Why the engine aborted a running attempt. */
export type AbortKind = 'timeout' | 'cancelled' | 'shutdown' | 'lease_lost';

export interface RunningAttempt {
  taskId: string;
  step: string;
  controller: AbortController;
  abortKind: AbortKind | null;
  done: Promise<void>;
}

export interface ExecuteDeps {
  ctx: EngineContext;
  store: TaskStore;
  executor: Executor;
  progressIntervalMs: number;
  /** Subtask steps: start the child after the (optional) input-building handler succeeded. */
  startSubtask(d: Draft, name: string, attempt: AttemptRef, value: Json, env: PlanEnv): Promise<void>;
  /** Claims of the task's next ready steps to make in the outcome's commit (./chain.ts), or null. */
  openChain?(run: RunningAttempt, env: PlanEnv): ChainTicket | null;
  /** Aborted when the engine gives up storing outcomes (an aborting stop, close). */
  giveUpStoring(): AbortSignal;
  onError(err: unknown, where: string): void;
}

export function abortRunning(run: RunningAttempt, kind: AbortKind, message: string): void {
  if (run.controller.signal.aborted) return;
  run.abortKind = kind;
  const code = kind === 'timeout' ? 'TIMEOUT' : 'CANCELLED';
  run.controller.abort(new StepwiseError(code, message, { step: run.step, taskId: run.taskId, kind }));
}

function contextData(view: TaskView, step: StepRecord, stepT: StepTemplate | undefined, attempt: AttemptRef): StepContextData {
  const results: Record<string, Json> = {};
  for (const dep of step.dependsOn) results[dep] = view.steps.get(dep)?.results ?? null;
  // Copies: a handler that mutates its context must not change the engine's cached view.
  return structuredClone({
    taskId: view.task.id,
    input: view.task.input,
    results,
    step: { name: step.name, templateStep: step.templateStep, attempt: attempt.number, maxAttempts: step.maxAttempts, type: step.type },
    initialization: (stepT?.handler?.initialization ?? {}) as Record<string, unknown>,
    batch: step.batch,
  });
}

export async function executeAttempt(
  deps: ExecuteDeps,
  run: RunningAttempt,
  view: TaskView,
  env: PlanEnv,
  stepT: StepTemplate | undefined,
  attempt: AttemptRef,
): Promise<void> {
  const { ctx, store } = deps;
  const template = env.template;
  const name = run.step;
  const step = view.steps.get(name)!;
  const signal = run.controller.signal;
  const timeoutMs = stepT?.timeoutMs;
  const timer = timeoutMs ? ctx.clock.setTimeout(() => abortRunning(run, 'timeout', `Step '${name}' exceeded its timeout of ${timeoutMs / 1000}s.`), timeoutMs) : null;
  const renewEvery = Math.max(10, Math.floor(ctx.leaseMs / 3));
  let renewal = ctx.clock.setTimeout(function renew() {
    void renewLease(deps, run, attempt, env);
    renewal = ctx.clock.setTimeout(renew, renewEvery);
    renewal.unref();
  }, renewEvery);
  renewal.unref();

  let lastProgressAt = -Infinity;
  const onProgress = (fraction: number, message?: string) => {
    const now = ctx.clock.now();
    const f = Math.min(1, Math.max(0, Number(fraction) || 0));
    if (f < 1 && now - lastProgressAt < deps.progressIntervalMs) return;
    lastProgressAt = now;
    const progress = message === undefined ? { fraction: f } : { fraction: f, message: String(message) };
    void store
      .change(run.taskId, (d) => {
        if (!ownsAttempt(d, name, attempt, env.owner)) return;
        d.patchStep(name, { progress });
        d.event('step.progress', name, progress);
      })
      .catch(() => undefined); // progress is best effort; the outcome commit is what counts
  };
  const onLog = attemptLogSink(attempt.logs, ctx.limits, () => ctx.clock.now());

  let outcome: JobOutcome;
  try {
    const handlerName = stepT?.handler?.callable;
    const fn = handlerName ? ctx.handlers.get(handlerName, template) : undefined;
    if (!handlerName && step.type === 'subtask') {
      outcome = { kind: 'success', value: null };
    } else if (!handlerName || !fn) {
      outcome = { kind: 'failure', failure: missingHandler(name, handlerName) };
    } else {
      const file = ctx.handlers.fileOf?.(handlerName);
      outcome = await deps.executor.run({
        kind: 'step',
        handlerName,
        fn,
        ...(file ? { file } : {}),
        context: contextData(view, step, stepT, attempt),
        signal,
        onProgress,
        onLog,
      });
    }
  } catch (err) {
    outcome = { kind: 'failure', failure: { error: toErrorInfo(err), retryable: true } };
  } finally {
    ctx.clock.clearTimeout(timer);
  }
  if (signal.aborted && run.abortKind !== null) outcome = { kind: 'aborted' };
  outcome = boundOutcome(outcome, ctx.limits, `Step '${name}'`);
  try {
    // The lease is renewed until the outcome is stored: a commit retried while the database is
    // busy or full must not let another engine take the step and run the handler again.
    await recordOutcome(deps, run, env, stepT, attempt, outcome);
  } finally {
    ctx.clock.clearTimeout(renewal);
  }
}

/** An outcome's commit, retried while storage is busy or full (./runtime/durable.ts). */
function durably<T>(deps: ExecuteDeps, run: RunningAttempt, commit: () => Promise<T>): Promise<T> {
  return untilStored(commit, {
    clock: deps.ctx.clock,
    stop: deps.giveUpStoring(),
    onRetry: (err, tries, delayMs) =>
      deps.onError(err, `storing the outcome of ${run.taskId}/${run.step} (try ${tries}; kept in memory, trying again in ${delayMs} ms)`),
  });
}

function missingHandler(step: string, handler: string | undefined): HandlerFailure {
  const message = handler
    ? `Handler '${handler}' of step '${step}' is not registered. Export it from a module in the workspace's handlers/ folder.`
    : `Step '${step}' has no handler. Give it \`handler: <name>\` in the template.`;
  return { error: toErrorInfo(new StepwiseError('HANDLER_NOT_FOUND', message, { step, handler })), retryable: false };
}

async function recordOutcome(
  deps: ExecuteDeps,
  run: RunningAttempt,
  env: PlanEnv,
  stepT: StepTemplate | undefined,
  attempt: AttemptRef,
  outcome: JobOutcome,
): Promise<void> {
  const name = run.step;
  const fail = (failure: HandlerFailure) => commitOutcome(deps, run, env, (d) => planFailure(d, name, attempt, 'error', failure, env));
  if (outcome.kind === 'success') {
    const step = stepT?.type ?? 'standard';
    try {
      if (step === 'subtask') {
        await durably(deps, run, () => deps.store.change(run.taskId, (d) => deps.startSubtask(d, name, attempt, outcome.value, env)));
      } else {
        await commitOutcome(deps, run, env, (d) => planSuccess(d, name, attempt, outcome.value, env));
      }
    } catch (err) {
      if (!refusedContent(err)) throw err;
      await fail(unstorableResult(stepT?.handler?.callable ?? name, err));
    }
    return;
  }
  if (outcome.kind === 'failure') {
    try {
      await fail(outcome.failure);
    } catch (err) {
      // A failure that cannot be stored still ends the attempt, with a smaller error.
      if (!refusedContent(err)) throw err;
      attempt.logs.splice(0, attempt.logs.length, { at: deps.ctx.clock.now(), level: 'warn', message: 'logs dropped: the failure could not be stored with them' });
      await fail(unrecordableFailure(outcome.failure, err));
    }
    return;
  }
  switch (run.abortKind) {
    case 'timeout':
      await commitOutcome(deps, run, env, (d) => planFailure(d, name, attempt, 'timeout', failureOfTimeout(name, stepT?.timeoutMs ?? 0), env));
      return;
    case 'shutdown':
      // A clean stop gives the step back at once instead of waiting for the lease to expire.
      await durably(deps, run, () => deps.store.change(run.taskId, (d) => planReleased(d, name, attempt, env)));
      return;
    default:
      // cancelled or lease lost: whoever cancelled (or took over) the step recorded its state.
      return;
  }
}

/** Commit an outcome, with the chained claims of the task's next ready steps in the same commit. */
async function commitOutcome(deps: ExecuteDeps, run: RunningAttempt, env: PlanEnv, plan: (d: Draft) => void): Promise<void> {
  const ticket = deps.openChain?.(run, env) ?? null;
  try {
    const r = await durably(deps, run, () =>
      deps.store.change(run.taskId, (d) => {
        plan(d);
        ticket?.plan(d);
      }),
    );
    if (r && ticket) ticket.launch(r.view);
  } finally {
    ticket?.release();
  }
}

/**
 * The engine stopped while the attempt ran: back to ready, attempt `interrupted`. A clean stop is
 * the engine's doing, not the handler's: the attempt does not use up one of max_attempts.
 */
function planReleased(d: Draft, name: string, attempt: AttemptRef, env: PlanEnv): void {
  if (!ownsAttempt(d, name, attempt, env.owner)) return;
  const step = d.requireStep(name);
  finishAttempt(d, attempt, 'interrupted', { error: { class: 'Interrupted', message: `The engine '${env.owner}' stopped while the attempt ran; the step runs again (this attempt does not count toward max_attempts).` } });
  d.moveStep(name, 'ready', `engine ${env.owner} stopped; attempt ${attempt.number} interrupted (not counted)`, {
    set: { leaseOwner: null, leaseExpiresAt: null, maxAttempts: step.maxAttempts + 1 },
  });
  settleTask(d, env.template.deleteAfterMs);
}

async function renewLease(deps: ExecuteDeps, run: RunningAttempt, attempt: AttemptRef, env: PlanEnv): Promise<void> {
  if (run.controller.signal.aborted) return;
  try {
    const r = await deps.store.change(run.taskId, (d) => {
      if (!ownsAttempt(d, run.step, attempt, env.owner)) return false;
      d.patchStep(run.step, { leaseExpiresAt: d.now + deps.ctx.leaseMs });
      return true;
    });
    if (!r || !r.value) abortRunning(run, 'lease_lost', `Step '${run.step}' is no longer held by this engine (cancelled or taken over).`);
  } catch {
    // Storage trouble: try again at the next renewal; the lease still has two thirds left.
  }
}

