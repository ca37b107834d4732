/**
 * Pure planning for flow tasks: given a task, its template and what happened (a handler's
 * outcome, an interaction, a wake), compute the one ChangeSet that records it — the task patch,
 * one transition row per change (field `state` for the flow state, `status` for the status,
 * `data` for the data) and the events — without doing any I/O. The driver commits it.
 */
import { assertTaskTransition, isTaskFinished, workingStatus, type TaskStatus } from '../../model/states.js';
import { held, pausing } from '../../model/pause.js';
import type { ErrorInfo } from '../../model/errors.js';
import type { NewEvent } from '../../model/events.js';
import type { Actor, AttemptRecord, JsonObject, NewTransition, TaskRecord } from '../../model/runtime.js';
import { breakpointAt, pausedAt, releaseUsed } from '../runtime/breakpoints.js';
import { newTaskRecord } from '../runtime/records.js';
import { templateRef, type FlowTemplate } from '../../model/template.js';
import type { ChangeSet } from '../../storage/storage.js';
import { participantsOf } from './participants.js';
import { unknownState } from './errors.js';

/** What a state run (or a wake, or a timeout) decided. */
export type FlowOutcome =
  /** Go to a declared state (a result state completes the flow in the same commit). */
  | { type: 'move'; to: string; reason: string; details?: JsonObject }
  /** A wait matched nothing: sleep until now + delay (or until `at`). */
  | { type: 'sleep'; reason: string; at?: number }
  | { type: 'cancel'; reason: string }
  /** Leave `waiting` without changing state (a background start being picked up). */
  | { type: 'activate'; reason: string }
  /** Fail the flow; the data the handler produced is discarded unless `keepData`. */
  | { type: 'fail'; error: ErrorInfo; reason: string; keepData?: boolean };

export interface PlanInput {
  task: TaskRecord;
  template: FlowTemplate;
  now: number;
  actor: Actor;
}

export interface PlanExtras {
  /** The data after the handler ran (only saved when the outcome is not a failure). */
  data?: JsonObject;
  /** `JSON.stringify(data)` when the caller has it already. */
  dataText?: string;
  attempt?: AttemptRecord;
  /** The timeout fired: clear timeout_at so it cannot fire twice. */
  clearTimeout?: boolean;
  /** The timeout fired and its hook keeps the flow waiting: the hook is due again at this time. */
  nextTimeoutAt?: number;
}

export interface Plan {
  changes: ChangeSet;
  /** The patch applied to the task (what it looks like after the commit, version aside). */
  set: Partial<TaskRecord>;
}

/** Collects transitions and events for one task at one instant. */
class Recorder {
  readonly transitions: NewTransition[] = [];
  readonly events: NewEvent[] = [];
  /** The task is paused: it stays `paused` (no status rows) unless a change finishes it. */
  private readonly held: boolean;
  constructor(
    private readonly task: TaskRecord,
    private readonly now: number,
    private readonly actor: Actor,
  ) {
    this.held = task.status === 'paused';
  }

  transition(field: NewTransition['field'], from: string | null, to: string, reason: string, details: JsonObject = {}): void {
    this.transitions.push({ taskId: this.task.id, stepName: null, field, from, to, reason, actor: this.actor, at: this.now, details });
  }

  event(e: DistributiveOmit<NewEvent, 'taskId' | 'at' | 'stepName'>): void {
    // Built field by field (one object shape for every event type): spreading the differently
    // shaped literals made this a megamorphic copy, a visible share of a flow's CPU time.
    this.events.push({ type: e.type, taskId: this.task.id, stepName: null, at: this.now, payload: e.payload } as NewEvent);
  }

