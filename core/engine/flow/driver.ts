/**
 * The flow driver: the thin impure shell around the pure planners. It creates flow tasks, runs
 * them while they are active and their state changes (stopping at a wait, a result or a
 * failure), wakes waiting ones (timeouts first, then the wait re-check), fires interactions and
 * cancels. It owns no loop of its own: the engine facade and the runner call `advance`/`runDue`.
 *
 * Within one process, work on a task is serialised (an interaction arriving while an action runs
 * waits for it); across processes, optimistic versions make the loser re-read and decide again.
 */
import { randomUUID } from 'node:crypto';
import { StaleError, StepwiseError } from '../../model/errors.js';
import { isTaskFinished } from '../../model/states.js';
import type { Actor, JsonObject, TaskRecord } from '../../model/runtime.js';
import { templateRef, type FlowTemplate } from '../../model/template.js';
import type { EngineContext } from '../context.js';
import { applyDefaultsAndValidate } from './attributes.js';
import { applyInteraction, checkInteraction } from './interact.js';
import { planBreakpointPause, planCreate, planOutcome, stopsAtBreakpoint } from './plan.js';
import { applyTimeout, commitOutcome, runCurrentState, type StepInput } from './runState.js';
import { createRuntime, flowOnlyStartChild, type StartChild } from './runtime.js';

export interface FlowStartOptions {
  parentTaskId?: string;
  idempotencyKey?: string;
  /** `later`: store the flow `waiting` with an immediate wake; whoever runs due flows picks it up. */
  background?: boolean;
  /** Start paused (debugger). */
  debug?: boolean;
  /** Place the new task in this state instead of `startsWith` (testing helpers). */
  state?: string;
}

export interface RunOptions {
  actor?: Actor;
}

export interface FlowDriverOptions {
  /** Starts sub-tasks of either kind; by default only flow sub-tasks can be started. */
  startChild?: StartChild;
  /** Transitions one `advance` makes before yielding (the flow waits with an immediate wake). */
  maxTransitionsPerRun?: number;
}

export interface FlowDriver {
  /** Validates the attributes (defaults applied) and stores the task; runs nothing. */
  create(template: FlowTemplate, input: unknown, opts?: FlowStartOptions): Promise<TaskRecord>;
  /** create + advance (a background or debug start only creates). */
  start(template: FlowTemplate, input: unknown, opts?: FlowStartOptions): Promise<TaskRecord>;
  /** Runs while active and the state changes; stops at a wait, a result, a failure or a pause. */
  advance(taskId: string, opts?: RunOptions): Promise<TaskRecord>;
  /** Exactly one transition: runs the current state of an active flow, or wakes a waiting one once. */
  runOnce(taskId: string, opts?: RunOptions): Promise<TaskRecord>;
  /** A waiting flow: apply a due timeout, else re-check its wait (or activate a background start), then advance. */
  wake(taskId: string, opts?: RunOptions): Promise<TaskRecord>;
  /** Throws NOT_FOUND / INVALID_STATE when `name` cannot be called now; changes nothing. */
  checkInteraction(task: TaskRecord, name: string): void;
  /** Runs an interaction, then wakes the flow (`wake: false` leaves it due now for a runner instead). */
  fireInteraction(taskId: string, name: string, params?: unknown, opts?: RunOptions & { wake?: boolean }): Promise<TaskRecord>;
  cancel(taskId: string, reason?: string, opts?: RunOptions): Promise<TaskRecord>;
  /** Wakes every waiting flow whose wake or timeout time has passed; returns their ids. */
  runDue(limit?: number): Promise<string[]>;
  /** Continues active flows left behind (a crashed process, a yield); returns their ids. */
  resumeActive(limit?: number): Promise<string[]>;
}

const DEFAULT_MAX_TRANSITIONS = 1000;

