/**
 * The long-running loop of an engine that serves a database (the runner, the workbench host):
 * scheduling rounds on activity and every `pollMs`, a heartbeat in storage so other processes
 * know work is being picked up, and a clean stop that waits for (or aborts) running attempts.
 */
import { StepwiseError } from '../../model/errors.js';
import type { EngineContext } from '../context.js';
import { abortRunning } from './attempts.js';
import { startHeartbeat, type HeartbeatWriter } from './heartbeat.js';
import type { Scheduler } from './scheduler.js';

export interface LoopOptions {
  /** Full scheduling round at least this often (due retries, waits, expired leases). Default 1000. */
  pollMs?: number;
  /** Write a heartbeat of this kind (`runner`, `host`) every `heartbeatMs`; false for none. */
  heartbeat?: string | false;
  heartbeatMs?: number;
  /**
   * Wake at once on other processes' 'work' hints (Storage.subscribe: PostgreSQL's NOTIFY) as well
   * as every `pollMs`. Default true; false polls only (e.g. behind a pooler that cannot LISTEN).
   */
  hints?: boolean;
}

/** Bounds of `pollMs`: below, rounds would spin; above, due work (retries, expired leases) waits too long. */
export const POLL_MS_MIN = 10;
export const POLL_MS_MAX = 600_000;

/** `pollMs` checked (USAGE with the bounds otherwise); `what` names it in the message (`--poll-ms`). */
export function checkPollMs(value: unknown, what = 'pollMs'): number {
  const ms = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < POLL_MS_MIN || ms > POLL_MS_MAX) {
    throw new StepwiseError('USAGE', `${what} must be a number of milliseconds from ${POLL_MS_MIN} to ${POLL_MS_MAX} (10 minutes); got '${String(value)}'.`, { [what]: String(value) });
  }
  return ms;
}

export function createLoop(ctx: EngineContext, scheduler: Scheduler, onError: (err: unknown, where: string) => void) {
  let running: Promise<void> | null = null;
  let stopping = false;
  let heartbeat: HeartbeatWriter | null = null;
  let unsubscribe: (() => void) | null = null;
  /** A hint came while a round ran: the next wait returns at once (the round may have missed it). */
  let hinted = false;
  /** Hints received so far (a round asks whether one came since it started). */
  let hints = 0;

  async function run(pollMs: number): Promise<void> {
    // Outcome commits claim the next ready steps of their task (./chain.ts); no step budget.
    scheduler.chain = { scope: null, limit: Infinity, launched: 0 };
    let full = true;
    let byHint = false;
    let lastFullAt = ctx.clock.now();
    let lastHousekeepingAt = -Infinity;
    while (!stopping) {
      hinted = false;
      try {
        await scheduler.serialized(async () => {
          if (full) {
            const now = ctx.clock.now();
            lastFullAt = now;
            // Housekeeping (a lock and a scan) once per poll, not in every round hints bring.
            const deleteExpired = now - lastHousekeepingAt >= pollMs;
            if (deleteExpired) lastHousekeepingAt = now;
            // A hint that comes while this round runs is served at the round's next step.
            let seen = hints;
            const hintTaken = () => {
              if (hints === seen) return false;
              seen = hints;
              return true;
            };
            await scheduler.fullRound(null, { deleteExpired, launchFirst: byHint, hinted: hintTaken });
          } else {
            if (scheduler.hasPendingChildren) await scheduler.resolveFinishedChildren();
            await scheduler.launchReady(null, { trustCache: true });
          }
        });
      } catch (err) {
        onError(err, 'scheduling round');
      }
      if (stopping) break;
      // Another process's work (a new task, a flow to advance, a step made ready): a full round.
      if (hinted) {
        full = true;
        byHint = true;
        continue;
      }
      const why = await scheduler.waitForActivity(pollMs);
      byHint = hinted;
      full = why === 'timeout' || hinted || ctx.clock.now() - lastFullAt >= pollMs;
    }
    scheduler.chain = null;
  }

  return {
    start(options: LoopOptions = {}): void {
      if (running) return;
      const pollMs = checkPollMs(options.pollMs ?? 1000);
      stopping = false;
      scheduler.stopped = false;
      scheduler.attempts.resumeStoring();
      if (options.heartbeat) heartbeat = startHeartbeat(ctx, options.heartbeat, options.heartbeatMs ?? 5000, onError);
      if (options.hints !== false && ctx.storage.subscribe) {
        // Hints are lost sometimes (a reconnect): the poll stays the backstop.
        unsubscribe = ctx.storage.subscribe('work', () => {
          hinted = true;
          hints += 1;
          scheduler.notify();
        });
      }
      running = run(pollMs);
    },
    async stop(options: { abort?: boolean } = {}): Promise<void> {
      stopping = true;
      unsubscribe?.();
      unsubscribe = null;
      scheduler.stopped = true;
      scheduler.notify();
      if (running) await running;
      running = null;
      heartbeat?.stop();
      const inFlight = scheduler.runningIn(null);
      if (options.abort) {
        // Outcomes the database keeps refusing are given up (their steps run again elsewhere).
        scheduler.attempts.stopStoring();
        for (const r of inFlight) abortRunning(r, 'shutdown', 'The engine is stopping.');
      }
      await Promise.all(inFlight.map((r) => r.done));
      // Other engines may take this engine's tasks at once rather than when the reservations lapse.
      await scheduler.reservations.releaseAll().catch((err) => onError(err, 'releasing reservations'));
      await heartbeat?.remove();
      heartbeat = null;
    },
  };
}