  /** A change of the status the flow works by (`workingStatus`); stored as it is unless the task is held paused. */
  status(from: TaskStatus, to: TaskStatus, reason: string): void {
    if (this.held) {
      if (!isTaskFinished('flow', to)) return;
      from = 'paused';
    }
    assertTaskTransition('flow', from, to, { taskId: this.task.id });
    this.transition('status', from, to, reason);
    this.event({ type: 'task.status_changed', payload: { from, to, reason } });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Data change: the transition (old and new data kept, so history can be rebuilt) and participants. */
function recordData(r: Recorder, task: TaskRecord, template: FlowTemplate, data: JsonObject, reason: string, set: Partial<TaskRecord>, dataText?: string): void {
  // Each side serialised once: the texts decide "changed" and are the transition's from/to.
  const before = JSON.stringify(task.data);
  const after = dataText ?? JSON.stringify(data);
  if (before === after) return;
  set.data = data;
  const participants = participantsOf(template.index, data);
  if (!sameJson(participants, task.participants)) set.participants = participants;
  r.transition('data', before, after, reason);
  r.event({ type: 'flow.data_changed', payload: { data } });
}

function finish(set: Partial<TaskRecord>, template: FlowTemplate, now: number): void {
  set.finishedAt = now;
  set.wakeAt = null;
  set.deleteAt = template.deleteAfterMs !== undefined ? now + template.deleteAfterMs : null;
}

/** The debugger's breakpoints on flow states (../runtime/breakpoints.ts): entering one pauses the flow in the same commit. */
function pauseAtBreakpoint(r: Recorder, task: TaskRecord, state: string, set: Partial<TaskRecord>): void {
  const debug = set.debug ?? task.debug;
  if (!debug.breakpoints.includes(state)) return;
  const paused = pausedAt(debug, state);
  if (debug.paused) {
    // Already paused (a debugger step walked into it): only the reason changes.
    set.debug = paused.debug;
    r.transition('debug', debug.pauseReason ?? 'paused', paused.reason, paused.reason);
  } else {
    const works = set.status ?? workingStatus(task);
    const next = pausing({ kind: 'flow', status: works, debug: paused.debug }, paused.reason);
    set.debug = next.debug;
    set.status = next.status;
    r.status(works, next.status, paused.reason);
  }
  r.event({ type: 'debug.paused', payload: { reason: paused.reason } });
}

/** A released breakpoint is passed once: running its state uses the release up. */
function useRelease(task: TaskRecord, state: string, set: Partial<TaskRecord>): void {
  const debug = releaseUsed(task.debug, [state]);
  if (debug) set.debug = debug;
}

/** Whether a task standing (active) at `state` must pause before running it. */
export function stopsAtBreakpoint(task: TaskRecord, state: string): boolean {
  return breakpointAt(task.debug, [state]) !== null;
}

/** Pausing an active flow that stands at a breakpoint set after it entered the state. */
export function planBreakpointPause(task: TaskRecord, now: number): ChangeSet {
  const r = new Recorder(task, now, 'engine');
  const set: Partial<TaskRecord> = { updatedAt: now };
  pauseAtBreakpoint(r, task, task.currentState ?? '', set);
  return { updateTasks: [{ id: task.id, expectedVersion: task.version, set }], transitions: r.transitions, events: r.events };
}

function keepsData(outcome: FlowOutcome): boolean {
  if (outcome.type === 'fail') return outcome.keepData === true;
  return outcome.type !== 'cancel';
}

/** The ChangeSet recording `outcome` for `task`. */
export function planOutcome(input: PlanInput, outcome: FlowOutcome, extras: PlanExtras = {}): Plan {
  const { task, template, now } = input;
  const r = new Recorder(task, now, input.actor);
  const set: Partial<TaskRecord> = { updatedAt: now };
  const status = workingStatus(task);
  const state = task.currentState ?? template.startsWith;

  if (keepsData(outcome) && extras.data) recordData(r, task, template, extras.data, outcome.reason, set, extras.dataText);
  if (outcome.type === 'move' || outcome.type === 'sleep' || outcome.type === 'fail') useRelease(task, state, set);
  if (extras.clearTimeout) set.timeoutAt = null;
  else if (extras.nextTimeoutAt !== undefined) set.timeoutAt = extras.nextTimeoutAt;

  switch (outcome.type) {
    case 'move': {
      const target = template.states.find((s) => s.name === outcome.to);
      if (!target) throw unknownState(template, outcome.to);
      if (status !== 'running') r.status(status, 'running', outcome.reason);
      set.currentState = outcome.to;
      set.wakeAt = null;
      r.transition('state', state, outcome.to, outcome.reason, outcome.details ?? {});
      r.event({ type: 'flow.transitioned', payload: { from: state, to: outcome.to, reason: outcome.reason } });
      if (target.type === 'result') {
        set.status = 'complete';
        r.status('running', 'complete', `reached result ${outcome.to}`);
        finish(set, template, now);
        r.event({ type: 'task.completed', payload: { result: extras.data ?? task.data } });
      } else {
        set.status = 'running';
        pauseAtBreakpoint(r, task, outcome.to, set);
      }
      break;
    }
    case 'sleep': {
      if (status !== 'waiting') r.status(status, 'waiting', outcome.reason);
      set.status = 'waiting';
      set.wakeAt = outcome.at ?? now + template.delayMs;
      r.event({ type: 'flow.waiting', payload: { state, wakeAt: set.wakeAt } });
      break;
    }
    case 'activate': {
      r.status(status, 'running', outcome.reason);
      set.status = 'running';
      set.wakeAt = null;
      break;
    }
    case 'cancel': {
      if (task.leaseOwner !== null) Object.assign(set, { leaseOwner: null, leaseExpiresAt: null });
      r.status(status, 'cancelled', outcome.reason);
      set.status = 'cancelled';
      finish(set, template, now);
      r.event({ type: 'task.cancelled', payload: { reason: outcome.reason } });
      break;
    }
    case 'fail': {
      if (task.leaseOwner !== null) Object.assign(set, { leaseOwner: null, leaseExpiresAt: null });
      r.status(status, 'error', outcome.reason);
      set.status = 'error';
      set.error = outcome.error;
      finish(set, template, now);
      r.event({ type: 'task.failed', payload: { error: outcome.error } });
      break;
    }
  }

  if (set.status !== undefined) {
    // A paused flow stays paused (resuming to the new status) unless the outcome finished it.
    const h = held({ kind: 'flow', status: task.status, debug: set.debug ?? task.debug }, set.status);
    set.status = h.status;
    if (h.debug) set.debug = h.debug;
  }

  const changes: ChangeSet = {
    updateTasks: [{ id: task.id, expectedVersion: task.version, set }],
    transitions: r.transitions,
    events: r.events,
  };
  if (extras.attempt) changes.insertAttempts = [extras.attempt];
  return { changes, set };
}

/** An accepted interaction: its data change and an `interaction.fired` transition and event. */
export function planInteraction(
  input: PlanInput,
  name: string,
  params: JsonObject,
  data: JsonObject,
  attempt: AttemptRecord,
): Plan {
  const { task, template, now } = input;
  const r = new Recorder(task, now, input.actor);
  const set: Partial<TaskRecord> = { updatedAt: now };
  const state = task.currentState ?? template.startsWith;
  // Always one row for the call itself, so the history shows it even when data did not change.
  const before = JSON.stringify(task.data);
  const after = JSON.stringify(data);
  r.transition('data', before, after, 'interaction.fired', { interaction: name, params, state });
  r.event({ type: 'interaction.fired', payload: { name, params, state } });
  if (before !== after) {
    set.data = data;
    const participants = participantsOf(template.index, data);
    if (!sameJson(participants, task.participants)) set.participants = participants;
    r.event({ type: 'flow.data_changed', payload: { data } });
  }
  return {
    changes: {
      updateTasks: [{ id: task.id, expectedVersion: task.version, set }],
      insertAttempts: [attempt],
      transitions: r.transitions,
      events: r.events,
    },
    set,
  };
}

export interface CreateOptions {
  id: string;
  input: JsonObject;
  data: JsonObject;
  now: number;
  parentTaskId?: string | null;
  idempotencyKey?: string | null;
  background?: boolean;
  debug?: boolean;
  /** Start in this state instead of `startsWith` (testState). */
  state?: string;
}

/** The new task record and the ChangeSet that inserts it with its first transitions. */
export function planCreate(template: FlowTemplate, o: CreateOptions): { task: TaskRecord; changes: ChangeSet } {
  const state = o.state ?? template.startsWith;
  if (!template.states.some((s) => s.name === state)) throw unknownState(template, state);
  const ref = templateRef(template);
  const works: TaskStatus = o.background ? 'waiting' : 'running';
  const task = newTaskRecord(
    template,
    { id: o.id, status: works, input: o.input, now: o.now, parentTaskId: o.parentTaskId, idempotencyKey: o.idempotencyKey, debug: o.debug },
    {
      data: o.data,
      currentState: state,
      participants: participantsOf(template.index, o.data),
      result: null,
      finishedAt: null,
      // A background start is picked up at once by whoever runs due flows.
      wakeAt: o.background ? o.now : null,
      timeoutAt: template.timeoutMs !== undefined ? o.now + template.timeoutMs : null,
      deleteAt: null,
    },
  );

  // Started paused (debugger): stored `paused` (newTaskRecord), resuming to `works` on continue.
  const paused = task.status === 'paused';
  const r = new Recorder(task, o.now, 'engine');
  r.transition('status', null, works, o.background ? 'created (background)' : 'created');
  if (paused) r.transition('status', works, task.status, 'debug_start');
  r.transition('state', null, state, 'start');
  r.event({ type: 'task.created', payload: { templateRef: ref, kind: 'flow', input: o.input, parentTaskId: task.parentTaskId } });
  r.event({ type: 'flow.transitioned', payload: { from: null, to: state, reason: 'start' } });
  if (o.background) r.event({ type: 'flow.waiting', payload: { state, wakeAt: o.now } });
  if (paused) {
    r.event({ type: 'task.status_changed', payload: { from: works, to: task.status, reason: 'debug_start' } });
    r.event({ type: 'debug.paused', payload: { reason: 'debug_start' } });
  }
  return { task, changes: { insertTasks: [task], transitions: r.transitions, events: r.events } };
}