export function createFlowDriver(ctx: EngineContext, options: FlowDriverOptions = {}): FlowDriver {
  const maxTransitions = options.maxTransitionsPerRun ?? DEFAULT_MAX_TRANSITIONS;
  const locks = new Map<string, Promise<unknown>>();
  const controllers = new Map<string, AbortController>();

  /** Serialises work on one task within this process. */
  function exclusive<T>(taskId: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(taskId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    locks.set(taskId, tail);
    void tail.then(() => {
      if (locks.get(taskId) === tail) locks.delete(taskId);
    });
    return run;
  }

  function signalFor(taskId: string): AbortSignal {
    let c = controllers.get(taskId);
    if (!c || c.signal.aborted) {
      c = new AbortController();
      controllers.set(taskId, c);
    }
    return c.signal;
  }

  const create = async (template: FlowTemplate, input: unknown, opts: FlowStartOptions = {}): Promise<TaskRecord> => {
    if (opts.idempotencyKey) {
      const existing = await ctx.storage.findTaskByIdempotencyKey(opts.idempotencyKey);
      if (existing) return existing;
    }
    const ref = templateRef(template);
    const data = applyDefaultsAndValidate(template.attributesSchema, input ?? {}, `The attributes of ${ref}`);
    const { task, changes } = planCreate(template, {
      id: randomUUID(),
      input: structuredClone((input ?? {}) as JsonObject),
      data,
      now: ctx.clock.now(),
      parentTaskId: opts.parentTaskId ?? null,
      idempotencyKey: opts.idempotencyKey ?? null,
      background: opts.background ?? false,
      debug: opts.debug ?? false,
      ...(opts.state ? { state: opts.state } : {}),
    });
    await rt.commit(changes);
    return task;
  };

  const startChild =
    options.startChild ?? flowOnlyStartChild(ctx, (template, input, parentTaskId) => create(template, input, { parentTaskId, background: true }));
  const rt = createRuntime(ctx, startChild);

  const stepInput = (task: TaskRecord, actor: Actor): StepInput => ({ task, actor, signal: signalFor(task.id) });

  /** One transition of a task already loaded; false when nothing could run. */
  async function once(task: TaskRecord, actor: Actor): Promise<boolean> {
    if (task.debug.paused && actor !== 'user') return false;
    if (task.status === 'active') {
      await runCurrentState(rt, stepInput(task, actor));
      return true;
    }
    if (task.status !== 'waiting') return false;
    const template = rt.templateOf(task);
    const now = ctx.clock.now();
    if (task.timeoutAt !== null && now >= task.timeoutAt) {
      await applyTimeout(rt, stepInput(task, actor));
      return true;
    }
    const state = template.states.find((s) => s.name === task.currentState);
    if (state?.type === 'wait') await runCurrentState(rt, stepInput(task, actor));
    else await commitOutcome(rt, stepInput(task, actor), template, { type: 'activate', reason: 'woken' });
    return true;
  }

  async function advanceLocked(taskId: string, actor: Actor): Promise<TaskRecord> {
    let transitions = 0;
    for (;;) {
      const task = await rt.getTask(taskId);
      if (task.status !== 'active' || task.debug.paused) return finishRun(task);
      if (stopsAtBreakpoint(task, task.currentState ?? '')) {
        // A breakpoint set while the flow already stood at this state.
        await rt.commit(planBreakpointPause(task, ctx.clock.now())).catch((err) => {
          if (!(err instanceof StaleError)) throw err;
        });
        continue;
      }
      if (transitions >= maxTransitions) {
        await yieldRun(task, actor);
        continue;
      }
      await runCurrentState(rt, stepInput(task, actor));
      transitions++;
    }
  }

  /** A flow that keeps moving without waiting: let others run, pick it up again at once. */
  async function yieldRun(task: TaskRecord, actor: Actor): Promise<void> {
    const template = rt.templateOf(task);
    const plan = planOutcome({ task, template, now: ctx.clock.now(), actor }, { type: 'sleep', reason: `yield after ${maxTransitions} transitions`, at: ctx.clock.now() });
    await rt.commit(plan.changes).catch((err) => {
      if (!(err instanceof StaleError)) throw err;
    });
  }

  async function finishRun(task: TaskRecord): Promise<TaskRecord> {
    controllers.delete(task.id);
    if (isTaskFinished('flow', task.status)) rt.forgetAttempts(task.id);
    if (task.parentTaskId && isTaskFinished('flow', task.status)) await nudgeParent(ctx, task.parentTaskId);
    return task;
  }

  const driver: FlowDriver = {
    create,
    async start(template, input, opts = {}) {
      const task = await create(template, input, opts);
      if (opts.background || opts.debug) return task;
      return driver.advance(task.id);
    },
    advance(taskId, opts = {}) {
      return exclusive(taskId, () => advanceLocked(taskId, opts.actor ?? 'engine'));
    },
    runOnce(taskId, opts = {}) {
      return exclusive(taskId, async () => {
        await once(await rt.getTask(taskId), opts.actor ?? 'engine');
        return finishRun(await rt.getTask(taskId));
      });
    },
    wake(taskId, opts = {}) {
      const actor = opts.actor ?? 'runner';
      return exclusive(taskId, async () => {
        const task = await rt.getTask(taskId);
        if (task.status === 'waiting' && !task.debug.paused) await once(task, actor);
        return advanceLocked(taskId, actor);
      });
    },
    checkInteraction(task, name) {
      checkInteraction(rt.templateOf(task), task, name);
    },
    fireInteraction(taskId, name, params, opts = {}) {
      const actor = opts.actor ?? 'user';
      return exclusive(taskId, async () => {
        const task = await applyInteraction(rt, taskId, name, params, { actor, signal: signalFor(taskId) });
        if (task.status !== 'waiting') return task;
        if (opts.wake === false) return markDueNow(task);
        if (task.debug.paused) return task;
        // The interaction was the caller's; what the flow does in response is the engine's.
        await once(task, 'engine');
        return advanceLocked(taskId, 'engine');
      });
    },
    async cancel(taskId, reason = 'cancelled', opts = {}) {
      controllers.get(taskId)?.abort(new StepwiseError('CANCELLED', `Task ${taskId} was cancelled: ${reason}`));
      return exclusive(taskId, async () => {
        const task = await rt.getTask(taskId);
        if (isTaskFinished('flow', task.status) && task.status !== 'failed') return task;
        const template = rt.templateOf(task);
        await rt.commit(planOutcome({ task, template, now: ctx.clock.now(), actor: opts.actor ?? 'user' }, { type: 'cancel', reason }).changes);
        return finishRun(await rt.getTask(taskId));
      });
    },
    async runDue(limit = 100) {
      const due = await ctx.storage.dueTasks(ctx.clock.now(), limit);
      const ids: string[] = [];
      for (const task of due) {
        if (task.kind !== 'flow' || task.status !== 'waiting' || task.debug.paused) continue;
        await driver.wake(task.id);
        ids.push(task.id);
      }
      return ids;
    },
    async resumeActive(limit = 100) {
      const page = await ctx.storage.listTasks({ kind: 'flow', status: 'active', limit });
      const ids: string[] = [];
      for (const task of page.tasks) {
        if (locks.has(task.id) || task.debug.paused) continue;
        await driver.advance(task.id);
        ids.push(task.id);
      }
      return ids;
    },
  };

  async function markDueNow(task: TaskRecord): Promise<TaskRecord> {
    const now = ctx.clock.now();
    await rt.commit({
      updateTasks: [{ id: task.id, expectedVersion: task.version, set: { wakeAt: now, updatedAt: now } }],
      events: [{ type: 'flow.waiting', taskId: task.id, stepName: null, at: now, payload: { state: task.currentState ?? '', wakeAt: now } }],
    });
    return rt.getTask(task.id);
  }

  return driver;
}

/**
 * A sub-task finished: a parent flow waiting for it re-checks its wait now rather than after
 * its delay. Best effort: if the parent changed meanwhile it will check soon anyway.
 */
export async function nudgeParent(ctx: EngineContext, parentTaskId: string): Promise<void> {
  const parent = await ctx.storage.getTask(parentTaskId);
  const now = ctx.clock.now();
  if (!parent || parent.kind !== 'flow' || parent.status !== 'waiting') return;
  if (parent.wakeAt !== null && parent.wakeAt <= now) return;
  try {
    const result = await ctx.storage.commit({
      updateTasks: [{ id: parent.id, expectedVersion: parent.version, set: { wakeAt: now } }],
      events: [{ type: 'flow.waiting', taskId: parent.id, stepName: null, at: now, payload: { state: parent.currentState ?? '', wakeAt: now } }],
    });
    ctx.bus.publish(result.events);
  } catch (err) {
    if (!(err instanceof StaleError)) throw err;
  }
}
