/**
 * The pure planner of the flow operations. State and status moves go through the flow driver's
 * own planOutcome (so the flow machine's table is checked and the rows look like the engine's);
 * data and schedule changes add their transition and event here. fireInteraction is not planned
 * here: it runs a handler, so the shell delegates it to the flow driver.
 */
import { workingStatus, type TaskStatus } from '../model/states.js';
import type { NewEvent } from '../model/events.js';
import type { JsonObject, NewTransition, TaskRecord } from '../model/runtime.js';
import { templateRef, type FlowTemplate } from '../model/template.js';
import { assertNever, StepwiseError } from '../model/errors.js';
import { applyDefaultsAndValidate } from '../engine/flow/attributes.js';
import { unknownState } from '../engine/flow/errors.js';
import { participantsOf } from '../engine/flow/participants.js';
import { planOutcome, sameJson } from '../engine/flow/plan.js';
import type { ChangeSet } from '../storage/storage.js';
import { changesOf } from './changes.js';
import { planBreakpoints, planContinue, planPause, type DebugPlan } from './debugPlan.js';
import { invalidState } from './errors.js';
import type { OpName, OpRequest, Plan } from './types.js';

export interface FlowSnapshot {
  task: TaskRecord;
  template: FlowTemplate;
  now: number;
}

export type FlowRequest = Extract<
  OpRequest,
  { op: 'retryState' | 'goTo' | 'updateData' | 'cancelTask' | 'wakeNow' | 'skipWait' | 'pause' | 'continue' | 'setBreakpoints' }
>;

const iso = (t: number | null) => (t === null ? 'none' : new Date(t).toISOString());
/** Leaving `error`: the failure is history (in the transitions), no longer the task's state. */
const UNFAIL: Partial<TaskRecord> = { error: null, finishedAt: null, deleteAt: null };

/** `accepts` names working statuses: a paused task is judged by the status it returns to. */
function requireStatus(op: OpName, task: TaskRecord, accepts: readonly TaskStatus[]): void {
  if (!accepts.includes(workingStatus(task))) throw invalidState(op, { kind: 'task', name: task.id }, task.status, accepts);
}

function fromOutcome(s: FlowSnapshot, outcome: Parameters<typeof planOutcome>[1], extra: Partial<TaskRecord> = {}): ChangeSet {
  const plan = planOutcome({ task: s.task, template: s.template, now: s.now, actor: 'user' }, outcome);
  const [patch] = plan.changes.updateTasks!;
  return { ...plan.changes, updateTasks: [{ ...patch!, set: { ...patch!.set, ...extra } }] };
}

function simple(s: FlowSnapshot, set: Partial<TaskRecord>, transitions: NewTransition[], events: NewEvent[]): ChangeSet {
  return { updateTasks: [{ id: s.task.id, expectedVersion: s.task.version, set: { ...set, updatedAt: s.now } }], transitions, events };
}

function debugSet(s: FlowSnapshot, plan: DebugPlan): ChangeSet {
  return simple(s, plan.set, plan.transitions, plan.events);
}

function updateData(s: FlowSnapshot, data: JsonObject): ChangeSet {
  const { task, template } = s;
  requireStatus('updateData', task, ['running', 'waiting', 'error']);
  const next = applyDefaultsAndValidate(template.attributesSchema, data, `The data of ${templateRef(template)}`);
  if (sameJson(next, task.data)) throw new StepwiseError('USAGE', `updateData: the data of task ${task.id} is already exactly that. Nothing was changed.`, { op: 'updateData' });
  const set: Partial<TaskRecord> = { data: next };
  const participants = participantsOf(template.index, next);
  if (!sameJson(participants, task.participants)) set.participants = participants;
  const transition: NewTransition = {
    taskId: task.id,
    stepName: null,
    field: 'data',
    from: JSON.stringify(task.data),
    to: JSON.stringify(next),
    reason: 'data updated',
    actor: 'user',
    at: s.now,
    details: {},
  };
  return simple(s, set, [transition], [{ type: 'flow.data_changed', taskId: task.id, stepName: null, at: s.now, payload: { data: next } }]);
}

/** wake_at (or with `which: 'timeout'`, timeout_at) becomes now. */
function dueNow(s: FlowSnapshot, op: 'wakeNow' | 'skipWait', which: string | undefined): ChangeSet {
  const { task } = s;
  requireStatus(op, task, ['waiting']);
  if (which !== undefined && which !== 'timeout') {
    throw new StepwiseError('USAGE', `${op}: a flow has no steps; name nothing to make its wake time due, or 'timeout' to make its timeout due.`, { op, step: which });
  }
  const field = which === 'timeout' ? 'timeoutAt' : 'wakeAt';
  const before = task[field];
  if (field === 'timeoutAt' && before === null) throw invalidState(op, { kind: 'task', name: task.id }, 'waiting without a timeout', ['waiting with a timeout']);
  const state = task.currentState ?? '';
  const transition: NewTransition = {
    taskId: task.id,
    stepName: null,
    field: 'schedule',
    from: iso(before),
    to: iso(s.now),
    reason: field === 'timeoutAt' ? 'timeout made due now' : 'wake made due now',
    actor: 'user',
    at: s.now,
    details: { which: field === 'timeoutAt' ? 'timeout' : 'wake', state },
  };
  const events: NewEvent[] = field === 'wakeAt' ? [{ type: 'flow.waiting', taskId: task.id, stepName: null, at: s.now, payload: { state, wakeAt: s.now } }] : [];
  return simple(s, { [field]: s.now }, [transition], events);
}

export function planFlowOp(s: FlowSnapshot, req: FlowRequest): Plan {
  const { task, template } = s;
  let changeSet: ChangeSet;
  const notes: string[] = [];
  switch (req.op) {
    case 'retryState':
      requireStatus('retryState', task, ['error']);
      changeSet = fromOutcome(s, { type: 'activate', reason: `rerun state ${task.currentState}` }, UNFAIL);
      break;
    case 'goTo': {
      requireStatus('goTo', task, ['running', 'waiting', 'error']);
      if (!template.states.some((st) => st.name === req.state)) throw unknownState(template, req.state);
      changeSet = fromOutcome(s, { type: 'move', to: req.state, reason: `goTo ${req.state}` }, task.status === 'error' ? UNFAIL : {});
      break;
    }
    case 'updateData':
      changeSet = updateData(s, req.data);
      break;
    case 'cancelTask':
      requireStatus('cancelTask', task, ['running', 'waiting', 'error']);
      changeSet = fromOutcome(s, { type: 'cancel', reason: 'cancelled' });
      break;
    case 'wakeNow':
      changeSet = dueNow(s, 'wakeNow', undefined);
      break;
    case 'skipWait':
      changeSet = dueNow(s, 'skipWait', req.step);
      if (task.debug.paused) notes.push('The task is paused: the flow wakes on the next debugger step or after continue.');
      break;
    case 'pause':
      changeSet = debugSet(s, planPause(task, s.now, req.reason));
      break;
    case 'continue':
      changeSet = debugSet(s, planContinue(task, s.now, task.currentState ? [task.currentState] : []));
      break;
    case 'setBreakpoints':
      changeSet = debugSet(s, planBreakpoints(task, s.now, req.names, template.states.map((st) => st.name)));
      break;
    default:
      return assertNever(req, 'flow operation');
  }
  return {
    op: req.op,
    taskId: task.id,
    version: task.version,
    changes: changesOf(task, new Map(), changeSet),
    notes,
    changeSet,
    followups: { abort: [], cancelChildren: [] },
    stepName: null,
  };
}
