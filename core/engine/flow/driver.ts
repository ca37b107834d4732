/**
 * The flow driver: the thin impure shell around the pure planners. It creates flow tasks, runs
 * them while they are active and their state changes (stopping at a wait, a result or a
 * failure), wakes waiting ones (timeouts first, then the wait re-check), fires interactions and
 * cancels. It owns no loop of its own: the engine facade and the runner call `advance`/`runDue`.
 *
 * Within one process, work on a task is serialised (an interaction arriving while an action runs
 * waits for it); across processes, optimistic versions make the loser re-read and decide again.
 */
import { timeOrderedId } from '../ids.js';
import { StaleError, StepwiseError } from '../../model/errors.js';
import { isTaskFinished } from '../../model/states.js';
import type { Actor, JsonObject, TaskRecord } from '../../model/runtime.js';
import { templateRef, type FlowTemplate } from '../../model/template.js';
import type { EngineContext } from '../context.js';
import { applyDefaultsAndValidate } from './attributes.js';
import { checkInteraction, prepareInteraction } from './interact.js';
import { TaskBatch } from './batch.js';
import { LazyAbort } from './abort.js';
import type { ChangeSet } from '../../storage/storage.js';
import type { NewEvent } from '../../model/events.js';
import { planBreakpointPause, planCreate, planOutcome, stopsAtBreakpoint } from './plan.js';
import { applyTimeout, runCurrentState, runsSideEffects, timeoutRunsHandler, type StepInput } from './runState.js';
import { createRuntime, flowOnlyStartChild, type StartChild } from './runtime.js';
import { commitAndPublish } from '../runtime/commit.js';

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
  /**
   * Runs an interaction, then wakes the flow (`wake: false` leaves it due now for a runner instead).
   * `extraEvents` are written in the interaction's own commit (core/ops' `op.applied`), so they are
   * stored exactly when the interaction is; a refused or failed interaction writes none of them.
   */
  fireInteraction(taskId: string, name: string, params?: unknown, opts?: RunOptions & { wake?: boolean; extraEvents?: NewEvent[] }): Promise<TaskRecord>;
  cancel(taskId: string, reason?: string, opts?: RunOptions): Promise<TaskRecord>;
  /** Wakes every waiting flow whose wake or timeout time has passed; returns their ids. */
  runDue(limit?: number): Promise<string[]>;
  /** Continues active flows left behind (a crashed process, a yield); returns their ids. */
  resumeActive(limit?: number): Promise<string[]>;
}

const DEFAULT_MAX_TRANSITIONS = 1000;
/** An interaction whose commit lost a race is run again on the fresh task this many times. */
const MAX_STALE_RETRIES = 3;

