/**
 * The engine facade: `createEngine` wires storage, clock, bus, registries and an executor into
 * one object that starts tasks, drives them (`runUntilIdle` for tests and the CLI, `tick` for one
 * round, `startLoop`/`stop` for the runner and the workbench host), and takes signals and
 * cancellations. It owns the wiring and the loop, nothing else: decisions are pure planners
 * (create, outcome, waits, cancel, readiness, taskStatus), writes go through the TaskStore, and
 * attempts run in execute.ts on the chosen executor.
 *
 * Flow tasks (kind `flow`) belong to the flow driver in ./flow/ (createFlowDriver). The hook:
 * `start` creates flows with `flows.create`, scheduling rounds call `flows.advance`/`wake` (or
 * `resumeActive`/`runDue` when unscoped), `cancelTask` calls `flows.cancel`, and the driver's
 * `startChild` is this engine's `start`, so a flow can start workflow subtasks and vice versa.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { timeOrderedId } from './ids.js';
import { systemClock, type Clock } from '../model/clock.js';
import { NotFoundError, StepwiseError } from '../model/errors.js';
import { createConsoleLogger, logLevelFromEnv, logsAt, type Logger } from '../model/logger.js';
import type { Json, StepRecord, TaskRecord } from '../model/runtime.js';
import type { ExecutorKind } from '../model/workspace.js';
import { resolveLimits, type Limits } from '../limits/index.js';
import type { ChangeSet, CommitResult, Storage } from '../storage/storage.js';
import { commitAndPublish } from './runtime/commit.js';
import type { EventBus } from '../events/types.js';
import { createEventBus } from '../events/bus.js';
import { createExecutor, type Executor, type ExecutorOptions } from '../executor/index.js';
import type { StrayCrash } from '../executor/guard.js';
import type { EngineContext, HandlerRegistry, TemplateRegistry } from './context.js';
import type { Random } from './runtime/backoff.js';
import { createFlowDriver, type FlowDriver } from './flow/driver.js';
import { planCancel } from './workflow/cancel.js';
import { type StartOptions } from './workflow/create.js';
import { createLoop, type LoopOptions } from './runtime/loop.js';
import { runUntilIdle, type RunOptions, type RunSummary } from './runtime/runUntilIdle.js';
import { Scheduler } from './runtime/scheduler.js';
import { startTask } from './start.js';
import { subtaskStarter } from './workflow/subtasks.js';
import { TaskStore } from './runtime/taskStore.js';
import { abortRunning, type RunningAttempt } from './runtime/attempts.js';
import { childOf, planSignal } from './workflow/waits.js';
import type { PlanEnv } from './workflow/outcome.js';

export interface EngineOptions {
  storage: Storage;
  templates: TemplateRegistry;
  handlers: HandlerRegistry;
  clock?: Clock;
  /** An executor, or its kind (default: `inline` under tests, `pool` otherwise). */
  executor?: Executor | ExecutorKind;
  /** Pool/threads: handlers at once. */
  concurrency?: number;
  /** Options of the executor made from `executor` when it is a kind (threads: memory limit, setup modules). */
  executorOptions?: ExecutorOptions;
  /** Identifies this engine in leases and heartbeats. */
  owner?: string;
  leaseMs?: number;
  bus?: EventBus;
  /** Jitter source for retry delays. */
  random?: Random;
  /** Minimum time between two persisted progress events of one attempt. */
  progressIntervalMs?: number;
  /**
   * Where the engine logs (a pino logger fits): errors of background work at `error`, every
   * event at `debug`. Default: plain lines on stderr at STEPWISE_LOG's level (default `info`).
   */
  logger?: Logger;
  /** Where errors of background work go (a task whose template vanished, storage trouble); default: `logger.error`. */
  onError?: (err: unknown, where: string) => void;
  /** Size limits on inputs, params, results, failures and logs (core/limits; defaults for the rest). */
  limits?: Partial<Limits>;
}

