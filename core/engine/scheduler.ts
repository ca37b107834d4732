/**
 * The scheduling rounds of the workflow engine: recover expired leases, promote due retries and
 * waits, resolve subtask parents, advance flows, delete expired tasks, and claim ready steps up
 * to the executor's capacity. It decides nothing itself: every state change is a pure planner
 * committed through the TaskStore. It owns the set of attempts running in this process.
 */
import { isTaskFinished } from '../model/states.js';
import type { TaskRecord, AttemptRecord } from '../model/runtime.js';
import type { Executor } from '../executor/types.js';
import type { EngineContext } from './context.js';
import type { FlowDriver } from './flow/driver.js';
import { nudgeParent } from './flow/driver.js';
import { consumeRelease, planBreakpointPause, stepBreakpoint } from './breakpoints.js';
import { ChainTicket, type ChainedClaim, type ChainHost, type ChainPolicy } from './chain.js';
import { executeAttempt, type ExecuteDeps, type RunningAttempt } from './execute.js';
import { planClaim, planInterrupted, planRetryDue, stepTemplateOf, type PlanEnv } from './outcome.js';
import { planChildFinished } from './subtasks.js';
import type { TaskStore } from './taskStore.js';
import { childOf, planSubtaskFinished, planSubtaskRecheck, planWaitDue, planWaitStart } from './waits.js';
import type { TaskView } from './view.js';
import { isTransientStorageError } from './runtime/durable.js';

export interface SchedulerDeps extends Omit<ExecuteDeps, 'giveUpStoring'> {
  ctx: EngineContext;
  store: TaskStore;
  executor: Executor;
  flows: FlowDriver;
  envFor(task: TaskRecord): PlanEnv;
  onError(err: unknown, where: string): void;
}

/** Task ids a run is limited to (a task and its descendants), or null for every task. */
export type Scope = Set<string> | null;

const SCAN_LIMIT = 200;
/**
 * Chained claims in a row before a scheduling round picks the next step again, when several tasks
 * compete (an unscoped run or the loop): rounds take the task whose ready steps waited longest.
 */
const CHAIN_STREAK = 32;
const key = (taskId: string, step: string) => `${taskId}\u0000${step}`;

export class Scheduler {
  readonly running = new Map<string, RunningAttempt>();
  /** Tasks that finished and may have a parent to resolve. */
  private readonly finishedChildren = new Set<string>();
  private waiters: Array<() => void> = [];
  /** Set by stop(): no new attempts are launched and runUntilIdle returns. */
  stopped = false;
  private serial: Promise<unknown> = Promise.resolve();
  /** Set by the driver while it runs (runUntilIdle, the loop): outcome commits may claim (./chain.ts). */
  chain: ChainPolicy | null = null;
  private chainStreak = 0;
  private readonly chainHost: ChainHost;
  private readonly execDeps: ExecuteDeps;
  /** Aborted when outcome commits must stop retrying (./runtime/durable.ts). */
  private storing = new AbortController();

  constructor(private readonly deps: SchedulerDeps) {
    const self = this;
    this.chainHost = {
      capacity: deps.executor.capacity,
      runningCount: () => this.running.size,
      isRunning: (taskId, step) => this.running.has(key(taskId, step)),
      reserved: 0,
      finishing: 0,
      isStopped: () => this.stopped,
      launch(view, claim, env) {
        self.chainStreak += 1;
        self.startAttempt(view, claim, env);
      },
    };
    this.execDeps = { ...deps, openChain: (run, env) => this.openChain(run, env), giveUpStoring: () => this.storing.signal };
    deps.ctx.bus.on('task.status_changed', (e) => {
      if (isTaskFinished('workflow', e.payload.to) || isTaskFinished('flow', e.payload.to)) {
        this.finishedChildren.add(e.taskId);
        this.notify();
      }
    });
  }

  /** Outcome commits that storage refuses for now stop being retried (an aborting stop, close). */
  stopStoring(): void {
    this.storing.abort();
  }

