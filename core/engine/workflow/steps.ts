/**
 * The workflow side of a scheduling round (the runtime's Scheduler calls it): recover steps whose
 * lease expired, promote due retries, waits and subtask re-checks, resolve parents of finished
 * children, and claim ready steps up to the free slots — each change a pure planner of this
 * folder committed through the TaskStore, each claimed attempt handed to the runtime.
 */
import { StepwiseError } from '../../model/errors.js';
import { isTaskFinished } from '../../model/states.js';
import type { AttemptRecord, Json, TaskRecord } from '../../model/runtime.js';
import type { EngineContext } from '../context.js';
import type { Attempts, RunningAttempt } from '../runtime/attempts.js';
import { consumeRelease, planBreakpointPause, stepBreakpoint } from '../runtime/breakpoints.js';
import { isTransientStorageError } from '../runtime/durable.js';
import type { Draft } from '../runtime/draft.js';
import type { Reservations } from '../runtime/reservations.js';
import type { Slots } from '../runtime/slots.js';
import type { TaskStore } from '../runtime/taskStore.js';
import type { TaskView } from '../runtime/view.js';
import type { ChainTicket } from './chain.js';
import { planClaim, planInterrupted, planRetryDue, stepTemplateOf, type AttemptRef, type PlanEnv } from './outcome.js';
import { concurrencyLimitOf } from './concurrency.js';
import { stepAttempt, type StepClaim } from './stepAttempt.js';
import { planChildFinished } from './subtasks.js';
import { childOf, planSubtaskFinished, planSubtaskRecheck, planWaitDue, planWaitStart } from './waits.js';

/** Task ids a run is limited to (a task and its descendants), or null for every task. */
export type Scope = ReadonlySet<string> | null;

export interface WorkflowStepsDeps {
  ctx: EngineContext;
  store: TaskStore;
  attempts: Attempts;
  slots: Slots;
  reservations: Reservations;
  envFor(task: TaskRecord): PlanEnv;
  onError(err: unknown, where: string): void;
  startSubtask(d: Draft, name: string, attempt: AttemptRef, value: Json, env: PlanEnv): Promise<void>;
  openChain(taskId: string, step: string, env: PlanEnv): ChainTicket | null;
  /** A round claimed a step itself (the chain streak starts again). */
  claimedInRound(): void;
}

export const SCAN_LIMIT = 200;
/** Reservation calls in one round at most (each adds a task while slots are left). */
const MAX_RESERVE_ROUNDS = 16;

export interface LaunchOnly {
  max?: number;
  /** Launch exactly one step of this task (the debugger's step): `step`, or its first ready one. */
  taskId?: string;
  step?: string;
  ignorePause?: boolean;
  /**
   * Launch from the views this process keeps up to date with its own commits, without reading
   * storage (a quick round after an attempt ended here). Full rounds read the tasks.
   */
  trustCache?: boolean;
}

export type LaunchResult = 'launched' | 'started_waiting' | 'skipped' | 'full';

export class WorkflowSteps {
  constructor(private readonly deps: WorkflowStepsDeps) {}

