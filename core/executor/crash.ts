/**
 * The failures of handlers that did not return or throw but crashed what ran them: a leaked
 * rejection, an exception thrown from a timer or an event, `process.exit`, running out of memory,
 * a worker thread that died. Each ends only its own attempt, with an error that says what
 * happened; all are retryable (the next attempt may not crash), within `max_attempts`.
 */
import { toErrorInfo } from '../model/errors.js';
import type { HandlerFailure } from './failure.js';

export type CrashKind = 'unhandled rejection' | 'uncaught exception';

/** `unhandled rejection: <message>` with the original error's class, stack, details and cause. */
export function crashFailure(kind: CrashKind, thrown: unknown): HandlerFailure {
  const original = toErrorInfo(thrown);
  return {
    error: {
      ...original,
      code: 'HANDLER_CRASHED',
      message: `${kind}: ${original.message}`,
      details: { ...(original.details ?? {}), crash: kind, ...(original.code === undefined ? {} : { originalCode: original.code }) },
    },
    retryable: true,
  };
}

/** The handler's process (or worker thread) exited while the handler ran. */
export function exitFailure(code: number | string | null | undefined, how?: string): HandlerFailure {
  const shown = code === null || code === undefined || code === '' ? 0 : code;
  return {
    error: {
      class: 'HandlerExit',
      code: 'HANDLER_EXITED',
      message: `the handler's process exited with code ${String(shown)}${how ? ` (${how})` : ''}`,
      details: { exitCode: String(shown) },
    },
    retryable: true,
  };
}

/** The handler's worker thread reached its heap limit and was stopped. */
export function outOfMemoryFailure(limitMb: number | undefined): HandlerFailure {
  const limit = limitMb === undefined ? '' : ` (its limit is ${limitMb} MB; raise handlerMemoryMb in the workspace config if the handler needs more)`;
  return {
    error: { class: 'HandlerOutOfMemory', code: 'HANDLER_OUT_OF_MEMORY', message: `the handler ran out of memory${limit}`, details: { limitMb: limitMb ?? null } },
    retryable: true,
  };
}

/** A worker thread that failed in a way none of the above describes. */
export function workerFailure(err: unknown): HandlerFailure {
  const info = toErrorInfo(err);
  return { error: { ...info, code: 'HANDLER_CRASHED', message: `the handler's worker thread failed: ${info.message}` }, retryable: true };
}

/** What a worker thread's death means for the attempt it ran (piscina reports exits as "worker exited with code: N"). */
export function workerDeathFailure(err: unknown, limitMb: number | undefined): HandlerFailure {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') return outOfMemoryFailure(limitMb);
  const exited = typeof e.message === 'string' ? /^worker exited with code: (-?\d+)$/.exec(e.message) : null;
  if (exited) return exitFailure(Number(exited[1]));
  return workerFailure(err);
}

/** A worker said its task returned, but the outcome it posted before that never arrived. */
export function lostOutcomeFailure(jobId: number, waitedMs: number): HandlerFailure {
  return workerFailure(new Error(`job ${jobId} returned but its outcome did not arrive within ${waitedMs / 1000} s; the attempt is failed so it can be retried`));
}
