/**
 * A Draft collects the changes of one planning decision over a TaskView without touching it:
 * step and task state changes (each checked against the state machines of core/model, each with
 * its transition row and its event), inserted dynamic steps and attempt rows. Planners read
 * through the draft (so a change is visible to the next rule in the same plan) and the engine
 * commits `toChangeSet()` as one atomic unit.
 */
import type { ChangeSet, ConcurrencyGuard, RecordPatch } from '../../storage/storage.js';
import type { Actor, AttemptRecord, DebugSettings, JsonObject, NewTransition, StepRecord, TaskRecord } from '../../model/runtime.js';
import type { EventPayloads, EventType, NewEvent } from '../../model/events.js';
import { assertStepTransition, assertTaskTransition, type StepState, type TaskStatus } from '../../model/states.js';
import { held, pausing } from '../../model/pause.js';
import type { StateCounts, TaskView } from './view.js';

export class Draft {
  readonly task: TaskRecord;
  readonly counts: StateCounts;
  private taskSet: Partial<TaskRecord> | null = null;
  private readonly changed = new Map<string, StepRecord>();
  private readonly stepSets = new Map<string, Partial<StepRecord>>();
  private readonly inserted = new Map<string, StepRecord>();
  private readonly dependentsOverlay = new Map<string, string[]>();
  /** Names that became ready in this draft, in order. */
  readonly becameReady: string[] = [];
  private readonly transitions: NewTransition[] = [];
  private readonly events: NewEvent[] = [];
  private readonly attemptInserts: AttemptRecord[] = [];
  private readonly attemptUpdates: Array<{ id: string; set: Partial<Omit<AttemptRecord, 'id'>> }> = [];
  private readonly extras: ChangeSet[] = [];
  private readonly guards: ConcurrencyGuard[] = [];

  constructor(
    readonly view: TaskView,
    readonly now: number,
    readonly actor: Actor = 'engine',
  ) {
    this.task = { ...view.task };
    this.counts = { ...view.counts };
  }

  /**
   * Other records committed with this draft (a child task a step starts). Each assignment adds
   * to the earlier ones: several plans may share one draft (TaskStore batches queued changes).
   */
  get extra(): ChangeSet {
    return mergeChangeSets(...this.extras);
  }

  set extra(changes: ChangeSet) {
    this.extras.push(changes);
  }

  step(name: string): StepRecord | undefined {
    return this.changed.get(name) ?? this.inserted.get(name) ?? this.view.steps.get(name);
  }

  requireStep(name: string): StepRecord {
    const s = this.step(name);
    if (!s) throw new Error(`step '${name}' is not part of task ${this.task.id}`);
    return s;
  }

  dependentsOf(name: string): readonly string[] {
    return this.dependentsOverlay.get(name) ?? this.view.dependents.get(name) ?? [];
  }

  /** All step names, the view's first, then inserted ones. */
  *stepNames(): Iterable<string> {
    yield* this.view.steps.keys();
    yield* this.inserted.keys();
  }

  /** Names of the steps that are ready after this plan, in the order they became ready. */
  *readyNames(): Iterable<string> {
    for (const name of this.view.ready) if (this.step(name)?.state === 'ready') yield name;
    for (const name of this.becameReady) if (!this.view.ready.has(name) && this.step(name)?.state === 'ready') yield name;
  }

  /** Change a step's fields without a state change (lease renewal, progress, results). */
  patchStep(name: string, set: Partial<StepRecord>): StepRecord {
    return this.patch(name, set, undefined);
  }

  /**
   * `set` (and `state`, when given) over the step's current record, as a new record: the view's
   * records are not touched. The state is passed apart so a move makes no object for it.
   */
  private patch(name: string, set: Partial<StepRecord> | undefined, state: StepState | undefined): StepRecord {
    const current = this.requireStep(name);
    const next = { ...current, ...set, updatedAt: this.now };
    if (state !== undefined) next.state = state;
    if (this.inserted.has(name)) {
      this.inserted.set(name, next);
      return next;
    }
    this.changed.set(name, next);
    // The draft's own patch of this step: added to in place by later changes of the same plan.
    let patch = this.stepSets.get(name);
    if (patch === undefined) this.stepSets.set(name, (patch = { ...set }));
    else if (set !== undefined) Object.assign(patch, set);
    if (state !== undefined) patch.state = state;
    patch.updatedAt = this.now;
    return next;
  }

