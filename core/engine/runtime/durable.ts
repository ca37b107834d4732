/**
 * Committing what must not be lost. An attempt's outcome is the result of running user code:
 * when its commit fails because the database is busy (another process held the write lock past
 * the busy timeout) or full, the outcome is kept in memory and committed again with backoff on
 * the engine's clock until storage takes it. Giving up would relabel a finished attempt as
 * interrupted and run its handler again.
 */
import type { Clock } from '../../model/clock.js';

/** Storage errors that go away by themselves: busy, locked, out of space, I/O trouble. */
export function isTransientStorageError(err: unknown): boolean {
  const e = err as { code?: unknown; details?: { sqliteCode?: unknown; transient?: unknown } } | null;
  if (e?.code !== 'STORAGE_ERROR') return false;
  if (e.details?.transient === true) return true;
  const code = e.details?.sqliteCode;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|PROTOCOL|NOMEM)/.test(code);
}

const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 5_000;

export interface DurableOptions {
  clock: Clock;
  /** Aborted when the engine closes: stop trying (the lease then expires and the work runs again elsewhere). */
  stop: AbortSignal;
  /** Told about every refused try, with the delay before the next one. */
  onRetry(err: unknown, tries: number, delayMs: number): void;
}

/** `commit()` until it succeeds; transient storage errors are retried with backoff, others thrown. */
export function untilStored<T>(commit: () => Promise<T>, options: DurableOptions): Promise<T> {
  return commit().catch((err: unknown) => retryStoring(err, commit, options));
}

/**
 * The first try of `commit()` failed with `first`: retried with backoff while the errors are
 * transient (others thrown). For callers that made the first try themselves (one promise less
 * on the path every attempt's end takes).
 */
export async function retryStoring<T>(first: unknown, commit: () => Promise<T>, options: DurableOptions): Promise<T> {
  let err = first;
  for (let tries = 1; ; tries++) {
    const { clock, stop } = options;
    if (!isTransientStorageError(err) || stop.aborted) throw err;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(tries - 1, 16));
    options.onRetry(err, tries, delay);
    await new Promise<void>((resolve) => {
      const done = () => {
        clock.clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      };
      const timer = clock.setTimeout(done, delay);
      stop.addEventListener('abort', done, { once: true });
    });
    if (stop.aborted) throw err;
    try {
      return await commit();
    } catch (next) {
      err = next;
    }
  }
}