export interface Engine {
  readonly context: EngineContext;
  readonly storage: Storage;
  readonly bus: EventBus;
  readonly executor: Executor;
  readonly flows: FlowDriver;
  /** Create a task (input validated, nothing stored when invalid). Runs nothing by itself. */
  start(templateRef: string, input?: unknown, options?: StartOptions): Promise<TaskRecord>;
  /** Drive until nothing is ready or running (optionally one task and its subtasks). */
  runUntilIdle(options?: RunOptions): Promise<RunSummary>;
  /** One scheduling round; returns how many attempts it launched. Does not wait for them. */
  tick(): Promise<number>;
  /**
   * Run exactly one ready step of a task (the named one, or the first ready), even in a paused
   * task, and wait for its outcome. Returns the step afterwards, or null when nothing was ready.
   */
  runStep(taskId: string, stepName?: string): Promise<StepRecord | null>;
  startLoop(options?: LoopOptions): void;
  /** Stop the loop; waits for running attempts, or aborts them (they return to `ready`). */
  stop(options?: { abort?: boolean }): Promise<void>;
  signal(taskId: string, stepName: string, payload?: Json): Promise<StepRecord>;
  cancelTask(taskId: string, reason?: string): Promise<TaskRecord>;
  /**
   * Operations (core/ops): commit a ChangeSet through the engine's one commit-then-publish path
   * (its events reach the bus after the commit). STALE and other refusals are thrown as they are.
   */
  commit(changes: ChangeSet): Promise<CommitResult>;
  /** Operations (core/ops): wake the loop after a manual change made work ready. */
  notify(): void;
  /** Operations (core/ops): abort handlers of these steps running in this process (a cancel they committed). */
  abortSteps(taskId: string, steps: readonly string[], reason: string): void;
  /** stop() and release the executor's threads. The storage stays open (the caller owns it). */
  close(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const logger = options.logger ?? createConsoleLogger({ level: logLevelFromEnv() });
  // A crash a handler leaves behind after its attempt ended (a late rejection, a timer that
  // throws) is ignored by the executor and logged here, unless the caller takes strays itself.
  const onStray = (stray: StrayCrash) =>
    logger.error({ err: stray.error, kind: stray.kind, ...(stray.handlerName ? { handler: stray.handlerName } : {}) }, `${stray.kind} ${stray.handlerName ? `in handler '${stray.handlerName}' after its attempt ended` : 'outside any running handler'}, ignored`);
  const executor =
    typeof options.executor === 'object' ? options.executor : createExecutor(options.executor, options.concurrency, { onStray, ...options.executorOptions });
  const ownsExecutor = typeof options.executor !== 'object';
  const context: EngineContext = {
    storage: options.storage,
    clock: options.clock ?? systemClock,
    bus: options.bus ?? createEventBus(),
    templates: options.templates,
    handlers: options.handlers,
    owner: options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: options.leaseMs ?? 30_000,
    limits: resolveLimits(options.limits),
  };
  const newId = () => timeOrderedId(context.clock.now());
  const random = options.random ?? Math.random;
  const onError = options.onError ?? ((err: unknown, where: string) => logger.error({ err, where }, `engine: ${where}`));
  // Every event at debug (`STEPWISE_LOG=debug stepwise runner` narrates the run); no listener otherwise.
  if (logsAt(logger, 'debug')) {
    context.bus.onAny((e) => logger.debug({ seq: e.seq, taskId: e.taskId, ...(e.stepName === null ? {} : { step: e.stepName }) }, e.type));
  }
  const store = new TaskStore(context);

  let engine!: Engine;
  let scheduler!: Scheduler;
  const flows = createFlowDriver(context, {
    startChild: async (ref, input, parentTaskId) => engine.start(ref, input, { parentTaskId }),
    // Flow actions run in the same attempts as workflow steps: one executor, one set of slots.
    attempts: () => scheduler.attempts,
    reserveSlot: () => scheduler.slots.reserve(1),
    releaseSlot: () => scheduler.slots.release(1),
    isStopped: () => scheduler.stopped,
    onError,
  });
  const envFor = (task: TaskRecord): PlanEnv => {
    const template = context.templates.resolve(task.templateRef);
    if (template.kind !== 'workflow') throw new StepwiseError('USAGE', `${task.templateRef} is not a workflow template.`, { taskId: task.id });
    return { template, owner: context.owner, leaseMs: context.leaseMs, newId, random };
  };
  scheduler = new Scheduler({
    ctx: context,
    store,
    executor,
    flows,
    envFor,
    onError,
    progressIntervalMs: options.progressIntervalMs ?? 250,
    startSubtask: subtaskStarter(context, (template, input, o) => flows.create(template, input, o), newId),
  });
  const loop = createLoop(context, scheduler, onError);

  const workflowTask = async (taskId: string): Promise<TaskRecord> => {
    const task = await context.storage.getTask(taskId);
    if (!task) throw new NotFoundError('Task', taskId, 'List tasks with `stepwise tasks`.');
    return task;
  };

  engine = {
    context,
    storage: context.storage,
    bus: context.bus,
    executor,
    flows,
    async start(ref, input = {}, opts = {}) {
      const task = await startTask(context, flows, ref, input, opts, newId, (t, steps) => store.remember(t, steps));
      scheduler.notify();
      return task;
    },
    runUntilIdle: (opts = {}) => runUntilIdle(context, scheduler, opts),
    tick: () => scheduler.serialized(() => scheduler.fullRound(null, { deleteExpired: true })),
    async runStep(taskId, stepName) {
      // Watched, not looked up among the running afterwards: the attempt may have ended already.
      const started: RunningAttempt[] = [];
      const unwatch = scheduler.attempts.watch((r) => r.taskId === taskId && started.push(r));
      let launched: number;
      try {
        launched = await scheduler.serialized(() => scheduler.launchReady(null, { taskId, max: 1, ignorePause: true, ...(stepName ? { step: stepName } : {}) }));
      } finally {
        unwatch();
      }
      if (launched === 0) return null;
      await Promise.all(started.map((r) => r.done));
      const name = started[0]?.step ?? stepName;
      return name ? context.storage.getStep(taskId, name) : null;
    },
    startLoop: (opts = {}) => loop.start(opts),
    stop: (opts = {}) => loop.stop(opts),
    async signal(taskId, stepName, payload = null) {
      const task = await workflowTask(taskId);
      if (task.kind !== 'workflow') {
        throw new StepwiseError('USAGE', `Task ${taskId} is a flow; flows take interactions, not signals (stepwise interact).`, { taskId });
      }
      const env = envFor(task);
      await store.change(taskId, (d) => planSignal(d, stepName, payload, env), 'user');
      scheduler.notify();
      return (await context.storage.getStep(taskId, stepName))!;
    },
    async cancelTask(taskId, reason = 'cancelled by user') {
      const task = await workflowTask(taskId);
      if (task.kind === 'flow') return flows.cancel(taskId, reason);
      const env = envFor(task);
      const open = new Map(
        (await context.storage.listAttempts(taskId)).filter((a) => a.outcome === null).map((a) => [a.stepName, a] as const),
      );
      const r = await store.change(taskId, (d) => planCancel(d, reason, open, env.template.deleteAfterMs), 'user');
      for (const name of r?.value.running ?? []) {
        const run = scheduler.runningIn(new Set([taskId])).find((x) => x.step === name);
        if (run) abortRunning(run, 'cancelled', `Task ${taskId} was cancelled: ${reason}`);
      }
      for (const name of r?.value.subtasks ?? []) {
        const step = await context.storage.getStep(taskId, name);
        const child = step ? childOf(step) : null;
        if (child) await engine.cancelTask(child, `parent task ${taskId} was cancelled`).catch((err) => onError(err, `cancelling subtask ${child}`));
      }
      return workflowTask(taskId);
    },
    // An operation changed tasks behind the TaskStore: their cached views are dropped first, so
    // the round its notify() wakes reads them again.
    commit: (changes) => commitAndPublish(context, changes, () => forgetViews(store, changes)),
    notify: () => scheduler.notify(),
    abortSteps(taskId, steps, reason) {
      for (const run of scheduler.runningIn(new Set([taskId]))) if (steps.includes(run.step)) abortRunning(run, 'cancelled', reason);
    },
    async close() {
      await loop.stop({ abort: true });
      if (ownsExecutor) await executor.close();
    },
  };
  return engine;
}

/** Drop the cached views of every task a change set touches (written outside the TaskStore). */
function forgetViews(store: TaskStore, changes: ChangeSet): void {
  for (const p of changes.updateTasks ?? []) store.forget(p.id);
  for (const s of changes.insertSteps ?? []) store.forget(s.taskId);
  for (const a of changes.insertAttempts ?? []) store.forget(a.taskId);
  for (const t of changes.transitions ?? []) store.forget(t.taskId);
  for (const e of changes.events ?? []) store.forget(e.taskId);
  for (const id of changes.deleteTasks ?? []) store.forget(id);
}
