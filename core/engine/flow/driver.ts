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
import { copyPlain } from '../../model/jsonCopy.js';
import { isTaskFinished, workingStatus } from '../../model/states.js';
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
import { applyTimeout, runCurrentState, timeoutRunsHandler, type StepInput } from './runState.js';
import { createRuntime, flowOnlyStartChild, type StartChild } from './runtime.js';
import { commitAndPublish } from '../runtime/commit.js';
import { abortRunning, Attempts, type RunningAttempt } from '../runtime/attempts.js';
import { TaskStore } from '../runtime/taskStore.js';
import { TaskLocks } from '../runtime/lock.js';
import { after, drive, promised, wait, type Maybe, type Steps } from '../runtime/maybe.js';
import { runInProcess } from '../../executor/inProcess.js';
import type { ActionState } from '../../model/template.js';
import { timeOrderedId as attemptId } from '../ids.js';
import { planActionClaim, planActionLeaseExpired, type ActionClaim } from './actionPlan.js';
import { actionAttempt } from './actionAttempt.js';

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
  /**
   * Hand actions to the runtime and return once one is running (the scheduler): the action's end
   * continues the flow. Without it the call waits for every action it starts (the API, the debugger).
   */
  detach?: boolean;
  /** Return at once, doing nothing, when this process is already working on the task (scheduling rounds). */
  skipIfBusy?: boolean;
  /**
   * runDue / resumeActive in an engine sharing the database: of the flows found, only those this
   * returns (the ones the engine could reserve) are worked on; other engines hold the rest.
   */
  reserve?: (taskIds: readonly string[]) => Promise<ReadonlySet<string>>;
}

interface Mode {
  actor: Actor;
  detach: boolean;
  /** Continuing from an action's end: the next action reuses its executor slot. */
  chained?: boolean;
  /** Stop at the next action's claim (committed) and hand it here instead of starting it. */
  claimOnly?: (claimed: Claimed) => void;
  /** An action's end is committed alone, not with what follows it (the debugger's one transition). */
  noFold?: boolean;
}

/** An action claimed by a commit and not started yet: the task as that commit stored it. */
interface Claimed {
  task: TaskRecord;
  template: FlowTemplate;
  claim: ActionClaim;
}

/**
 * An action claimed and running. Once it ended: `ended`, the task as its end's commit stored it
 * (with the flow's pure steps after it), and `next`, the action that commit claimed, if any.
 */
interface Started {
  run: RunningAttempt;
  ended: TaskRecord | null;
  next: Claimed | null;
}

export interface FlowDriverOptions {
  /** Starts sub-tasks of either kind; by default only flow sub-tasks can be started. */
  startChild?: StartChild;
  /** Transitions one `advance` makes before yielding (the flow waits with an immediate wake). */
  maxTransitionsPerRun?: number;
  /**
   * The runtime's attempts (leases, timeouts, executor dispatch) that actions run in. By default
   * the driver keeps its own, running handlers in this process one at a time.
   */
  attempts?: () => Attempts;
  /** Whether a detached run may start an action now (a free executor slot); true by default. */
  reserveSlot?: () => boolean;
  releaseSlot?: () => void;
  /** Whether the engine is stopping: no new action starts from a finished one. */
  isStopped?: () => boolean;
  /** Where errors of background work go (continuing a flow after its action). */
  onError?: (err: unknown, where: string) => void;
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
  runDue(limit?: number, opts?: RunOptions): Promise<string[]>;
  /** Continues active flows left behind (a crashed process, a yield, an expired lease); returns their ids. */
  resumeActive(limit?: number, opts?: RunOptions): Promise<string[]>;
}

const DEFAULT_MAX_TRANSITIONS = 1000;
/** An interaction whose commit lost a race is run again on the fresh task this many times. */
const MAX_STALE_RETRIES = 3;

