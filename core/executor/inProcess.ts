/**
 * In-process executors. `inline` runs one handler at a time (deterministic: tests and the
 * debugger), `pool` runs up to N at once on the event loop (I/O-bound handlers). A handler that
 * ignores its abort signal keeps running in the background, but its outcome is no longer
 * recorded: the attempt ends when the signal aborts.
 */
import type { StepContext, HandlerLog } from '../model/handlers.js';
import type { JsonObject } from '../model/runtime.js';
import { describeFailure, toResults } from './failure.js';
import type { Executor, HandlerJob, JobOutcome } from './types.js';

export function handlerLog(onLog: HandlerJob['onLog']): HandlerLog {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: JsonObject) =>
    onLog(fields === undefined ? { level, message: String(message) } : { level, message: String(message), fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function runInProcess(job: HandlerJob): Promise<JobOutcome> {
  if (job.signal.aborted) return { kind: 'aborted' };
  const ctx: StepContext = {
    ...job.context,
    signal: job.signal,
    progress: (fraction, message) => job.onProgress(fraction, message),
    log: handlerLog(job.onLog),
  };
  let onAbort: () => void = () => {};
  const aborted = new Promise<JobOutcome>((resolve) => {
    onAbort = () => resolve({ kind: 'aborted' });
    job.signal.addEventListener('abort', onAbort, { once: true });
  });
  const run = (async (): Promise<JobOutcome> => {
    try {
      const value = await job.fn(ctx);
      const r = toResults(value, job.handlerName);
      return r.ok ? { kind: 'success', value: r.value } : { kind: 'failure', failure: r.failure };
    } catch (err) {
      return { kind: 'failure', failure: describeFailure(err) };
    }
  })();
  try {
    return await Promise.race([run, aborted]);
  } finally {
    job.signal.removeEventListener('abort', onAbort);
  }
}

export function createInlineExecutor(): Executor {
  return { kind: 'inline', capacity: 1, run: runInProcess, close: async () => {} };
}

export function createPoolExecutor(concurrency = 8): Executor {
  return { kind: 'pool', capacity: Math.max(1, concurrency), run: runInProcess, close: async () => {} };
}