  /** The engine runs again: outcome commits are retried until stored. */
  resumeStoring(): void {
    if (this.storing.signal.aborted) this.storing = new AbortController();
  }

  get hasPendingChildren(): boolean {
    return this.finishedChildren.size > 0;
  }

  /** Wake anything waiting for activity (a finished attempt, a new task, a signal). */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
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
    return [...this.running.values()].filter((r) => !scope || scope.has(r.taskId));
  }

  /** One full round. Returns how many attempts it launched. */
  async fullRound(scope: Scope, options: { deleteExpired?: boolean; max?: number } = {}): Promise<number> {
    await this.recoverExpiredLeases(scope);
    await this.promoteDue(scope);
    await this.resolveFinishedChildren();
    await this.advanceFlows(scope);
    if (options.deleteExpired) await this.guard('deleting expired tasks', () => this.deleteExpiredTasks());
    return this.launchReady(scope, options.max === undefined ? {} : { max: options.max });
  }

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
    const { ctx, store } = this.deps;
    const expired = await ctx.storage.expiredLeases(ctx.clock.now(), SCAN_LIMIT);
    for (const step of expired) {
      if ((scope && !scope.has(step.taskId)) || this.running.has(key(step.taskId, step.name))) continue;
      await this.guard(`recovering ${step.taskId}/${step.name}`, async () => {
        const found = await this.envOf(step.taskId);
        if (!found) return;
        const attempts = await ctx.storage.listAttempts(step.taskId, step.name);
        const open = openAttempt(attempts);
        const before = attempts.filter((a) => a.outcome === 'interrupted').length;
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

  async resolveFinishedChildren(): Promise<void> {
    const { ctx, store } = this.deps;
    const ids = [...this.finishedChildren];
    this.finishedChildren.clear();
    for (const id of ids) {
      await this.guard(`resolving the parent of ${id}`, async () => {
        const child = await ctx.storage.getTask(id);
        if (!child?.parentTaskId || !isTaskFinished(child.kind, child.status)) return;
        const parent = await ctx.storage.getTask(child.parentTaskId);
        if (!parent) return;
        if (parent.kind === 'flow') return nudgeParent(ctx, parent.id);
        const env = this.deps.envFor(parent);
        await store.change(parent.id, (d) => planChildFinished(d, child, env));
      });
    }
  }

  async advanceFlows(scope: Scope): Promise<void> {
    const { ctx, flows } = this.deps;
    if (!scope) {
      await this.guard('resuming active flows', () => flows.resumeActive());
      await this.guard('waking due flows', () => flows.runDue());
      return;
    }
    const now = ctx.clock.now();
    for (const id of scope) {
      const task = await ctx.storage.getTask(id);
      if (!task || task.kind !== 'flow' || task.debug.paused) continue;
      if (task.status === 'active') await this.guard(`advancing flow ${id}`, () => flows.advance(id));
      else if (task.status === 'waiting' && ((task.wakeAt !== null && task.wakeAt <= now) || (task.timeoutAt !== null && task.timeoutAt <= now))) {
        await this.guard(`waking flow ${id}`, () => flows.wake(id));
      }
    }
  }

  async deleteExpiredTasks(): Promise<void> {
    const { ctx } = this.deps;
    const now = ctx.clock.now();
    const ids = await ctx.storage.expiredTasks(now, SCAN_LIMIT);
    if (ids.length === 0) return;
    const result = await ctx.storage.commit({
      deleteTasks: ids,
      events: ids.map((taskId) => ({ type: 'task.deleted' as const, taskId, stepName: null, at: now, payload: {} })),
    });
    for (const id of ids) this.deps.store.forget(id);
    ctx.bus.publish(result.events);
  }

  /**
   * Claim ready steps (oldest tasks first) up to the executor's free capacity and `max`.
   * `taskId` (+ `step`) launches exactly one step of that task (the debugger's step).
   */
  async launchReady(scope: Scope, only: { max?: number; taskId?: string; step?: string; ignorePause?: boolean } = {}): Promise<number> {
    const { ctx, store, executor } = this.deps;
    if (this.stopped) return 0;
    let free = Math.min(this.freeSlots(), only.max ?? Infinity);
    if (free <= 0) return 0;
    const single = only.taskId !== undefined;
    const taskIds = only.taskId ? [only.taskId] : scope ? [...scope] : await ctx.storage.tasksWithReadySteps(SCAN_LIMIT);
    let launched = 0;
    for (const taskId of taskIds) {
      if (free <= 0) break;
      const view = await store.locked(taskId, () => store.view(taskId));
      if (!view || view.ready.size === 0 || (view.task.debug.paused && !only.ignorePause)) continue;
      let env: PlanEnv;
      try {
        env = this.deps.envFor(view.task);
      } catch (err) {
        // Its template is gone from the workspace: report it, keep running the other tasks.
        this.deps.onError(err, `task ${taskId} (${view.task.templateRef})`);
        continue;
      }
      for (const name of view.ready) {
        if (free <= 0) break;
        if (only.step && name !== only.step) continue;
        if (this.running.has(key(taskId, name))) continue;
        // Debugger (core/ops): a breakpoint pauses the task before the step runs.
        const bp = only.ignorePause ? null : stepBreakpointOf(view, name);
        if (bp !== null) {
          await store.change(taskId, (d) => planBreakpointPause(d, name, bp));
          break;
        }
        const ok = await this.launchStep(view, name, env);
        if (ok === 'full') return launched;
        if (ok === 'launched') {
          free -= 1;
          launched += 1;
        } else if (ok === 'started_waiting') {
          launched += 1;
        }
        if (single && ok !== 'skipped') return launched;
      }
    }
    return launched;
  }

  private freeSlots(): number {
    return this.deps.executor.capacity - this.running.size - this.chainHost.reserved;
  }

  /** A chain for this outcome, when the driver allows one (see ./chain.ts). */
  private openChain(run: RunningAttempt, env: PlanEnv): ChainTicket | null {
    const policy = this.chain;
    if (!policy || this.stopped || policy.launched >= policy.limit) return null;
    if (policy.scope && !policy.scope.has(run.taskId)) return null;
    const competing = policy.scope === null || policy.scope.size > 1;
    if (competing && this.chainStreak >= CHAIN_STREAK) return null;
    return new ChainTicket(this.chainHost, policy, env);
  }

  private async launchStep(view: TaskView, name: string, env: PlanEnv): Promise<'launched' | 'started_waiting' | 'skipped' | 'full'> {
    const { ctx, store } = this.deps;
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
    const limit = stepT?.concurrency && step.concurrencyKey !== null ? { key: step.concurrencyKey, limit: stepT.concurrency.limit } : null;
    if (limit) {
      // A cheap early answer only: another engine may claim between this count and the claim,
      // so the claim itself carries the limit as a guard that storage checks in the commit.
      const busy = await ctx.storage.countRunningWithConcurrencyKey(limit.key);
      if (busy >= limit.limit) return 'skipped';
    }
    // A chained claim may have taken the slot while this round awaited; hold one while claiming.
    if (this.freeSlots() <= 0) return 'full';
    this.chainHost.reserved += 1;
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
      this.chainStreak = 0;
      this.startAttempt(claimed.view, { name, attempt, stepT }, env);
      return 'launched';
    } finally {
      this.chainHost.reserved -= 1;
    }
  }

  /** Register a claimed attempt as running here and run it. */
  private startAttempt(view: TaskView, claim: ChainedClaim, env: PlanEnv): void {
    const taskId = view.task.id;
    const run: RunningAttempt = { taskId, step: claim.name, controller: new AbortController(), abortKind: null, done: Promise.resolve() };
    const k = key(taskId, claim.name);
    this.running.set(k, run);
    run.done = executeAttempt(this.execDeps, run, view, env, claim.stepT, claim.attempt)
      .catch((err) => this.deps.onError(err, `running ${taskId}/${claim.name}`))
      .finally(() => {
        this.running.delete(k);
        this.notify();
      });
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