export function createFlowDriver(ctx: EngineContext, options: FlowDriverOptions = {}): FlowDriver {
  const maxTransitions = options.maxTransitionsPerRun ?? DEFAULT_MAX_TRANSITIONS;
  const locks = new Map<string, Promise<unknown>>();
  const controllers = new Map<string, LazyAbort>();

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

  function abortFor(taskId: string): LazyAbort {
    let c = controllers.get(taskId);
    if (!c || c.aborted) {
      c = new LazyAbort();
      controllers.set(taskId, c);
    }
    return c;
  }

  const create = async (template: FlowTemplate, input: unknown, opts: FlowStartOptions = {}): Promise<TaskRecord> => {
    if (opts.idempotencyKey) {
      const existing = await ctx.storage.findTaskByIdempotencyKey(opts.idempotencyKey);
      if (existing) return existing;
    }
    const ref = templateRef(template);
    const data = applyDefaultsAndValidate(template.attributesSchema, input ?? {}, `The attributes of ${ref}`, undefined, { limits: ctx.limits, name: 'inputBytes' });
    const { task, changes } = planCreate(template, {
      id: timeOrderedId(ctx.clock.now()),
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

  const stepInput = (batch: TaskBatch, actor: Actor): StepInput => ({
    task: batch.current,
    actor,
    abort: abortFor(batch.current.id),
    template: batch.template,
    beforeAwait: () => batch.flushQuietly(),
  });

  /**
   * Before a handler with side effects runs: commit what is pending, and read the task again
   * unless it was just read or nothing happened since this batch's commit (no newer event) — a
   * pause, cancel or other change made meanwhile is seen before the handler runs, as if every
   * transition had been committed on its own. True when it re-read.
   */
  async function settleBeforeSideEffects(batch: TaskBatch): Promise<boolean> {
    await batch.flush();
    if (batch.fresh || (await batch.unchangedSinceFlush())) return false;
    await batch.refresh();
    return true;
  }

  /** Plans one state run of an active flow into the batch; 'reread' when it had to look again first. */
  async function runActive(batch: TaskBatch, actor: Actor): Promise<'ran' | 'reread'> {
    const template = batch.template;
    if (runsSideEffects(template, batch.current) && (await settleBeforeSideEffects(batch))) return 'reread';
    batch.add((await runCurrentState(rt, stepInput(batch, actor))).changes);
    return 'ran';
  }

  /** Wakes a waiting flow once into the batch: a due timeout, else its wait re-check (or activation). */
  async function wakeOnce(batch: TaskBatch, actor: Actor): Promise<boolean> {
    const task = batch.current;
    if (task.status !== 'waiting' || (task.debug.paused && actor !== 'user')) return false;
    const template = batch.template;
    if (task.timeoutAt !== null && ctx.clock.now() >= task.timeoutAt) {
      if (timeoutRunsHandler(template) && (await settleBeforeSideEffects(batch))) return wakeOnce(batch, actor);
      batch.add((await applyTimeout(rt, stepInput(batch, actor))).changes);
      return true;
    }
    const state = template.states.find((s) => s.name === task.currentState);
    if (state?.type === 'wait') batch.add((await runCurrentState(rt, stepInput(batch, actor))).changes);
    else batch.add(planOutcome({ task, template, now: ctx.clock.now(), actor }, { type: 'activate', reason: 'woken' }).changes);
    return true;
  }

  /** One transition of a task already loaded, committed on its own (the debugger's step). */
  async function once(batch: TaskBatch, actor: Actor): Promise<void> {
    const task = batch.current;
    if (task.debug.paused && actor !== 'user') return;
    if (task.status === 'active') await runActive(batch, actor);
    else await wakeOnce(batch, actor);
    await batch.flush().catch((err) => {
      if (!(err instanceof StaleError)) throw err;
    });
  }

  /**
   * Runs while active, folding pure steps into the commit of the state run before them and
   * committing before every action. Returns the task as stored at the end.
   */
  async function advanceLocked(taskId: string, actor: Actor, start?: TaskBatch): Promise<TaskRecord> {
    let batch = start ?? new TaskBatch(rt, await rt.getTask(taskId));
    let transitions = 0;
    for (;;) {
      try {
        const task = batch.current;
        if (task.status !== 'active' || task.debug.paused) {
          await batch.flush();
          // What was just committed is what is stored: no read back (a change made by someone
          // else after this point is as if it came after the run returned).
          return finishRun(batch.stored());
        }
        if (stopsAtBreakpoint(task, task.currentState ?? '')) {
          // A breakpoint set while the flow already stood at this state.
          batch.add(planBreakpointPause(task, ctx.clock.now()));
          continue;
        }
        if (transitions >= maxTransitions) {
          batch.add(yieldPlan(task, actor));
          continue;
        }
        if ((await runActive(batch, actor)) === 'ran') transitions++;
      } catch (err) {
        if (!(err instanceof StaleError)) {
          // The transitions planned before the failure were valid: keep them, as if each had been committed on its own.
          await batch.flush().catch(() => undefined);
          throw err;
        }
        // An interaction not yet stored must not be dropped: the caller runs it again.
        if (batch.critical) throw err;
        batch = new TaskBatch(rt, await rt.getTask(taskId));
      }
    }
  }

  /** A flow that keeps moving without waiting: let others run, pick it up again at once. */
  function yieldPlan(task: TaskRecord, actor: Actor) {
    const template = rt.templateOf(task);
    return planOutcome({ task, template, now: ctx.clock.now(), actor }, { type: 'sleep', reason: `yield after ${maxTransitions} transitions`, at: ctx.clock.now() }).changes;
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
      // The record just inserted is what storage holds: no need to read it back before running.
      return exclusive(task.id, () => advanceLocked(task.id, 'engine', new TaskBatch(rt, task)));
    },
    advance(taskId, opts = {}) {
      return exclusive(taskId, () => advanceLocked(taskId, opts.actor ?? 'engine'));
    },
    runOnce(taskId, opts = {}) {
      return exclusive(taskId, async () => {
        await once(new TaskBatch(rt, await rt.getTask(taskId)), opts.actor ?? 'engine');
        return finishRun(await rt.getTask(taskId));
      });
    },
    wake(taskId, opts = {}) {
      const actor = opts.actor ?? 'runner';
      return exclusive(taskId, async () => {
        const batch = new TaskBatch(rt, await rt.getTask(taskId));
        try {
          if (batch.current.status === 'waiting' && !batch.current.debug.paused) await wakeOnce(batch, actor);
        } catch (err) {
          if (!(err instanceof StaleError)) throw err;
          return advanceLocked(taskId, actor);
        }
        return advanceLocked(taskId, actor, batch);
      });
    },
    checkInteraction(task, name) {
      checkInteraction(rt.templateOf(task), task, name);
    },
    fireInteraction(taskId, name, params, opts = {}) {
      const actor = opts.actor ?? 'user';
      return exclusive(taskId, async () => {
        for (let round = 0; ; round++) {
          const batch = await prepareInteraction(rt, taskId, name, params, { actor, abort: abortFor(taskId) });
          if (opts.extraEvents?.length) batch.add({ events: opts.extraEvents }, { critical: true });
          try {
            const task = batch.current;
            if (task.status === 'waiting' && opts.wake === false) batch.add(dueNow(task));
            if (task.status !== 'waiting' || opts.wake === false || task.debug.paused) {
              await batch.flush();
              return await rt.getTask(taskId);
            }
            // The interaction was the caller's; what the flow does in response is the engine's,
            // folded into the interaction's commit while it only re-checks and decides.
            await wakeOnce(batch, 'engine');
            return await advanceLocked(taskId, 'engine', batch);
          } catch (err) {
            if (err instanceof StaleError && batch.critical && round < MAX_STALE_RETRIES) continue;
            throw err;
          }
        }
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
        // An unreadable task (storage could not decode a row of it) is listed but never run.
        if (locks.has(task.id) || task.debug.paused || task.unreadable) continue;
        await driver.advance(task.id);
        ids.push(task.id);
      }
      return ids;
    },
  };

  /** Leave the flow due now, for the engine serving the database to continue it. */
  function dueNow(task: TaskRecord): ChangeSet {
    const now = ctx.clock.now();
    return {
      updateTasks: [{ id: task.id, expectedVersion: task.version, set: { wakeAt: now, updatedAt: now } }],
      events: [{ type: 'flow.waiting', taskId: task.id, stepName: null, at: now, payload: { state: task.currentState ?? '', wakeAt: now } }],
    };
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
    await commitAndPublish(ctx, {
      updateTasks: [{ id: parent.id, expectedVersion: parent.version, set: { wakeAt: now } }],
      events: [{ type: 'flow.waiting', taskId: parent.id, stepName: null, at: now, payload: { state: parent.currentState ?? '', wakeAt: now } }],
    });
  } catch (err) {
    if (!(err instanceof StaleError)) throw err;
  }
}