  moveStep(
    name: string,
    to: StepState,
    reason: string,
    options: { set?: Partial<StepRecord>; details?: JsonObject } = {},
  ): StepRecord {
    const current = this.requireStep(name);
    const from = current.state;
    assertStepTransition(from, to, { taskId: this.task.id, step: name, reason });
    const next = this.patch(name, options.set, to);
    this.counts[from] -= 1;
    this.counts[to] += 1;
    if (to === 'ready') this.becameReady.push(name);
    this.transitions.push({
      taskId: this.task.id,
      stepName: name,
      field: 'state',
      from,
      to,
      reason,
      actor: this.actor,
      at: this.now,
      details: options.details ?? {},
    });
    this.pushStepEvent(next, from, to, reason);
    return next;
  }

  private pushStepEvent(step: StepRecord, from: StepState, to: StepState, reason: string): void {
    const n = step.name;
    switch (to) {
      case 'ready':
        return this.event('step.ready', n, {});
      case 'running':
        return this.event('step.started', n, { attempt: step.attempts });
      case 'complete':
        return this.event('step.completed', n, { attempt: step.attempts, results: step.results });
      case 'error':
        return this.event('step.failed', n, {
          attempt: step.attempts,
          error: step.error ?? { class: 'Error', message: reason },
        });
      case 'waiting_for_retry': {
        const retryAt = step.retryAt ?? this.now;
        const error = step.error ?? { class: 'Error', message: reason };
        return this.event('step.retry_scheduled', n, { attempt: step.attempts, retryAt, delayMs: retryAt - this.now, error });
      }
      case 'skipped':
        return this.event('step.skipped', n, { reason });
      case 'waiting':
        return this.event('step.waiting', n, { wakeAt: step.wakeAt });
      case 'cancelled':
        return this.event('step.cancelled', n, { reason });
      case 'pending':
      case 'resolved_manually':
        return this.event('step.state_changed', n, { from, to, reason, actor: this.actor });
    }
  }

  /** Add a step created at run time (a batch worker); recorded as a transition from nothing. */
  insertStep(step: StepRecord, reason: string): void {
    this.inserted.set(step.name, step);
    this.counts[step.state] += 1;
    for (const dep of step.dependsOn) this.dependentsOverlay.set(dep, [...this.dependentsOf(dep), step.name]);
    if (step.state === 'ready') this.becameReady.push(step.name);
    this.transitions.push({
      taskId: this.task.id,
      stepName: step.name,
      field: 'state',
      from: null,
      to: step.state,
      reason,
      actor: this.actor,
      at: this.now,
      details: { dynamic: step.dynamic, createdBy: step.createdBy },
    });
    this.event('step.created', step.name, { state: step.state, dynamic: step.dynamic, createdBy: step.createdBy });
  }

  /** Rewire a step's runtime dependencies (the convergence after a batch). */
  setDependsOn(name: string, dependsOn: string[]): void {
    const current = this.requireStep(name);
    for (const dep of current.dependsOn) this.dependentsOverlay.set(dep, this.dependentsOf(dep).filter((d) => d !== name));
    for (const dep of dependsOn) this.dependentsOverlay.set(dep, [...this.dependentsOf(dep), name]);
    this.patchStep(name, { dependsOn });
  }

  /** Move the task to `to`; a task the debugger holds stays paused and resumes to `to` (core/model/pause.ts). */
  moveTask(target: TaskStatus, reason: string, set: Partial<TaskRecord> = {}): void {
    const from = this.task.status;
    const { status: to, debug } = held(this.task, target);
    if (to === from) {
      if (debug) this.patchTask({ ...set, debug });
      return;
    }
    this.recordStatus(from, to, reason, debug ? { ...set, debug } : set);
  }

  /** Pause the task with `settings` for `reason` (a breakpoint): status `paused`, with its transition and events. */
  pauseTask(settings: DebugSettings, reason: string, stepName: string | null, details: JsonObject = {}): void {
    if (this.task.debug.paused) return;
    const { status, debug } = pausing({ kind: this.task.kind, status: this.task.status, debug: settings }, reason);
    if (status === this.task.status) this.patchTask({ debug });
    else this.recordStatus(this.task.status, status, reason, { debug }, details);
    this.event('debug.paused', stepName, { reason });
  }

