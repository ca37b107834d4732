/**
 * In-process executors. `inline` runs one handler at a time (deterministic: tests and the
 * debugger), `pool` runs up to N at once on the event loop (I/O-bound handlers). A handler that
 * ignores its abort signal keeps running in the background, but its outcome is no longer
 * recorded: the attempt ends when the signal aborts.
 */
import type { FlowContext, HandlerLog, StepContext } from '../model/handlers.js';
import type { JsonObject } from '../model/runtime.js';
import { describeFailure, flowOutcome, toResults } from './failure.js';
import { createScope, holdGuards, runInScope, type HandlerScope, type StrayCrash } from './guard.js';
import { traced } from './tracing.js';
import { makeFlowContext } from './flowContext.js';
import type { Executor, FlowJob, Job, JobOutcome, StepContextData } from './types.js';

export function handlerLog(onLog: Job['onLog']): HandlerLog {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: JsonObject) =>
    onLog(fields === undefined ? { level, message: String(message) } : { level, message: String(message), fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The FlowContext of a flow job: its data is the job's (changed in place), sub-tasks through the job's API. */
export function flowContext(job: Omit<FlowJob, 'fn' | 'handlerName' | 'kind' | 'role'>, signal: AbortSignal = job.signal): FlowContext {
  return makeFlowContext(job.context.taskId, job.context.state, job.context.data, {
    signal: () => signal,
    log: () => handlerLog(job.onLog),
    progress: job.onProgress,
    subtasks: job.subtasks,
  });
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === 'function';

function failed(err: unknown): JobOutcome {
  return { kind: 'failure', failure: describeFailure(err) };
}

/** What a step handler's value becomes (not JSON: a failure). */
function stepOutcome(value: unknown, handlerName: string): JobOutcome {
  const r = toResults(value, handlerName);
  return r.ok ? { kind: 'success', value: r.value } : { kind: 'failure', failure: r.failure };
}

/**
 * Calls the handler. A handler that returns a plain value (or throws) has its outcome at once,
 * with no promise; one that returns a promise (or any thenable) gets a promise of it.
 */
function call(job: Job): JobOutcome | Promise<JobOutcome> {
  try {
    let value: unknown;
    let settle: (value: unknown) => JobOutcome;
    if (job.kind === 'flow') {
      const ctx = flowContext(job);
      value = traced(job, () => (job.role === 'interaction' ? job.fn(ctx as never, job.params ?? {}) : job.fn(ctx as never)));
      settle = (v) => flowOutcome(v as never, ctx.data);
    } else {
      // ancestors and log are made when the handler first reads them (most never do); spread,
      // JSON and structured clone still read them as values. Fields listed rather than spread
      // (a spread with overridden keys took the slow path: ~3x the time of the whole literal);
      // `satisfies` fails the build if StepContextData gains a field not copied here.
      const data = job.context;
      let ancestors = data.ancestors;
      let log: HandlerLog | undefined;
      const ctx = {
        taskId: data.taskId,
        input: data.input,
        results: data.results,
        step: data.step,
        initialization: data.initialization,
        batch: data.batch,
        get ancestors() {
          return (ancestors ??= job.ancestors ? job.ancestors() : {});
        },
        set ancestors(value) {
          ancestors = value;
        },
        batchInputs: data.batchInputs ?? null,
        signal: job.signal,
        progress: (fraction, message) => job.onProgress(fraction, message),
        get log() {
          return (log ??= handlerLog(job.onLog));
        },
        set log(value) {
          log = value;
        },
      } satisfies StepContext & Record<keyof StepContextData, unknown>;
      value = traced(job, () => job.fn(ctx));
      settle = (v) => stepOutcome(v, job.handlerName);
    }
    if (!isThenable(value)) return settle(value);
    return Promise.resolve(value).then((v) => {
      try {
        return settle(v);
      } catch (err) {
        return failed(err);
      }
    }, failed);
  } catch (err) {
    return failed(err);
  }
}

/** A crash (process.exit, a leaked rejection, a throw from a timer) wins over what the handler's unwinding produced. */
function decided(outcome: JobOutcome, scope: HandlerScope): JobOutcome {
  return outcome.kind !== 'aborted' && scope.failure ? { kind: 'failure', failure: scope.failure } : outcome;
}

/**
 * Runs the job in this thread, in its own guard scope (./guard.ts): a crash of its code (a leaked
 * rejection, a throw from a timer, process.exit) ends it as a failure. Callers hold the guards.
 * A handler that returns a plain value ends right there: no abort listener, no race.
 */
export function runInProcess(job: Job, onScope?: (scope: HandlerScope) => void): Promise<JobOutcome> {
  if (job.signal.aborted) return Promise.resolve({ kind: 'aborted' });
  const scope = createScope(job.handlerName);
  onScope?.(scope);
  const first = runInScope(scope, () => call(job));
  if (!(first instanceof Promise)) {
    const outcome = decided(first, scope);
    scope.settled = true;
    return Promise.resolve(outcome);
  }
  return new Promise<JobOutcome>((resolve) => {
    let done = false;
    const end = (outcome: JobOutcome) => {
      if (done) return;
      done = true;
      job.signal.removeEventListener('abort', onAbort);
      resolve(decided(outcome, scope));
      scope.settled = true;
    };
    const onAbort = () => end({ kind: 'aborted' });
    job.signal.addEventListener('abort', onAbort, { once: true });
    scope.onCrash = (failure) => end({ kind: 'failure', failure });
    void first.then(end);
  });
}

/** An in-process executor: holds the process guards from creation until close; strays go to `onStray`. */
function inProcessExecutor(kind: 'inline' | 'pool', capacity: number, onStray?: (stray: StrayCrash) => void): Executor {
  const release = holdGuards(onStray ? { onStray } : {});
  return {
    kind,
    capacity,
    run: runInProcess,
    close: async () => release(),
  };
}

export function createInlineExecutor(options: { onStray?: (stray: StrayCrash) => void } = {}): Executor {
  return inProcessExecutor('inline', 1, options.onStray);
}

export function createPoolExecutor(concurrency = 8, options: { onStray?: (stray: StrayCrash) => void } = {}): Executor {
  return inProcessExecutor('pool', Math.max(1, concurrency), options.onStray);
}
