/**
 * A flow action's attempt, as the runtime runs it (../runtime/attempts.ts): a FlowJob for the
 * executor (a private copy of the data, sub-tasks through the engine), the lease on the flow task
 * itself, progress as events, and the end recorded through the pure planner (./actionPlan.ts) —
 * retried on a fresh read when the task moved meanwhile (a smaller error when storage refuses
 * what the handler produced is the runtime's: FAILURE_NOT_STORED / RESULT_NOT_STORED).
 */
import { StaleError, StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { LogLine, TaskRecord } from '../../model/runtime.js';
import type { FlowTemplate } from '../../model/template.js';
import type { FlowJob, Job, JobOutcome } from '../../executor/types.js';
import type { HandlerFailure } from '../../executor/failure.js';
import { formatSize } from '../../limits/index.js';
import { timeOrderedId } from '../ids.js';
import type { AttemptEnd, AttemptSpec } from '../runtime/attempts.js';
import { holdsAction, maxAttemptsOf, planActionEnd, type ActionClaim, type ActionEnd } from './actionPlan.js';
import type { FlowRuntime } from './runtime.js';
import type { ChangeSet } from '../../storage/storage.js';
import { copyJson } from '../../model/jsonCopy.js';
import { drive, promised, wait, type Maybe, type Steps } from '../runtime/maybe.js';

/** Ends whose commit lost a race (the task moved: progress, an interaction) are planned again this often. */
const MAX_STALE_RETRIES = 8;

export interface ActionAttemptOptions {
  /**
   * Commit the end (`changes`, planned on `current`) together with what the flow does next — its
   * pure steps up to the next action's claim, a wait or a result — in one commit (../flow/driver.ts).
   * Throws StaleError when nothing was stored (the end is planned again on a fresh read). Without
   * it, or for an end that does not continue the flow (a clean stop), the end is committed alone.
   */
  commitWithNext?(current: TaskRecord, changes: ChangeSet): Maybe<void>;
}

export function actionAttempt(rt: FlowRuntime, task: TaskRecord, template: FlowTemplate, claim: ActionClaim, options: ActionAttemptOptions = {}): AttemptSpec {
  const { ctx } = rt;
  const state = claim.state;
  const logs: LogLine[] = [];
  const label = `Action '${state.name}' of flow ${task.templateRef}`;
  const attemptId = timeOrderedId(claim.startedAt);

  /**
   * The task as this attempt last committed it (the claim, then each renewal), trusted until a
   * commit planned on it is STALE; then read again. Null when the action is no longer held here.
   */
  let known: TaskRecord | null = task;
  function* held(): Steps<TaskRecord | null> {
    const sync = ctx.storage.sync;
    const now = known ?? (yield* wait(sync ? sync.getTask(task.id) : ctx.storage.getTask(task.id)));
    known = now;
    return now && holdsAction(now, claim) ? now : null;
  }

  // Steps, not async functions: on memory storage an end and the flow's pure steps after it are
  // committed without a promise (../runtime/maybe.ts).
  function* commitEnd(end: ActionEnd, continues = true): Steps<void> {
    for (let i = 0; ; i++) {
      const current = yield* held();
      if (!current) return;
      const plan = planActionEnd(current, claim, end, { template, now: ctx.clock.now(), actor: 'engine' }, attemptId, logs);
      try {
        if (continues && options.commitWithNext) yield* wait(options.commitWithNext(current, plan.changes));
        else yield* wait(rt.commit(plan.changes));
      } catch (err) {
        known = null;
        if (err instanceof StaleError && i < MAX_STALE_RETRIES) continue;
        throw err;
      }
      return;
    }
  }

  const fail = (failure: HandlerFailure, outcome: 'error' | 'timeout' = 'error') => commitEnd({ kind: 'failure', failure, outcome });

  return {
    taskId: task.id,
    step: state.name,
    ...(state.timeoutMs ? { timeoutMs: state.timeoutMs } : {}),
    label,
    handler: state.handler,
    logs,
    job(io) {
      let fn;
      try {
        fn = rt.handler(state.handler, template, `action ${state.name}`);
      } catch (err) {
        return { kind: 'failure', failure: { error: toErrorInfo(err), retryable: false } } satisfies JobOutcome;
      }
      const file = ctx.handlers.fileOf?.(state.handler, template);
      const job: FlowJob = {
        kind: 'flow',
        role: 'action',
        handlerName: state.handler,
        fn,
        context: { taskId: task.id, state: state.name, data: copyJson(task.data), attempt: { number: claim.stateAttempt, maxAttempts: maxAttemptsOf(state) } },
        subtasks: rt.subtasksOf(task),
        // A getter, not a copy (a spread of `io` read it): the signal, an AbortController with its
        // event target, is made only when the handler or the executor reads it.
        get signal() {
          return io.signal;
        },
        aborted: io.aborted ?? abortedOf(io),
        onProgress: io.onProgress,
        onLog: io.onLog,
      };
      if (file) job.file = file;
      return job;
    },
    records: {
      kind: 'own',
      async renew(until) {
        for (let i = 0; i < MAX_STALE_RETRIES; i++) {
          const current = await drive(held());
          if (!current) return false;
          try {
            await rt.commit({ updateTasks: [{ id: task.id, expectedVersion: current.version, set: { leaseExpiresAt: until } }] });
            known = { ...current, leaseExpiresAt: until, version: current.version + 1 };
            return true;
          } catch (err) {
            known = null;
            if (!(err instanceof StaleError)) throw err;
          }
        }
        return true; // still held at the last look: the next renewal tries again
      },
      async progress(p) {
        await rt.commit({ events: [{ type: 'step.progress', taskId: task.id, stepName: state.name, at: ctx.clock.now(), payload: p }] });
      },
    },
    finish: (end) => promised(() => drive(finishAction(end))),
  };

  function* finishAction(end: AttemptEnd): Steps<void> {
    switch (end.kind) {
      case 'success': {
        const data = end.data ?? copyJson(task.data);
        const dataText = end.dataText ?? JSON.stringify(data);
        const bytes = Buffer.byteLength(dataText);
        if (bytes > ctx.limits.resultBytes) {
          const err = new StepwiseError(
            'RESULT_TOO_LARGE',
            `The handler left the flow's data at ${formatSize(bytes)} as JSON, over the limit of ${formatSize(ctx.limits.resultBytes)} (limits.resultBytes). Store large data elsewhere and keep a reference to it.`,
          );
          return yield* fail({ error: toErrorInfo(err), retryable: false });
        }
        return yield* commitEnd({ kind: 'success', value: end.value, data, dataText });
      }
      case 'failure':
        return yield* fail(end.failure);
      case 'timeout':
        return yield* fail(
          {
            error: { class: 'TimeoutError', code: 'TIMEOUT', message: `Action '${state.name}' did not finish within its timeout of ${end.timeoutMs / 1000}s; the attempt was aborted.` },
            retryable: true,
          },
          'timeout',
        );
      case 'shutdown':
        // Given back; the flow continues wherever an engine runs next.
        return yield* commitEnd({ kind: 'released' }, false);
      case 'gone': {
        // Cancelled or taken over: whoever did it records the flow's state. A cancelled action's
        // attempt is recorded here (the canceller does not know it); a taken-over one by the
        // engine that took it.
        if (!end.cancelled) return;
        const at = ctx.clock.now();
        const error = { class: 'StepwiseError', code: 'CANCELLED', message: `Task ${task.id} was cancelled while its action '${state.name}' ran.` };
        yield* wait(
          rt.commit({
            insertAttempts: [
              { id: attemptId, taskId: task.id, stepName: state.name, number: claim.number, startedAt: claim.startedAt, finishedAt: at, durationMs: at - claim.startedAt, outcome: 'cancelled', error, output: null, logs },
            ],
          }),
        );
        return;
      }
    }
  }
}

/** `aborted()` from the signal, for an io without one (made per attempt by a helper, not a named closure: see runtime/attempts.ts). */
function abortedOf(io: Pick<Job, 'signal'>): () => boolean {
  return () => io.signal.aborted;
}
