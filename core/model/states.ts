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

export type WorkflowTaskStatus = 'pending' | 'running' | 'waiting' | 'complete' | 'error' | 'cancelled';
export type FlowTaskStatus = 'active' | 'waiting' | 'completed' | 'failed' | 'cancelled';
export type TaskStatus = WorkflowTaskStatus | FlowTaskStatus;

export const WORKFLOW_TASK_TRANSITIONS: Readonly<Record<WorkflowTaskStatus, readonly WorkflowTaskStatus[]>> = {
  pending: ['running', 'waiting', 'complete', 'error', 'cancelled'],
  running: ['waiting', 'complete', 'error', 'cancelled'],
  waiting: ['running', 'complete', 'error', 'cancelled'],
  error: ['running', 'waiting', 'complete', 'cancelled'],
  complete: ['running'],
  cancelled: [],
};

export const FLOW_TASK_TRANSITIONS: Readonly<Record<FlowTaskStatus, readonly FlowTaskStatus[]>> = {
  active: ['waiting', 'completed', 'failed', 'cancelled'],
  waiting: ['active', 'completed', 'failed', 'cancelled'],
  failed: ['active', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** Every task status of both kinds, for validating user input. */
export const TASK_STATUSES: readonly TaskStatus[] = [
  ...new Set<TaskStatus>([...(Object.keys(WORKFLOW_TASK_TRANSITIONS) as WorkflowTaskStatus[]), ...(Object.keys(FLOW_TASK_TRANSITIONS) as FlowTaskStatus[])]),
];

export const WORKFLOW_TASK_FINISHED: readonly WorkflowTaskStatus[] = ['complete', 'error', 'cancelled'];
export const FLOW_TASK_FINISHED: readonly FlowTaskStatus[] = ['completed', 'failed', 'cancelled'];

export function canStepTransition(from: StepState, to: StepState): boolean {
  return STEP_TRANSITIONS[from].includes(to);
}

export function assertStepTransition(from: StepState, to: StepState, context: Record<string, unknown> = {}): void {
  if (!canStepTransition(from, to)) throw new IllegalTransitionError('step', from, to, context);
}

export function canTaskTransition(kind: 'workflow' | 'flow', from: TaskStatus, to: TaskStatus): boolean {
  if (kind === 'workflow') {
    const row = WORKFLOW_TASK_TRANSITIONS[from as WorkflowTaskStatus];
    return row !== undefined && row.includes(to as WorkflowTaskStatus);
  }
  const row = FLOW_TASK_TRANSITIONS[from as FlowTaskStatus];
  return row !== undefined && row.includes(to as FlowTaskStatus);
}

export function assertTaskTransition(
  kind: 'workflow' | 'flow',
  from: TaskStatus,
  to: TaskStatus,
  context: Record<string, unknown> = {},
): void {
  if (!canTaskTransition(kind, from, to)) throw new IllegalTransitionError(`${kind} task`, from, to, context);
}

export function isTaskFinished(kind: 'workflow' | 'flow', status: TaskStatus): boolean {
  return kind === 'workflow'
    ? WORKFLOW_TASK_FINISHED.includes(status as WorkflowTaskStatus)
    : FLOW_TASK_FINISHED.includes(status as FlowTaskStatus);
}