export function createFlowDriver(ctx: EngineContext, options: FlowDriverOptions = {}): FlowDriver {
  const maxTransitions = options.maxTransitionsPerRun ?? DEFAULT_MAX_TRANSITIONS;
  const controllers = new Map<string, LazyAbort>();
  const onError =
    options.onError ?? ((err: unknown, where: string) => process.emitWarning(`Stepwise flows: ${where}: ${err instanceof Error ? err.message : String(err)}`, 'StepwiseEngineWarning'));
  let ownAttempts: Attempts | null = null;
  /** Where actions run: the engine's attempts, or (a bare driver) its own, in this process. */
  const attempts = (): Attempts =>
    options.attempts?.() ??
    (ownAttempts ??= new Attempts({
      ctx,
      store: new TaskStore(ctx),
      executor: { kind: 'inline', capacity: 1, run: runInProcess, close: async () => undefined },
      progressIntervalMs: 250,
      onError,
      onEnded: () => undefined,
    }));

  /**
   * Serialises work on one task within this process: the runtime's per-task lock. Its own
   * instance (flow and workflow tasks never share an id): a direct API call holds a flow's lock
   * while it waits for the flow's action, and nothing on the workflow side may queue behind that.
   */
  const locks = new TaskLocks();
  /** `fn`'s steps under the task's lock: run at once, to the end without a promise while nothing they wait for is one. */
  const exclusive = <T>(taskId: string, fn: () => Steps<T>): Maybe<T> => locks.runNow(taskId, () => drive(fn()));
  /** The API's answer: always a promise (a synchronous throw becomes a rejection). */
  const api = <T>(taskId: string, fn: () => Steps<T>): Promise<T> => promised(() => exclusive(taskId, fn));

  function abortFor(taskId: string): LazyAbort {
    let c = controllers.get(taskId);
    if (!c || c.aborted) {
      c = new LazyAbort();
      controllers.set(taskId, c);
    }
    return c;
  }

  const create = (template: FlowTemplate, input: unknown, opts: FlowStartOptions = {}): Promise<TaskRecord> => promised(() => drive(insert(template, input, opts, false))).then((r) => r.task);

  /**
   * Validates and stores a new flow. `claimFirst`: when the flow starts at an action, the action's
   * claim (this engine's lease, its first attempt) is stored in the same commit (`claimed`).
   */
  function* insert(template: FlowTemplate, input: unknown, opts: FlowStartOptions, claimFirst: boolean): Steps<{ task: TaskRecord; claimed: Claimed | null }> {
    if (opts.idempotencyKey) {
      const existing = yield* wait(ctx.storage.findTaskByIdempotencyKey(opts.idempotencyKey));
      if (existing) return { task: existing, claimed: null };
    }
    const ref = templateRef(template);
    const data = applyDefaultsAndValidate(template.attributesSchema, input ?? {}, `The attributes of ${ref}`, undefined, { limits: ctx.limits, name: 'inputBytes' });
    const { task, changes } = planCreate(template, {
      id: timeOrderedId(ctx.clock.now()),
      input: copyPlain((input ?? {}) as JsonObject),
      data,
      now: ctx.clock.now(),
      parentTaskId: opts.parentTaskId ?? null,
      idempotencyKey: opts.idempotencyKey ?? null,
      background: opts.background ?? false,
      debug: opts.debug ?? false,
      ...(opts.state ? { state: opts.state } : {}),
    });
    const first = template.states.find((s) => s.name === task.currentState);
    if (!claimFirst || first?.type !== 'action' || task.status !== 'running' || task.debug.paused) {
      yield* wait(rt.commit(changes));
      return { task, claimed: null };
    }
    const claimedTask: TaskRecord = { ...task, leaseOwner: ctx.owner, leaseExpiresAt: task.createdAt + ctx.leaseMs, stateAttempts: 1 };
    yield* wait(rt.commit({ ...changes, insertTasks: [claimedTask] }));
    const number = yield* wait(rt.nextAttemptNumber(claimedTask, first.name));
    return { task: claimedTask, claimed: { task: claimedTask, template, claim: { state: first, stateAttempt: 1, number, owner: ctx.owner, startedAt: task.createdAt } } };
  }

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
  function* settleBeforeSideEffects(batch: TaskBatch): Steps<boolean> {
    yield* wait(batch.flush());
    if (batch.fresh || (yield* wait(batch.unchangedSinceFlush()))) return false;
    yield* wait(batch.refresh());
    return true;
  }

  /**
   * Plans one state run of an active flow into the batch. An action is claimed instead (its lease
   * and attempt count committed with what is pending) and handed to the runtime's attempts:
   * `started`; 'full' when a detached run finds no free executor slot (the flow stays active for a
   * later round).
   */
  function* runActive(batch: TaskBatch, mode: Mode): Steps<'ran' | 'full' | 'claimed' | Started> {
    const template = batch.template;
    const state = template.states.find((s) => s.name === (batch.current.currentState ?? template.startsWith));
    if (state?.type === 'action') return yield* claimAction(batch, state, mode);
    batch.add((yield* wait(runCurrentState(rt, stepInput(batch, mode.actor)))).changes);
    return 'ran';
  }

  /**
   * Claims the action the flow stands at, in one commit with what the batch holds (a pause, cancel
   * or other change made meanwhile makes it STALE: the caller reads again and decides anew), and
   * starts its attempt ('claimed': handed to `mode.claimOnly` instead). A run continuing from an
   * action's end reuses that action's executor slot.
   */
  function* claimAction(batch: TaskBatch, state: ActionState, mode: Mode): Steps<'full' | 'claimed' | Started> {
    const reserving = mode.detach && !mode.chained && !mode.claimOnly && options.reserveSlot !== undefined;
    if (reserving && !options.reserveSlot!()) return 'full';
    try {
      const now = ctx.clock.now();
      const number = yield* wait(rt.nextAttemptNumber(batch.current, state.name));
      batch.add(planActionClaim(batch.current, now, ctx.owner, ctx.leaseMs));
      yield* wait(batch.flush());
      const claimed: Claimed = { task: batch.current, template: batch.template, claim: { state, stateAttempt: batch.current.stateAttempts, number, owner: ctx.owner, startedAt: now } };
      if (!mode.claimOnly) return startClaimed(claimed, mode);
      mode.claimOnly(claimed);
      return 'claimed';
    } finally {
      if (reserving) options.releaseSlot?.();
    }
  }

  /** Starts the attempt of an action whose claim is committed. */
  function startClaimed(claimed: Claimed, mode: Mode): Started {
    const started: Started = { run: null!, ended: null, next: null };
    const spec = actionAttempt(rt, claimed.task, claimed.template, claimed.claim, mode.noFold ? {} : { commitWithNext: (current, changes) => commitWithNext(current, changes, mode, started) });
    started.run = attempts().start(spec);
    return started;
  }

  /**
   * An action ended: its end goes into one commit with the flow's pure steps after it, up to the
   * next action's claim, a wait or a result (as workflow ends carry the claims of the next steps).
   * The end must not be dropped: a STALE commit is thrown for the attempt to plan it again. A
   * detached run starts the next action itself; a waiting caller (which holds the task's lock)
   * gets it in `started.next`.
   */
  function commitWithNext(current: TaskRecord, changes: ChangeSet, mode: Mode, started: Started): Maybe<void> {
    if (mode.detach && options.isStopped?.()) return after(rt.commit(changes), () => undefined);
    function* run(): Steps<{ task: TaskRecord; next: Claimed | null }> {
      const batch = new TaskBatch(rt, current, false);
      batch.add(changes, { critical: true });
      let next: Claimed | null = null;
      const task = yield* advanceLocked(current.id, { actor: 'engine', detach: mode.detach, chained: true, claimOnly: (c) => (next = c) }, batch);
      return { task, next: next as Claimed | null };
    }
    if (!mode.detach) {
      return after(drive(run()), (r) => {
        started.ended = r.task;
        started.next = r.next;
      });
    }
    return after(exclusive(current.id, run), ({ next }) => {
      if (next) startClaimed(next, { actor: 'engine', detach: true, chained: true });
    });
  }

  /** Waits for a started action and for each one its end claimed; the batch to go on from. */
  function* runToEnd(first: Started, mode: Mode, taskId: string): Steps<TaskBatch> {
    let run = first;
    yield run.run.done;
    while (run.next) {
      run = startClaimed(run.next, mode);
      yield run.run.done;
    }
    // The end's commit is what is stored (a change made since makes the next commit STALE).
    return run.ended ? new TaskBatch(rt, run.ended, false) : new TaskBatch(rt, (yield* wait(rt.getTask(taskId))));
  }

  /**
   * The flow holds an action lease. Expired (its engine died): the attempt is recorded interrupted
   * and the flow given back (or failed when its attempts are used up) — 'next'. Held: a waiting
   * caller waits for this process's run of it and reads again ('next'); otherwise 'return'.
   */
  function* leased(batch: TaskBatch, mode: Mode): Steps<'next' | 'return'> {
    const task = batch.current;
    const template = batch.template;
    const now = ctx.clock.now();
    if ((task.leaseExpiresAt ?? 0) <= now) {
      const state = template.states.find((s) => s.name === task.currentState);
      if (state?.type !== 'action') {
        batch.add({ updateTasks: [{ id: task.id, expectedVersion: task.version, set: { leaseOwner: null, leaseExpiresAt: null, updatedAt: now } }] });
        return 'next';
      }
      const number = yield* wait(rt.nextAttemptNumber(task, state.name));
      batch.add(planActionLeaseExpired(task, state, { template, now, actor: 'engine' }, { id: attemptId(now), number }).changes);
      return 'next';
    }
    yield* wait(batch.flush());
    const run = mode.detach ? undefined : attempts().runningIn(new Set([task.id]))[0];
    if (!run) return 'return';
    yield run.done;
    yield* wait(batch.refresh());
    return 'next';
  }

  /** Wakes a waiting flow once into the batch: a due timeout, else its wait re-check (or activation). */
  function* wakeOnce(batch: TaskBatch, actor: Actor): Steps<boolean> {
    const task = batch.current;
    if (workingStatus(task) !== 'waiting' || (task.debug.paused && actor !== 'user')) return false;
    const template = batch.template;
    if (task.timeoutAt !== null && ctx.clock.now() >= task.timeoutAt) {
      if (timeoutRunsHandler(template) && (yield* settleBeforeSideEffects(batch))) return yield* wakeOnce(batch, actor);
      const timedOut = yield* wait(applyTimeout(rt, stepInput(batch, actor)));
      batch.add(timedOut.changes);
      // A hook that kept the flow waiting does not stop its wait: the conditions are checked in
      // the same wake, so a flow whose condition came true can still move on.
      if (timedOut.outcome.type !== 'sleep' || template.states.find((s) => s.name === batch.current.currentState)?.type !== 'wait') return true;
      batch.add((yield* wait(runCurrentState(rt, stepInput(batch, actor)))).changes);
      return true;
    }
    const state = template.states.find((s) => s.name === task.currentState);
    if (state?.type === 'wait') batch.add((yield* wait(runCurrentState(rt, stepInput(batch, actor)))).changes);
    else batch.add(planOutcome({ task, template, now: ctx.clock.now(), actor }, { type: 'activate', reason: 'woken' }).changes);
    return true;
  }

  /** One transition of a task already loaded, committed on its own (the debugger's step). */
  function* once(batch: TaskBatch, actor: Actor): Steps<void> {
    const task = batch.current;
    if (task.debug.paused && actor !== 'user') return;
    if (workingStatus(task) === 'running' && task.leaseOwner !== null && (yield* leased(batch, { actor, detach: false })) === 'return') return;
    if (workingStatus(batch.current) === 'running') {
      const r = yield* runActive(batch, { actor, detach: false, noFold: true });
      if (typeof r === 'object') return void (yield r.run.done);
    } else yield* wakeOnce(batch, actor);
    try {
      yield* wait(batch.flush());
    } catch (err) {
      if (!(err instanceof StaleError)) throw err;
    }
  }

  /**
   * Runs while active, folding pure steps into the commit of the state run before them and
   * committing before every action. Returns the task as stored at the end.
   */
  function* advanceLocked(taskId: string, mode: Mode, start?: TaskBatch, running?: Started): Steps<TaskRecord> {
    const actor = mode.actor;
    let batch = running ? yield* runToEnd(running, mode, taskId) : (start ?? new TaskBatch(rt, (yield* wait(rt.getTask(taskId)))));
    let transitions = 0;
    for (;;) {
      try {
        const task = batch.current;
        if (workingStatus(task) !== 'running' || task.debug.paused) {
          yield* wait(batch.flush());
          // What was just committed is what is stored: no read back (a change made by someone
          // else after this point is as if it came after the run returned).
          return yield* finishRun(batch.stored());
        }
        if (task.leaseOwner !== null) {
          if ((yield* leased(batch, mode)) === 'return') return batch.stored();
          continue;
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
        const r = yield* runActive(batch, mode);
        if (r === 'ran') transitions++;
        else if (r === 'full') {
          yield* wait(batch.flush());
          return batch.stored();
        } else if (r === 'claimed') {
          return batch.stored();
        } else {
          // The claim is committed; a detached run returns, the action's end continues the flow.
          if (mode.detach) return batch.stored();
          batch = yield* runToEnd(r, mode, taskId);
          transitions++;
        }
      } catch (err) {
        if (!(err instanceof StaleError)) {
          // The transitions planned before the failure were valid: keep them, as if each had been committed on its own.
          try {
            yield* wait(batch.flush());
          } catch {
            // kept in the batch; the error that stopped the run is the one to report
          }
          throw err;
        }
        // An interaction not yet stored must not be dropped: the caller runs it again.
        if (batch.critical) throw err;
        batch = new TaskBatch(rt, (yield* wait(rt.getTask(taskId))));
      }
    }
  }

  /** A flow that keeps moving without waiting: let others run, pick it up again at once. */
  function yieldPlan(task: TaskRecord, actor: Actor) {
    const template = rt.templateOf(task);
    return planOutcome({ task, template, now: ctx.clock.now(), actor }, { type: 'sleep', reason: `yield after ${maxTransitions} transitions`, at: ctx.clock.now() }).changes;
  }

  function* finishRun(task: TaskRecord): Steps<TaskRecord> {
    controllers.delete(task.id);
    if (isTaskFinished('flow', task.status)) rt.forgetAttempts(task.id);
    if (task.parentTaskId && isTaskFinished('flow', task.status)) yield* wait(nudgeParent(ctx, task.parentTaskId));
    return task;
  }

  const driver: FlowDriver = {
    create,
    start(template, input, opts = {}) {
      if (opts.background || opts.debug) return create(template, input, opts);
      return promised(() => drive(startSteps(template, input, opts)));
    },
    advance(taskId, opts = {}) {
      if (opts.skipIfBusy && locks.isHeld(taskId)) return promised(() => rt.getTask(taskId));
      return api(taskId, () => advanceLocked(taskId, modeOf(opts, 'engine')));
    },
    runOnce(taskId, opts = {}) {
      return api(taskId, function* () {
        yield* once(new TaskBatch(rt, (yield* wait(rt.getTask(taskId)))), opts.actor ?? 'engine');
        return yield* finishRun(yield* wait(rt.getTask(taskId)));
      });
    },
    wake(taskId, opts = {}) {
      const mode = modeOf(opts, 'runner');
      if (opts.skipIfBusy && locks.isHeld(taskId)) return promised(() => rt.getTask(taskId));
      return api(taskId, function* () {
        const batch = new TaskBatch(rt, (yield* wait(rt.getTask(taskId))));
        try {
          if (batch.current.status === 'waiting' && !batch.current.debug.paused) yield* wakeOnce(batch, mode.actor);
        } catch (err) {
          if (!(err instanceof StaleError)) throw err;
          return yield* advanceLocked(taskId, mode);
        }
        return yield* advanceLocked(taskId, mode, batch);
      });
    },
    checkInteraction(task, name) {
      checkInteraction(rt.templateOf(task), task, name);
    },
    fireInteraction(taskId, name, params, opts = {}) {
      const actor = opts.actor ?? 'user';
      return api(taskId, function* () {
        // An interaction arriving while this process runs the flow's action waits for its end.
        const running = attempts().runningIn(new Set([taskId]));
        if (running.length > 0) yield Promise.all(running.map((r) => r.done));
        for (let round = 0; ; round++) {
          const batch = yield* prepareInteraction(rt, taskId, name, params, { actor, abort: abortFor(taskId) });
          if (opts.extraEvents?.length) batch.add({ events: opts.extraEvents }, { critical: true });
          try {
            const task = batch.current;
            if (workingStatus(task) === 'waiting' && opts.wake === false) batch.add(dueNow(task));
            if (workingStatus(task) !== 'waiting' || opts.wake === false || task.debug.paused) {
              yield* wait(batch.flush());
              return yield* wait(rt.getTask(taskId));
            }
            // The interaction was the caller's; what the flow does in response is the engine's,
            // folded into the interaction's commit while it only re-checks and decides.
            yield* wakeOnce(batch, 'engine');
            return yield* advanceLocked(taskId, { actor: 'engine', detach: false }, batch);
          } catch (err) {
            if (err instanceof StaleError && batch.critical && round < MAX_STALE_RETRIES) continue;
            throw err;
          }
        }
      });
    },
    cancel(taskId, reason = 'cancelled', opts = {}) {
      return promised(() => {
        controllers.get(taskId)?.abort(new StepwiseError('CANCELLED', `Task ${taskId} was cancelled: ${reason}`));
        for (const run of attempts().runningIn(new Set([taskId]))) abortRunning(run, 'cancelled', `Task ${taskId} was cancelled: ${reason}`);
        return exclusive(taskId, function* () {
          const task = yield* wait(rt.getTask(taskId));
          if (isTaskFinished('flow', task.status) && task.status !== 'error') return task;
          const template = rt.templateOf(task);
          yield* wait(rt.commit(planOutcome({ task, template, now: ctx.clock.now(), actor: opts.actor ?? 'user' }, { type: 'cancel', reason }).changes));
          return yield* finishRun(yield* wait(rt.getTask(taskId)));
        });
      });
    },
    async runDue(limit = 100, opts = {}) {
      const due = (await ctx.storage.dueTasks(ctx.clock.now(), limit)).filter((task) => task.kind === 'flow' && task.status === 'waiting' && !task.debug.paused);
      const mine = opts.reserve ? await opts.reserve(due.map((t) => t.id)) : null;
      const ids: string[] = [];
      for (const task of due) {
        if (mine && !mine.has(task.id)) continue;
        await driver.wake(task.id, opts);
        ids.push(task.id);
      }
      return ids;
    },
    async resumeActive(limit = 100, opts = {}) {
      const now = ctx.clock.now();
      // Actions whose engine died first (their lease expired): found by the lease index, however
      // many flows are active with live leases.
      const expired = (await ctx.storage.expiredTaskLeases(now, limit)).filter((t) => t.kind === 'flow');
      const page = await ctx.storage.listTasks({ kind: 'flow', status: 'running', limit });
      const ids: string[] = [];
      const todo: TaskRecord[] = [];
      for (const task of [...expired, ...page.tasks]) {
        if (todo.some((t) => t.id === task.id)) continue;
        // An unreadable task (storage could not decode a row of it) is listed but never run; one
        // running an action (here or elsewhere) under a live lease is continued by the action's end.
        if (locks.isHeld(task.id) || task.debug.paused || task.unreadable || workingStatus(task) !== 'running' || (task.leaseOwner !== null && (task.leaseExpiresAt ?? 0) > now)) continue;
        todo.push(task);
      }
      const mine = opts.reserve ? await opts.reserve(todo.map((t) => t.id)) : null;
      for (const task of todo) {
        if (mine && !mine.has(task.id)) continue;
        await driver.advance(task.id, opts);
        ids.push(task.id);
      }
      return ids;
    },
  };

  /** create + advance: a flow that starts at an action is created with the action claimed (one commit). */
  function* startSteps(template: FlowTemplate, input: unknown, opts: FlowStartOptions): Steps<TaskRecord> {
    const { task, claimed } = yield* insert(template, input, opts, true);
    const mode: Mode = { actor: 'engine', detach: false };
    // The record just inserted is what storage holds: no need to read it back before running.
    return yield* wait(exclusive(task.id, () => (claimed ? advanceLocked(task.id, mode, undefined, startClaimed(claimed, mode)) : advanceLocked(task.id, mode, new TaskBatch(rt, task)))));
  }

  function modeOf(opts: RunOptions, actor: Actor): Mode {
    return { actor: opts.actor ?? actor, detach: opts.detach ?? false };
  }

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
