/**
 * The scheduling rounds, for both kinds of task: recover work whose lease expired, promote due
 * retries and waits, resolve parents of finished children, advance flows, delete expired tasks,
 * and claim ready work up to the free executor slots. A round decides nothing itself (the
 * workflow/ and flow/ planners do) and never waits for a handler: claimed attempts run in the
 * runtime's Attempts, and their ends (with the chained claims of the next work) are committed
 * when they finish. Rounds never overlap (claims must see each other's slots and concurrency counts).
 */
import { isTaskFinished } from '../../model/states.js';
import type { Json, TaskRecord } from '../../model/runtime.js';
import type { Executor } from '../../executor/types.js';
import type { EngineContext } from '../context.js';
import type { FlowDriver } from '../flow/driver.js';
import { nudgeParent } from '../flow/driver.js';
import { ChainTicket, type ChainHost, type ChainPolicy } from '../workflow/chain.js';
import type { AttemptRef, PlanEnv } from '../workflow/outcome.js';
import { WorkflowSteps, SCAN_LIMIT, type Scope } from '../workflow/steps.js';
import { Attempts, type RunningAttempt } from './attempts.js';
import { commitAndPublish } from './commit.js';
import type { Draft } from './draft.js';
import { Reservations } from './reservations.js';
import { Slots } from './slots.js';
import type { TaskStore } from './taskStore.js';

export type { Scope };

export interface SchedulerDeps {
  ctx: EngineContext;
  store: TaskStore;
  executor: Executor;
  flows: FlowDriver;
  envFor(task: TaskRecord): PlanEnv;
  onError(err: unknown, where: string): void;
  progressIntervalMs: number;
  /** Subtask steps: start the child after the (optional) input-building handler succeeded. */
  startSubtask(d: Draft, name: string, attempt: AttemptRef, value: Json, env: PlanEnv): Promise<void>;
}

/**
 * Chained claims in a row before a scheduling round picks the next step again, when several tasks
 * compete (an unscoped run or the loop): rounds take the task whose ready steps waited longest.
 */
const CHAIN_STREAK = 32;

export class Scheduler {
  readonly attempts: Attempts;
  readonly slots: Slots;
  readonly reservations: Reservations;
  readonly workflows: WorkflowSteps;
  /** Tasks that finished and may have a parent to resolve. */
  private readonly finishedChildren = new Set<string>();
  private waiters: Array<() => void> = [];
  private activity: { promise: Promise<void>; resolve(): void } | null = null;
  /** notify() calls so far: activity that may have made work launchable (see `ended`). */
  activitySeq = 0;
  /** Ends whose commits claimed all the work they left ready (see ChainHost.covered), by task and step. */
  private readonly coveredEnds = new Set<string>();
  /** Set by stop(): no new attempts are launched and runUntilIdle returns. */
  stopped = false;
  private serial: Promise<unknown> = Promise.resolve();
  /** Set by the driver while it runs (runUntilIdle, the loop): ends may claim the next work (chains). */
  chain: ChainPolicy | null = null;
  private chainStreak = 0;
  private readonly chainHost: ChainHost;

  constructor(private readonly deps: SchedulerDeps) {
    this.attempts = new Attempts({
      ctx: deps.ctx,
      store: deps.store,
      executor: deps.executor,
      progressIntervalMs: deps.progressIntervalMs,
      onError: deps.onError,
      onEnded: (run) => this.ended(run),
    });
    this.slots = new Slots(deps.executor.capacity, () => this.attempts.size);
    this.reservations = new Reservations(deps.ctx, () => this.attempts.runningIn(null).map((r) => r.taskId));
    this.workflows = new WorkflowSteps({
      ctx: deps.ctx,
      store: deps.store,
      attempts: this.attempts,
      slots: this.slots,
      reservations: this.reservations,
      envFor: deps.envFor,
      onError: deps.onError,
      startSubtask: deps.startSubtask,
      openChain: (taskId, step, env) => this.openChain(taskId, step, env),
      claimedInRound: () => (this.chainStreak = 0),
    });
    this.chainHost = {
      slots: this.slots,
      isRunning: (taskId, step) => this.attempts.has(taskId, step),
      isStopped: () => this.stopped,
      launch: (view, claim, env) => {
        this.chainStreak += 1;
        this.workflows.start(view, claim, env);
      },
      covered: (taskId, step) => this.coveredEnds.add(`${taskId}\u0000${step}`),
    };
    deps.ctx.bus.on('task.status_changed', (e) => {
      if (isTaskFinished('workflow', e.payload.to) || isTaskFinished('flow', e.payload.to)) {
        this.finishedChildren.add(e.taskId);
        this.notify();
      }
    });
  }

