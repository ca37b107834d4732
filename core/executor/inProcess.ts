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
import { jobAborted, type Executor, type FlowJob, type Job, type JobOutcome, type StepContextData, type StepJob } from './types.js';

export function handlerLog(onLog: Job['onLog']): HandlerLog {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: JsonObject) =>
    onLog(fields === undefined ? { level, message: String(message) } : { level, message: String(message), fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The FlowContext of a flow job: its data is the job's (changed in place), sub-tasks through the job's API. */
export function flowContext(job: Omit<FlowJob, 'fn' | 'handlerName' | 'kind' | 'role'>, signal?: AbortSignal): FlowContext {
  return makeFlowContext(job.context.taskId, job.context.state, job.context.data, {
    // Read when the handler reads ctx.signal: the engine makes the job's signal on first use.
    signal: () => signal ?? job.signal,
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
    if (job.kind === 'flow') {
      const ctx = flowContext(job);
      const value = traced(job, () => (job.role === 'interaction' ? job.fn(ctx as never, job.params ?? {}) : job.fn(ctx as never)));
      if (!isThenable(value)) return flowOutcome(value as never, ctx.data);
      return Promise.resolve(value).then((v) => settling(() => flowOutcome(v as never, ctx.data)), failed);
    }
    const ctx = stepContext(job);
    const value = traced(job, () => job.fn(ctx));
    if (!isThenable(value)) return stepOutcome(value, job.handlerName);
    return Promise.resolve(value).then((v) => settling(() => stepOutcome(v, job.handlerName)), failed);
  } catch (err) {
    return failed(err);
  }
}

function settling(settle: () => JobOutcome): JobOutcome {
  try {
    return settle();
  } catch (err) {
    return failed(err);
  }
}

/**
 * A step handler's context. ancestors, log and the signal are made when the handler first reads
 * them (most never do); spread, JSON and structured clone still read them as values. Fields listed
 * rather than spread (a spread with overridden keys took the slow path: ~3x the time of the whole
 * literal); `satisfies` fails the build if StepContextData gains a field not copied here.
 */
function stepContext(job: StepJob): StepContext {
  const data = job.context;
  let ancestors = data.ancestors;
  let log: HandlerLog | undefined;
  let signal: AbortSignal | undefined;
  return {
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
    get signal() {
      return (signal ??= job.signal);
    },
    set signal(value) {
      signal = value;
    },
    progress: progressOf(job),
    get log() {
      return (log ??= handlerLog(job.onLog));
    },
    set log(value) {
      log = value;
    },
  } satisfies StepContext & Record<keyof StepContextData, unknown>;
}

/** Returned, not bound to a name: under tsx every named closure costs a defineProperty when made. */
function progressOf(job: Job): StepContext['progress'] {
  return (fraction, message) => job.onProgress(fraction, message);
}

/** A crash (process.exit, a leaked rejection, a throw from a timer) wins over what the handler's unwinding produced. */
function decided(outcome: JobOutcome, scope: HandlerScope): JobOutcome {
  return outcome.kind !== 'aborted' && scope.failure ? { kind: 'failure', failure: scope.failure } : outcome;
}

/**
 * Runs the job in this thread, in its own guard scope (./guard.ts): a crash of its code (a leaked
 * rejection, a throw from a timer, process.exit) ends it as a failure. Callers hold the guards.
 * A handler that returns a plain value (or throws) ends right there, and its outcome is returned
 * as it is: no promise, no abort listener, no race, and the job's signal is not made.
 */
export function runInProcess(job: Job, onScope?: (scope: HandlerScope) => void): JobOutcome | Promise<JobOutcome> {
  if (jobAborted(job)) return { kind: 'aborted' };
  const scope = createScope(job.handlerName);
  onScope?.(scope);
  const first = runInScope(scope, () => call(job));
  if (!(first instanceof Promise)) {
    const outcome = decided(first, scope);
    scope.settled = true;
    return outcome;
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