  private recordStatus(from: TaskStatus, to: TaskStatus, reason: string, set: Partial<TaskRecord>, details: JsonObject = {}): void {
    assertTaskTransition('workflow', from, to, { taskId: this.task.id, reason });
    this.patchTask({ ...set, status: to });
    this.transitions.push({
      taskId: this.task.id,
      stepName: null,
      field: 'status',
      from,
      to,
      reason,
      actor: this.actor,
      at: this.now,
      details,
    });
    this.event('task.status_changed', null, { from, to, reason });
    if (to === 'complete') this.event('task.completed', null, { result: this.task.result });
    if (to === 'error') this.event('task.failed', null, { error: this.task.error });
    if (to === 'cancelled') this.event('task.cancelled', null, { reason });
  }

  /** A task-level transition row that is not a status change (debug settings, schedule). */
  taskTransition(field: NewTransition['field'], from: string | null, to: string, reason: string, details: JsonObject = {}): void {
    this.transitions.push({ taskId: this.task.id, stepName: null, field, from, to, reason, actor: this.actor, at: this.now, details });
  }

  patchTask(set: Partial<TaskRecord>): void {
    Object.assign(this.task, set, { updatedAt: this.now });
    this.taskSet = { ...this.taskSet, ...set, updatedAt: this.now };
  }

  event<K extends EventType>(type: K, stepName: string | null, payload: EventPayloads[K]): void {
    this.events.push({ type, taskId: this.task.id, stepName, at: this.now, payload } as NewEvent);
  }

  insertAttempt(attempt: AttemptRecord): void {
    this.attemptInserts.push(attempt);
  }

  updateAttempt(id: string, set: Partial<Omit<AttemptRecord, 'id'>>): void {
    this.attemptUpdates.push({ id, set });
  }

  /**
   * The commit is refused (CONCURRENCY_LIMIT) if it would leave more than `limit` running steps
   * holding `key`, counted by storage inside the commit: exact across engines sharing a database.
   */
  guardConcurrency(key: string, limit: number): void {
    this.guards.push({ key, limit });
  }

  get isEmpty(): boolean {
    return (
      this.taskSet === null &&
      this.stepSets.size === 0 &&
      this.inserted.size === 0 &&
      this.events.length === 0 &&
      this.attemptInserts.length === 0 &&
      this.attemptUpdates.length === 0
    );
  }

  /**
   * The changes as one commit. The task is always patched (at least `updatedAt`) with the
   * version the plan read: every write to a task or its steps bumps that version, so the commit
   * is refused (STALE) if anything in the task changed since, not only the records it patches.
   */
  toChangeSet(): ChangeSet {
    if (this.taskSet === null && !this.isEmpty) this.patchTask({});
    const updateSteps: RecordPatch<StepRecord>[] = [];
    for (const [name, set] of this.stepSets) {
      const base = this.view.steps.get(name)!;
      updateSteps.push({ id: base.id, expectedVersion: base.version, set });
    }
    const cs: ChangeSet = {
      insertSteps: [...this.inserted.values()],
      updateSteps,
      insertAttempts: this.attemptInserts,
      updateAttempts: this.attemptUpdates,
      transitions: this.transitions,
      events: this.events,
      updateTasks: this.taskSet ? [{ id: this.task.id, expectedVersion: this.view.task.version, set: this.taskSet }] : [],
      concurrencyGuards: this.guards,
    };
    return this.extras.length === 0 ? cs : mergeChangeSets(cs, ...this.extras);
  }
}

/** Concatenate change sets into one atomic unit (a parent step and the child task it starts). */
export function mergeChangeSets(...sets: ChangeSet[]): ChangeSet {
  const out: Required<ChangeSet> = {
    insertTasks: [],
    updateTasks: [],
    insertSteps: [],
    updateSteps: [],
    insertAttempts: [],
    updateAttempts: [],
    transitions: [],
    events: [],
    deleteTasks: [],
    concurrencyGuards: [],
  };
  for (const s of sets) {
    for (const key of Object.keys(out) as Array<keyof ChangeSet>) {
      const items = s[key];
      if (items) (out[key] as unknown[]).push(...items);
    }
  }
  return out;
}
