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
import type { Executor, FlowJob, Job, JobOutcome } from './types.js';

export function handlerLog(onLog: Job['onLog']): HandlerLog {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: JsonObject) =>
    onLog(fields === undefined ? { level, message: String(message) } : { level, message: String(message), fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The FlowContext of a flow job: its data is the job's (changed in place), sub-tasks through the job's API. */
export function flowContext(job: Omit<FlowJob, 'fn' | 'handlerName' | 'kind' | 'role'>, signal: AbortSignal = job.signal): FlowContext {
  const { subtasks } = job;
  const byStatus = (statuses: string[]) => async () => (await subtasks.list()).filter((s) => statuses.includes(s.status));
  return {
    taskId: job.context.taskId,
    data: job.context.data,
    state: job.context.state,
    signal,
    log: handlerLog(job.onLog),
    progress: (fraction, message) => job.onProgress(fraction, message),
    startSubtask: (template, input) => subtasks.start(template, input ?? {}),
    subtasks: () => subtasks.list(),
    // Workflow children use workflow statuses; both kinds are grouped the same way.
    activeSubtasks: byStatus(['active', 'waiting', 'pending', 'running']),
    completedSubtasks: byStatus(['completed', 'complete']),
    failedSubtasks: byStatus(['failed', 'error']),
  };
}

async function call(job: Job): Promise<JobOutcome> {
  try {
    if (job.kind === 'flow') {
      const ctx = flowContext(job);
      const value = await traced(job, () => (job.role === 'interaction' ? job.fn(ctx as never, job.params ?? {}) : job.fn(ctx as never)));
      return flowOutcome(value, ctx.data);
    }
    const ctx: StepContext = {
      ...job.context,
      ancestors: job.context.ancestors ?? {},
      batchInputs: job.context.batchInputs ?? null,
      signal: job.signal,
      progress: (fraction, message) => job.onProgress(fraction, message),
      log: handlerLog(job.onLog),
    };
    const value = await traced(job, () => job.fn(ctx));
    const r = toResults(value, job.handlerName);
    return r.ok ? { kind: 'success', value: r.value } : { kind: 'failure', failure: r.failure };
  } catch (err) {
    return { kind: 'failure', failure: describeFailure(err) };
  }
}

/**
 * Runs the job in this thread, in its own guard scope (./guard.ts): a crash of its code (a leaked
 * rejection, a throw from a timer, process.exit) ends it as a failure. Callers hold the guards.
 */
export async function runInProcess(job: Job, onScope?: (scope: HandlerScope) => void): Promise<JobOutcome> {
  if (job.signal.aborted) return { kind: 'aborted' };
  let onAbort: () => void = () => {};
  const aborted = new Promise<JobOutcome>((resolve) => {
    onAbort = () => resolve({ kind: 'aborted' });
    job.signal.addEventListener('abort', onAbort, { once: true });
  });
  const { scope, crashed } = createScope(job.handlerName);
  onScope?.(scope);
  const crash = crashed.then((failure): JobOutcome => ({ kind: 'failure', failure }));
  try {
    const outcome = await Promise.race([runInScope(scope, () => call(job)), crash, aborted]);
    // A crash wins over what the handler's unwinding produced (process.exit throws into it).
    return outcome.kind !== 'aborted' && scope.failure ? { kind: 'failure', failure: scope.failure } : outcome;
  } finally {
    scope.settled = true;
    job.signal.removeEventListener('abort', onAbort);
  }
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
