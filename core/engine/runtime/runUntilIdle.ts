/**
 * Driving tasks until nothing is ready or running: what tests, the CLI and the debugger use.
 * Scoped to one task, it also drives the task's subtasks (found at the start and followed as
 * they are created). Full scheduling rounds (leases, due retries and waits, flows) run when the
 * run looks idle and at least once per second of clock time; otherwise a round only claims ready
 * steps, so a long run costs little per step.
 */
import type { TaskRecord } from '../../model/runtime.js';
import type { EngineContext } from '../context.js';
import type { Scheduler } from './scheduler.js';

export interface RunOptions {
  /** Drive only this task and its subtasks. */
  taskId?: string;
  /** Stop after launching this many steps (waits for the launched ones to finish). */
  maxSteps?: number;
  /**
   * Also wait (in real time) for retries and timed waits due within this many milliseconds,
   * instead of returning as soon as only they remain. For the CLI with the system clock; never
   * with a ManualClock, whose time does not pass by itself.
   */
  awaitTimersWithinMs?: number;
}

export interface RunSummary {
  /** Attempts launched (and waits started). */
  steps: number;
  stoppedBy: 'idle' | 'max_steps' | 'stopped';
  /** The scoped task, as it is now. */
  task: TaskRecord | null;
}

const FULL_ROUND_EVERY_MS = 1000;

export async function treeOf(ctx: EngineContext, taskId: string): Promise<Set<string>> {
  const scope = new Set([taskId]);
  const queue = [taskId];
  while (queue.length > 0) {
    const parentTaskId = queue.pop()!;
    let cursor: string | null = null;
    do {
      const page = await ctx.storage.listTasks({ parentTaskId, limit: 500, ...(cursor ? { cursor } : {}) });
      for (const t of page.tasks) {
        if (scope.has(t.id)) continue;
        scope.add(t.id);
        queue.push(t.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return scope;
}

export async function runUntilIdle(ctx: EngineContext, scheduler: Scheduler, options: RunOptions): Promise<RunSummary> {
  scheduler.stopped = false;
  scheduler.attempts.resumeStoring();
  const scope: Set<string> | null = options.taskId ? await treeOf(ctx, options.taskId) : null;
  const unsubscribe = scope
    ? ctx.bus.on('task.created', (e) => {
        if (e.payload.parentTaskId && scope.has(e.payload.parentTaskId)) scope.add(e.taskId);
      })
    : () => {};
  // Outcome commits claim the next ready steps of their task (./chain.ts) within the step budget.
  const chain = { scope, limit: options.maxSteps ?? Infinity, launched: 0 };
  const previousChain = scheduler.chain;
  scheduler.chain = chain;
  let roundSteps = 0;
  let full = true;
  let lastFullAt = ctx.clock.now();
  let seenSeq = scheduler.activitySeq;
  let stoppedBy: RunSummary['stoppedBy'] = 'idle';
  try {
    for (;;) {
      if (scheduler.stopped) {
        await Promise.all(scheduler.runningIn(scope).map((r) => r.done));
        stoppedBy = 'stopped';
        break;
      }
      const budget = options.maxSteps === undefined ? Infinity : options.maxSteps - roundSteps - chain.launched;
      chain.limit = chain.launched + budget;
      if (budget <= 0) {
        await Promise.all(scheduler.runningIn(scope).map((r) => r.done));
        stoppedBy = 'max_steps';
        break;
      }
      const wasFull = full;
      full = false;
      const startedBefore = scheduler.attempts.started;
      // Only ends whose commits claimed what they left ready happened since the last round (a
      // chain): a quick round would find nothing to launch.
      const quiet = !wasFull && scheduler.activitySeq === seenSeq;
      seenSeq = scheduler.activitySeq;
      const round = async () => {
        if (wasFull) {
          lastFullAt = ctx.clock.now();
          return scheduler.fullRound(scope, { max: budget });
        }
        if (scheduler.hasPendingChildren) await scheduler.resolveFinishedChildren();
        return scheduler.launchReady(scope, { max: budget, trustCache: true });
      };
      const launched = quiet ? 0 : await scheduler.serialized(round);
      roundSteps += launched;
      const inFlight = scheduler.runningIn(scope);
      // A flow's action started by the round may have ended already (a synchronous handler on
      // memory storage ends within the round): work was done, so the run is not idle yet.
      const started = scheduler.attempts.started - startedBefore;
      if (inFlight.length === 0 && launched === 0 && started === 0) {
        if (!wasFull || scheduler.hasPendingChildren) {
          full = true;
          continue;
        }
        if (options.awaitTimersWithinMs) {
          const next = await scheduler.nextDueAt(scope, options.awaitTimersWithinMs);
          if (next !== null) {
            await scheduler.waitForActivity(Math.max(1, Math.min(next - ctx.clock.now(), options.awaitTimersWithinMs)));
            full = true;
            continue;
          }
        }
        break;
      }
      // Every end notifies (after it is stored and its attempt no longer counts as running). One
      // that notified while the round ran (its commit can be stored before the round returns)
      // is not waited for again: the next round runs at once.
      if (inFlight.length > 0 && scheduler.activitySeq === seenSeq) await scheduler.nextActivity();
      if (ctx.clock.now() - lastFullAt >= FULL_ROUND_EVERY_MS) full = true;
    }
  } finally {
    unsubscribe();
    scheduler.chain = previousChain;
  }
  return { steps: roundSteps + chain.launched, stoppedBy, task: options.taskId ? await ctx.storage.getTask(options.taskId) : null };
}
