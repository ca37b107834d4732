/**
 * Flow testing helpers: `testState` runs exactly one state of a flow against an in-memory store
 * (the Ruby `MyTask.test(:state, ...)`), and `createFlowTestEnv` gives a whole driver with a
 * manual clock for multi-step scenarios (waits, interactions, timeouts).
 */
import { ManualClock } from '../model/clock.js';
import type { AttemptRecord, JsonObject, LogLine, TaskRecord, TransitionRecord } from '../model/runtime.js';
import type { FlowTemplate, Template } from '../model/template.js';
import { createFlowDriver, type FlowDriver } from '../engine/flow/driver.js';
import type { EngineContext } from '../engine/context.js';
import type { Storage } from '../storage/storage.js';
import { createTestContext, type HandlerSource } from './context.js';

export interface FlowTestOptions {
  /** Handlers named by YAML templates (a plain object, or a loaded workspace's `handlers`). */
  handlers?: HandlerSource;
  /** Other templates the flow starts as sub-tasks. */
  templates?: readonly Template[];
  /** The clock; a ManualClock at 2026-01-01T00:00:00Z by default. */
  clock?: ManualClock;
}

export interface FlowTestEnv {
  driver: FlowDriver;
  storage: Storage;
  clock: ManualClock;
  ctx: EngineContext;
}

export function createFlowTestEnv(templates: readonly Template[], options: Omit<FlowTestOptions, 'templates'> = {}): FlowTestEnv {
  const clock = options.clock ?? new ManualClock();
  const ctx = createTestContext({ templates, clock, ...(options.handlers ? { handlers: options.handlers } : {}) });
  return { driver: createFlowDriver(ctx), storage: ctx.storage, clock, ctx };
}

/** The flow task after a test run, with what the run recorded. */
export interface TestedFlow extends TaskRecord {
  attempts: AttemptRecord[];
  transitions: TransitionRecord[];
  /** Log lines of every attempt, in order. */
  logs: LogLine[];
  /** Tasks the state started as sub-tasks (stored, not run). */
  subtasks: TaskRecord[];
}

/**
 * Places a new flow task in `state` with `data` (attribute defaults applied and validated) and
 * runs exactly that state: an action's handler and its move, a decision's choice, a wait's check
 * (matched: moved on; not matched: waiting). The next state does not run.
 */
export async function testState(flow: FlowTemplate, state: string, data: JsonObject = {}, options: FlowTestOptions = {}): Promise<TestedFlow> {
  const env = createFlowTestEnv([flow, ...(options.templates ?? [])], options);
  const created = await env.driver.create(flow, data, { state });
  const task = await env.driver.runOnce(created.id);
  const attempts = await env.storage.listAttempts(task.id);
  return {
    ...task,
    attempts,
    transitions: await env.storage.listTransitions(task.id),
    logs: attempts.flatMap((a) => a.logs),
    subtasks: (await env.storage.listTasks({ parentTaskId: task.id })).tasks,
  };
}