  private async guard(where: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.deps.onError(err, where);
    }
  }

  private async envOf(taskId: string): Promise<{ task: TaskRecord; env: PlanEnv } | null> {
    const task = await this.deps.ctx.storage.getTask(taskId);
    if (!task || task.kind !== 'workflow') return null;
    return { task, env: this.deps.envFor(task) };
  }

  async recoverExpiredLeases(scope: Scope): Promise<void> {
    const { ctx, store, attempts } = this.deps;
    const expired = await ctx.storage.expiredLeases(ctx.clock.now(), SCAN_LIMIT);
    for (const step of expired) {
      // An attempt still running here is ours, whatever storage says (its end may be waiting to be stored).
      if ((scope && !scope.has(step.taskId)) || attempts.has(step.taskId, step.name)) continue;
      await this.guard(`recovering ${step.taskId}/${step.name}`, async () => {
        const found = await this.envOf(step.taskId);
        if (!found) return;
        const list = await ctx.storage.listAttempts(step.taskId, step.name);
        const open = openAttempt(list);
        const before = list.filter((a) => a.outcome === 'interrupted').length;
        await store.change(step.taskId, (d) => planInterrupted(d, step.name, open, before, found.env), 'runner');
      });
    }
  }

  async promoteDue(scope: Scope): Promise<void> {
    const { ctx, store } = this.deps;
    const due = await ctx.storage.dueSteps(ctx.clock.now(), SCAN_LIMIT * 5);
    for (const step of due) {
      if (scope && !scope.has(step.taskId)) continue;
      await this.guard(`promoting ${step.taskId}/${step.name}`, async () => {
        const found = await this.envOf(step.taskId);
        if (!found || found.task.debug.paused) return;
        const { env } = found;
        if (step.state === 'waiting_for_retry') {
          await store.change(step.taskId, (d) => planRetryDue(d, step.name, env), 'runner');
        } else if (step.type === 'wait') {
          await store.change(step.taskId, (d) => planWaitDue(d, step.name, env), 'runner');
        } else if (step.type === 'subtask') {
          const childId = childOf(step);
          const child = childId ? await ctx.storage.getTask(childId) : null;
          if (child && !isTaskFinished(child.kind, child.status)) {
            await store.change(step.taskId, (d) => planSubtaskRecheck(d, step.name), 'runner');
          } else if (child) {
            await store.change(step.taskId, (d) => planSubtaskFinished(d, step.name, child, env), 'runner');
          }
        }
      });
    }
  }

  /** A child task finished: the parent's subtask steps waiting for it complete or fail. */
  async childFinished(parent: TaskRecord, child: TaskRecord): Promise<void> {
    const env = this.deps.envFor(parent);
    await this.deps.store.change(parent.id, (d) => planChildFinished(d, child, env));
  }

  /**
   * Claim ready steps (oldest tasks first) up to the free slots and `max`.
   * `taskId` (+ `step`) launches exactly one step of that task (the debugger's step).
   * Unscoped rounds (the loop serving a database) take tasks through reservations: one task at a
   * time, the next only while slots are left, so engines sharing the database spread over tasks.
   */
  async launchReady(scope: Scope, only: LaunchOnly = {}): Promise<number> {
    const { slots, reservations } = this.deps;
    const budget = { free: Math.min(slots.free(), only.max ?? Infinity), launched: 0 };
    const reserving = only.taskId === undefined && scope === null;
    if (budget.free <= 0) {
      if (reserving) await reservations.keepAlive();
      return 0;
    }
    if (!reserving) {
      const taskIds = only.taskId ? [only.taskId] : [...scope!];
      for (const taskId of taskIds) {
        if (budget.free <= 0) break;
        if ((await this.launchTask(taskId, only, budget)) === 'stop') break;
      }
      return budget.launched;
    }
    const seen = new Set<string>();
    for (let round = 0; budget.free > 0 && round < MAX_RESERVE_ROUNDS; round++) {
      const fresh = (await reservations.reserve(seen.size + 1)).filter((id) => !seen.has(id));
      if (fresh.length === 0) break;
      for (const taskId of fresh) {
        seen.add(taskId);
        if (budget.free <= 0) break;
        if ((await this.launchTask(taskId, only, budget)) === 'stop') return budget.launched;
      }
    }
    return budget.launched;
  }

  /** Claims the task's ready steps within the budget; 'stop' when the round must end (slots gone, single step done). */
  private async launchTask(taskId: string, only: LaunchOnly, budget: { free: number; launched: number }): Promise<'next' | 'stop'> {
    const { store } = this.deps;
    const single = only.taskId !== undefined;
    let view: Awaited<ReturnType<typeof store.view>>;
    try {
      view = await store.launchView(taskId, only.trustCache === true);
    } catch (err) {
      // A row of it does not decode: storage marked the task (scans leave it out); run the others.
      if (single || !(err instanceof StepwiseError && err.code === 'ROW_UNREADABLE')) throw err;
      this.deps.onError(err, `task ${taskId}`);
      return 'next';
    }
    if (!view || view.ready.size === 0 || (view.task.debug.paused && !only.ignorePause)) return 'next';
    let env: PlanEnv;
    try {
      env = this.deps.envFor(view.task);
    } catch (err) {
      // Its template is gone from the workspace: report it, keep running the other tasks.
      this.deps.onError(err, `task ${taskId} (${view.task.templateRef})`);
      return 'next';
    }
    for (const name of view.ready) {
      if (budget.free <= 0) break;
      if (only.step && name !== only.step) continue;
      if (this.deps.attempts.has(taskId, name)) continue;
      // Debugger (core/ops): a breakpoint pauses the task before the step runs.
      const bp = only.ignorePause ? null : stepBreakpointOf(view, name);
      if (bp !== null) {
        await store.change(taskId, (d) => planBreakpointPause(d, name, bp));
        break;
      }
      const ok = await this.launchStep(view, name, env);
      if (ok === 'full') return 'stop';
      if (ok === 'launched') {
        budget.free -= 1;
        budget.launched += 1;
      } else if (ok === 'started_waiting') {
        budget.launched += 1;
      }
      if (single && ok !== 'skipped') return 'stop';
    }
    return 'next';
  }

  private async launchStep(view: TaskView, name: string, env: PlanEnv): Promise<LaunchResult> {
    const { ctx, store, slots } = this.deps;
    const taskId = view.task.id;
    const step = view.steps.get(name);
    if (!step) return 'skipped';
    if (step.type === 'wait') {
      await store.change(taskId, (d) => {
        planWaitStart(d, name, env);
        if (d.step(name)?.state === 'waiting') consumeRelease(d, step);
      });
      return 'started_waiting';
    }
    const stepT = stepTemplateOf(env.template, step);
    const limit = concurrencyLimitOf(env.template, step, stepT);
    if (limit) {
      // A cheap early answer only: another engine may claim between this count and the claim,
      // so the claim itself carries the limit as a guard that storage checks in the commit.
      const busy = await ctx.storage.countRunningWithConcurrencyKey(limit.key);
      if (busy >= limit.limit) return 'skipped';
    }
    // A chained claim may have taken the slot while this round awaited; hold one while claiming.
    if (!slots.reserve(1)) return 'full';
    try {
      let claimed;
      try {
        claimed = await store.change(taskId, (d) => {
          const attempt = planClaim(d, name, env);
          if (attempt) consumeRelease(d, step);
          if (attempt && limit) d.guardConcurrency(limit.key, limit.limit);
          return attempt;
        });
      } catch (err) {
        // Another engine took the key's last slot since the count: not now, the step stays ready.
        if ((err as { code?: unknown })?.code === 'CONCURRENCY_LIMIT') return 'skipped';
        // The database is busy or full: nothing was claimed; a later round tries again.
        if (isTransientStorageError(err)) {
          this.deps.onError(err, `claiming ${taskId}/${name}`);
          return 'skipped';
        }
        throw err;
      }
      const attempt = claimed?.value;
      if (!claimed || !attempt) return 'skipped';
      this.deps.claimedInRound();
      this.start(claimed.view, { name, attempt, stepT }, env);
      return 'launched';
    } finally {
      slots.release(1);
    }
  }

  /** Run a claimed attempt (a round's claim, or a chained one). */
  start(view: TaskView, claim: StepClaim, env: PlanEnv): RunningAttempt {
    return this.deps.attempts.start(stepAttempt(this.deps, view, claim, env));
  }

  /** The earliest retry or wait wake-up within `horizonMs` (tasks in scope), or null. */
  async nextDueAt(scope: Scope, horizonMs: number): Promise<number | null> {
    const { ctx } = this.deps;
    const due = await ctx.storage.dueSteps(ctx.clock.now() + horizonMs, SCAN_LIMIT * 5);
    let next: number | null = null;
    for (const s of due) {
      if (scope && !scope.has(s.taskId)) continue;
      const at = s.state === 'waiting_for_retry' ? s.retryAt : s.wakeAt;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }
}

function stepBreakpointOf(view: TaskView, name: string): string | null {
  const step = view.steps.get(name);
  return step ? stepBreakpoint(view.task, step) : null;
}

function openAttempt(attempts: AttemptRecord[]): AttemptRecord | null {
  let open: AttemptRecord | null = null;
  for (const a of attempts) if (a.outcome === null && (!open || a.number > open.number)) open = a;
  return open;
}
