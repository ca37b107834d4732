/**
 * The state machines of steps, workflow tasks and flow tasks, as data. Every state write in the
 * engine and in the operations goes through `assertStepTransition` / `assertTaskTransition`: an
 * illegal transition is a bug that throws, never a silent write.
 */
import { IllegalTransitionError } from './errors.js';

export type StepState =
  | 'pending'
  | 'ready'
  | 'running'
  | 'complete'
  | 'waiting_for_retry'
  | 'waiting'
  | 'error'
  | 'skipped'
  | 'cancelled'
  | 'resolved_manually';

export const STEP_STATES: readonly StepState[] = [
  'pending',
  'ready',
  'running',
  'complete',
  'waiting_for_retry',
  'waiting',
  'error',
  'skipped',
  'cancelled',
  'resolved_manually',
];

/** Allowed step transitions. Manual operations (actor `user`) use the same table. */
export const STEP_TRANSITIONS: Readonly<Record<StepState, readonly StepState[]>> = {
  pending: ['ready', 'skipped', 'cancelled', 'resolved_manually'],
  ready: ['running', 'pending', 'skipped', 'cancelled', 'resolved_manually', 'waiting'],
  running: ['complete', 'waiting_for_retry', 'error', 'ready', 'cancelled', 'waiting'],
  waiting_for_retry: ['ready', 'error', 'cancelled', 'resolved_manually', 'skipped', 'pending'],
  waiting: ['complete', 'error', 'cancelled', 'resolved_manually', 'ready', 'skipped', 'pending'],
  error: ['ready', 'pending', 'resolved_manually', 'skipped', 'cancelled'],
  complete: ['pending', 'ready'],
  resolved_manually: ['pending', 'ready'],
  skipped: ['pending', 'ready'],
  cancelled: [],
};

/** States after which a step's dependents may proceed. */
export const STEP_DONE_STATES: readonly StepState[] = ['complete', 'resolved_manually', 'skipped'];
/** States from which the engine never moves a step by itself. */
export const STEP_TERMINAL_STATES: readonly StepState[] = [
  'complete',
  'resolved_manually',
  'skipped',
  'cancelled',
  'error',
];

/**
 * One task status vocabulary for workflows and flows (tasker-core's words). `paused` is held while
 * the debugger has the task paused and it is unfinished; `debug.resumeStatus` is the status it
 * works by meanwhile and returns to on continue (see `workingStatus`).
 */
export type TaskStatus = 'pending' | 'running' | 'paused' | 'waiting' | 'complete' | 'error' | 'cancelled';

/** Every task status, in the order lists and filters show them. */
export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'running', 'paused', 'waiting', 'complete', 'error', 'cancelled'];

/** The statuses a task may be paused from and return to. */
export type ResumableStatus = Exclude<TaskStatus, 'paused' | 'complete' | 'error' | 'cancelled'>;

export const WORKFLOW_TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['running', 'waiting', 'complete', 'error', 'cancelled', 'paused'],
  running: ['waiting', 'complete', 'error', 'cancelled', 'paused'],
  paused: ['pending', 'running', 'waiting', 'complete', 'error', 'cancelled'],
  waiting: ['running', 'complete', 'error', 'cancelled', 'paused'],
  // Reset while the debugger holds the task: it goes back to paused, not running.
  error: ['running', 'waiting', 'complete', 'cancelled', 'paused'],
  complete: ['running', 'paused'],
  cancelled: [],
};

export const FLOW_TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: [],
  running: ['waiting', 'complete', 'error', 'cancelled', 'paused'],
  paused: ['running', 'waiting', 'complete', 'error', 'cancelled'],
  waiting: ['running', 'complete', 'error', 'cancelled', 'paused'],
  error: ['running', 'cancelled', 'paused'],
  complete: [],
  cancelled: [],
};

/** Statuses after which a task no longer runs by itself (both kinds). */
export const TASK_FINISHED: readonly TaskStatus[] = ['complete', 'error', 'cancelled'];

/**
 * Words older Stepwise versions stored for flows (and history rows written then still hold):
 * readers of transitions and events map them with `normalizeTaskStatus`.
 */
const LEGACY_STATUS: Readonly<Record<string, TaskStatus>> = { active: 'running', completed: 'complete', failed: 'error' };

/** A stored or typed status word in today's vocabulary (legacy flow words mapped); null when it is none. */
export function normalizeTaskStatus(word: string): TaskStatus | null {
  if ((TASK_STATUSES as readonly string[]).includes(word)) return word as TaskStatus;
  return LEGACY_STATUS[word] ?? null;
}

/**
 * The status a task works by: its own, or for a paused task the one it returns to on continue.
 * The engine decides by this (a paused task is otherwise left alone through `debug.paused`).
 */
export function workingStatus(task: { status: TaskStatus; debug: { resumeStatus?: ResumableStatus } }): TaskStatus {
  return task.status === 'paused' ? (task.debug.resumeStatus ?? 'running') : task.status;
}

export function canStepTransition(from: StepState, to: StepState): boolean {
  return STEP_TRANSITIONS[from].includes(to);
}

export function assertStepTransition(from: StepState, to: StepState, context: Record<string, unknown> = {}): void {
  if (!canStepTransition(from, to)) throw new IllegalTransitionError('step', from, to, context);
}

export function canTaskTransition(kind: 'workflow' | 'flow', from: TaskStatus, to: TaskStatus): boolean {
  const row = (kind === 'workflow' ? WORKFLOW_TASK_TRANSITIONS : FLOW_TASK_TRANSITIONS)[from];
  return row !== undefined && row.includes(to);
}

export function assertTaskTransition(
  kind: 'workflow' | 'flow',
  from: TaskStatus,
  to: TaskStatus,
  context: Record<string, unknown> = {},
): void {
  if (!canTaskTransition(kind, from, to)) throw new IllegalTransitionError(`${kind} task`, from, to, context);
}

export function isTaskFinished(_kind: 'workflow' | 'flow', status: TaskStatus): boolean {
  return TASK_FINISHED.includes(status);
}