  get hasPendingChildren(): boolean {
    return this.finishedChildren.size > 0;
  }

  /**
   * An attempt ended (its end is stored, its slot free). An end whose commit claimed every step
   * it left ready in its own slot (a chain step) changed nothing a scheduling round could launch:
   * waiters wake, but `activitySeq` stays, so runUntilIdle skips its round for it.
   */
  private ended(run: RunningAttempt): void {
    if (this.coveredEnds.size > 0 && this.coveredEnds.delete(`${run.taskId}\u0000${run.step}`)) this.wake();
    else this.notify();
  }

  /** Wake anything waiting for activity (a finished attempt, a new task, a signal). */
  notify(): void {
    this.activitySeq += 1;
    this.wake();
  }

  private wake(): void {
    const next = this.activity;
    if (next) {
      this.activity = null;
      next.resolve();
    }
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Resolves at the next notify() (an attempt ended, a task was started, …), with no timer: one
   * promise shared by every waiter. runUntilIdle raced the `done` of every running attempt after
   * each end instead (a promise per running attempt, per end).
   */
  nextActivity(): Promise<void> {
    if (!this.activity) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.activity = { promise, resolve };
    }
    return this.activity.promise;
  }

  /** Resolves at the next notify() or after `ms` of clock time. */
  waitForActivity(ms: number): Promise<'activity' | 'timeout'> {
    return new Promise((resolve) => {
      const clock = this.deps.ctx.clock;
      const timer = clock.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve('timeout');
      }, ms);
      const wake = () => {
        clock.clearTimeout(timer);
        resolve('activity');
      };
      this.waiters.push(wake);
    });
  }

  /** Scheduling rounds never overlap (claims must see each other's concurrency counts). */
  serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  runningIn(scope: Scope): RunningAttempt[] {
    return this.attempts.runningIn(scope);
  }

  /**
   * One full round. Returns how many attempts it launched. `launchFirst`: claim ready work before
   * the rest (a round woken by another process's 'work' hint: the new work waits for its claim,
   * not for half a dozen maintenance queries), and again at the end for what the rest made ready.
   * `hinted`: asked between the maintenance steps; when it says a hint came meanwhile, ready work
   * is claimed right there instead of after the rest of the round (a hint that lands in a poll's
   * round waited for all of it: the tail of the dispatch latency on a loaded machine).
   */
  async fullRound(scope: Scope, options: { deleteExpired?: boolean; max?: number; launchFirst?: boolean; hinted?: () => boolean } = {}): Promise<number> {
    let launched = 0;
    const launch = async () => {
      const max = options.max === undefined ? {} : { max: options.max - launched };
      launched += await this.launchReady(scope, max);
    };
    const between = async () => {
      if (options.hinted?.()) await launch();
    };
    if (options.launchFirst) await launch();
    await this.workflows.recoverExpiredLeases(scope);
    await between();
    await this.workflows.promoteDue(scope);
    await between();
    await this.resolveFinishedChildren();
    await this.advanceFlows(scope);
    await between();
    if (options.deleteExpired) await this.guard('deleting expired tasks', () => this.deleteExpiredTasks());
    await launch();
    return launched;
  }

  /** Claim ready work up to the free slots (see WorkflowSteps.launchReady). */
  launchReady(scope: Scope, only: Parameters<WorkflowSteps['launchReady']>[1] = {}): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    return this.workflows.launchReady(scope, only);
  }

  private async guard(where: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.deps.onError(err, where);
    }
  }

  async resolveFinishedChildren(): Promise<void> {
    const { ctx } = this.deps;
    const ids = [...this.finishedChildren];
    this.finishedChildren.clear();
    for (const id of ids) {
      await this.guard(`resolving the parent of ${id}`, async () => {
        const child = await ctx.storage.getTask(id);
        if (!child?.parentTaskId || !isTaskFinished(child.kind, child.status)) return;
        const parent = await ctx.storage.getTask(child.parentTaskId);
        if (!parent) return;
        if (parent.kind === 'flow') return nudgeParent(ctx, parent.id);
        await this.workflows.childFinished(parent, child);
      });
    }
  }

  async advanceFlows(scope: Scope): Promise<void> {
    const { ctx, flows } = this.deps;
    // Detached: a round claims a flow's action and moves on; the action runs in the attempts and
    // its end continues the flow. A flow this process is busy with is left to that work.
    const opts = { detach: true, skipIfBusy: true } as const;
    if (!scope) {
      // Serving the whole database: work only on the flows this engine reserves, so engines sharing it take different flows.
      const reserving = { ...opts, reserve: (ids: readonly string[]) => this.reservations.take(ids) };
      await this.guard('resuming active flows', () => flows.resumeActive(100, reserving));
      await this.guard('waking due flows', () => flows.runDue(100, reserving));
      return;
    }
    const now = ctx.clock.now();
    for (const id of scope) {
      const task = await ctx.storage.getTask(id);
      if (!task || task.kind !== 'flow' || task.debug.paused) continue;
      if (task.status === 'running') await this.guard(`advancing flow ${id}`, () => flows.advance(id, opts));
      else if (task.status === 'waiting' && ((task.wakeAt !== null && task.wakeAt <= now) || (task.timeoutAt !== null && task.timeoutAt <= now))) {
        await this.guard(`waking flow ${id}`, () => flows.wake(id, opts));
      }
    }
  }

  /**
   * Deletes finished tasks whose time is up, each with one `task.deleted`. One engine at a time
   * where storage offers it (PostgreSQL's housekeeping lock); and each deleted task is patched at
   * the version read, so an engine deleting the same task at once is refused (STALE) instead of
   * announcing the deletion a second time.
   */
  async deleteExpiredTasks(): Promise<void> {
    const { storage } = this.deps.ctx;
    const work = () => this.deleteExpiredBatch();
    await (storage.exclusively ? storage.exclusively('housekeeping', work) : work());
  }

  private async deleteExpiredBatch(): Promise<void> {
    const { ctx } = this.deps;
    const now = ctx.clock.now();
    const ids = await ctx.storage.expiredTasks(now, SCAN_LIMIT);
    if (ids.length === 0) return;
    const tasks = (await Promise.all(ids.map((id) => ctx.storage.getTask(id)))).filter((t) => t !== null);
    if (tasks.length === 0) return;
    try {
      await commitAndPublish(
        ctx,
        {
          updateTasks: tasks.map((t) => ({ id: t.id, expectedVersion: t.version, set: {} })),
          deleteTasks: tasks.map((t) => t.id),
          events: tasks.map((t) => ({ type: 'task.deleted' as const, taskId: t.id, stepName: null, at: now, payload: {} })),
        },
        () => {
          for (const t of tasks) this.deps.store.forget(t.id);
        },
      );
    } catch (err) {
      // Another engine deleted (or changed) one of them first: the next round reads again.
      if ((err as { code?: unknown })?.code === 'STALE') return;
      throw err;
    }
  }

  /** A chain for this end, when the driver allows one (see ../workflow/chain.ts). */
  private openChain(taskId: string, step: string, env: PlanEnv): ChainTicket | null {
    const policy = this.chain;
    if (!policy || this.stopped || policy.launched >= policy.limit) return null;
    if (policy.scope && !policy.scope.has(taskId)) return null;
    const competing = policy.scope === null || policy.scope.size > 1;
    if (competing && this.chainStreak >= CHAIN_STREAK) return null;
    return new ChainTicket(this.chainHost, policy, env, step);
  }

  /** The earliest retry or wait wake-up within `horizonMs` (tasks in scope), or null. */
  nextDueAt(scope: Scope, horizonMs: number): Promise<number | null> {
    return this.workflows.nextDueAt(scope, horizonMs);
  }
}
