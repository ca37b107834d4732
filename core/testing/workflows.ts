/**
 * Whole-workflow testing: `runWorkflow` runs a workflow end to end in one call — the real engine
 * on memory storage, handlers in process, a manual clock that skips ahead to due retries, timed
 * waits and timeouts (as Temporal's time-skipping test environment does) — and returns the task
 * with its steps, attempts, transitions and logs for the step matchers. `createWorkflowTestEnv`
 * is the same engine for scenarios in several moves (signals, operations, a paused task).
 */
import { ManualClock } from '../model/clock.js';
import type { AttemptRecord, Json, JsonObject, LogLine, StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import { isTaskFinished } from '../model/states.js';
import { templateRef, type Template, type WorkflowTemplate } from '../model/template.js';
import { silentLogger } from '../model/logger.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { treeOf } from '../engine/runtime/runUntilIdle.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Storage } from '../storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../template/registry.js';
import { handlerMap, type HandlerSource } from './context.js';

const DAY_MS = 86_400_000;

export interface WorkflowTestOptions {
  /** Handlers named by YAML templates (a plain object, or a loaded workspace's `handlers`). */
  handlers?: HandlerSource;
  /** Other templates the workflow starts as sub-tasks. */
  templates?: readonly Template[];
  /** The clock; a ManualClock at 2026-01-01T00:00:00Z by default. */
  clock?: ManualClock;
  /**
   * How far the clock may skip ahead, in total, to reach due retries, timed waits and timeouts
   * (default 30 days). `0` never skips: a retry or a timed wait leaves the task where it is.
   */
  skipUpToMs?: number;
}

/** The workflow task after a run, with what the run recorded. */
export interface TestedWorkflow extends TaskRecord {
  /** Every step, dynamic ones (batch workers) included, in creation order. */
  steps: StepRecord[];
  attempts: AttemptRecord[];
  transitions: TransitionRecord[];
  /** Log lines of every attempt, in order. */
  logs: LogLine[];
  /** Tasks it started as sub-tasks, as they ended up (they run too). */
  subtasks: TaskRecord[];
  /** How much clock time the run skipped to reach retries, waits and timeouts. */
  skippedMs: number;
}

export interface WorkflowTestEnv {
  engine: Engine;
  storage: Storage;
  clock: ManualClock;
  /** Starts a task of `template` (input validated) and runs it as far as it goes. */
  run(template: WorkflowTemplate | string, input?: JsonObject): Promise<TestedWorkflow>;
  /** Runs a task further (after a signal, an operation, a `continue`). */
  resume(taskId: string): Promise<TestedWorkflow>;
  /** Completes a waiting `wait` step with `payload`, then runs the task further. */
  signal(taskId: string, step: string, payload?: Json): Promise<TestedWorkflow>;
  close(): Promise<void>;
}

/** The earliest retry, wake-up or timeout after `now` in the task's tree, or null. */
async function nextDueAt(storage: Storage, tree: ReadonlySet<string>, now: number): Promise<number | null> {
  const ids = [...tree];
  const tasks = (await Promise.all(ids.map((id) => storage.getTask(id)))).filter((t): t is TaskRecord => t !== null && !isTaskFinished(t.kind, t.status));
  const steps = await storage.getStepsOfTasks(tasks.map((t) => t.id));
  const times = [
    ...tasks.flatMap((t) => [t.wakeAt, t.timeoutAt]),
    ...steps.flatMap((s) => (s.state === 'waiting_for_retry' ? [s.retryAt] : s.state === 'waiting' ? [s.wakeAt] : [])),
  ].filter((t): t is number => t !== null && t > now);
  return times.length === 0 ? null : Math.min(...times);
}

async function snapshot(storage: Storage, task: TaskRecord, skippedMs: number): Promise<TestedWorkflow> {
  const attempts = await storage.listAttempts(task.id);
  return {
    ...task,
    steps: await storage.getSteps(task.id),
    attempts,
    transitions: await storage.listTransitions(task.id),
    logs: attempts.flatMap((a) => a.logs),
    subtasks: (await storage.listTasks({ parentTaskId: task.id })).tasks,
    skippedMs,
  };
}

export function createWorkflowTestEnv(templates: readonly Template[], options: WorkflowTestOptions = {}): WorkflowTestEnv {
  const clock = options.clock ?? new ManualClock();
  const storage = new MemoryStorage();
  const engine = createEngine({
    storage,
    clock,
    executor: 'inline',
    logger: silentLogger(),
    random: () => 0.5,
    templates: createTemplateRegistry([...templates, ...(options.templates ?? [])]),
    handlers: createHandlerRegistry(handlerMap(options.handlers)),
  });
  const budget = options.skipUpToMs ?? 30 * DAY_MS;
  let skipped = 0;

  const resume = async (taskId: string): Promise<TestedWorkflow> => {
    for (;;) {
      const { task } = await engine.runUntilIdle({ taskId });
      if (!task) throw new Error(`Task ${taskId} is gone (deleted after its delete_after?).`);
      if (isTaskFinished(task.kind, task.status) || task.debug.paused) return snapshot(storage, task, skipped);
      const next = await nextDueAt(storage, await treeOf(engine.context, taskId), clock.now());
      if (next === null || skipped + (next - clock.now()) > budget) return snapshot(storage, task, skipped);
      skipped += next - clock.now();
      clock.set(next);
    }
  };

  return {
    engine,
    storage,
    clock,
    async run(template, input = {}) {
      const ref = typeof template === 'string' ? template : templateRef(template);
      const task = await engine.start(ref, input);
      return resume(task.id);
    },
    resume,
    async signal(taskId, step, payload) {
      await engine.signal(taskId, step, payload ?? null);
      return resume(taskId);
    },
    close: () => engine.close(),
  };
}

/**
 * Runs `template` end to end with `input` in one call and returns the finished (or stuck) task
 * with its steps, attempts, transitions and logs:
 *
 *   const run = await runWorkflow(ws.workflow('order_fulfillment'), { order_id: 1 }, { handlers: ws.handlers });
 *   expect(run).toBeCompleted();
 *   expect(run).toHaveStep('charge_payment', { state: 'complete', attempts: 2 });
 */
export async function runWorkflow(template: WorkflowTemplate, input: JsonObject = {}, options: WorkflowTestOptions = {}): Promise<TestedWorkflow> {
  const env = createWorkflowTestEnv([template], options);
  try {
    return await env.run(template, input);
  } finally {
    await env.close();
  }
}
