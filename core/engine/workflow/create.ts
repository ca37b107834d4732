/**
 * Planning a new workflow task: the task record, one step per template step (roots ready, the
 * rest pending) and the rows that record it. Pure: ids and time are passed in.
 *
 * Transition log convention: a template step exists from the task's creation in `pending`; the
 * log records every change from there (roots: pending → ready). Dynamic steps are recorded with
 * a transition from `null`.
 */
import type { JsonObject, NewTransition, StepRecord, TaskRecord } from '../../model/runtime.js';
import type { NewEvent } from '../../model/events.js';
import { templateRef, type StepTemplate, type WorkflowTemplate } from '../../model/template.js';
import type { ChangeSet } from '../../storage/storage.js';
import { renderKey } from './concurrency.js';
import { newTaskRecord } from '../runtime/records.js';

export interface StartOptions {
  idempotencyKey?: string;
  /** Start paused (the debugger's `step` then runs it one step at a time). */
  debug?: boolean;
  /**
   * Flows: create the flow waiting in its start state, due now, for whoever runs due flows (the
   * operations gem's `later`) instead of running its first state in this call. Workflows always
   * start this way.
   */
  later?: boolean;
  parentTaskId?: string;
  parentStepName?: string;
}

export function maxAttemptsOf(step: StepTemplate): number {
  if (step.type === 'wait') return 1;
  return step.retry.retryable ? Math.max(1, step.retry.maxAttempts) : 1;
}

export function planWorkflowTask(
  template: WorkflowTemplate,
  input: JsonObject,
  options: StartOptions,
  now: number,
  newId: () => string,
): { task: TaskRecord; changes: ChangeSet } {
  const ref = templateRef(template);
  const id = newId();
  const status = template.steps.length === 0 ? 'complete' : 'running';
  const task = newTaskRecord(
    template,
    { id, status, input, now, parentTaskId: options.parentTaskId, parentStepName: options.parentStepName, idempotencyKey: options.idempotencyKey, debug: options.debug },
    {
      data: {},
      currentState: null,
      participants: [],
      result: status === 'complete' ? {} : null,
      finishedAt: status === 'complete' ? now : null,
      wakeAt: null,
      timeoutAt: null,
      deleteAt: status === 'complete' && template.deleteAfterMs !== undefined ? now + template.deleteAfterMs : null,
    },
  );

  const transitions: NewTransition[] = [];
  const events: NewEvent[] = [];
  const t = (stepName: string | null, field: NewTransition['field'], from: string | null, to: string, reason: string) =>
    transitions.push({ taskId: id, stepName, field, from, to, reason, actor: 'engine', at: now, details: {} });
  t(null, 'status', null, 'pending', 'created');
  t(null, 'status', 'pending', status, status === 'complete' ? 'the template has no steps' : 'started');
  events.push({ type: 'task.created', taskId: id, stepName: null, at: now, payload: { templateRef: ref, kind: 'workflow', input, parentTaskId: task.parentTaskId } });
  events.push({ type: 'task.status_changed', taskId: id, stepName: null, at: now, payload: { from: 'pending', to: status, reason: 'started' } });
  if (status === 'complete') events.push({ type: 'task.completed', taskId: id, stepName: null, at: now, payload: { result: {} } });
  // Started paused (debugger): stored `paused` (newTaskRecord), resuming to `status` on continue.
  if (task.status !== status) {
    t(null, 'status', status, task.status, 'debug_start');
    events.push({ type: 'task.status_changed', taskId: id, stepName: null, at: now, payload: { from: status, to: task.status, reason: 'debug_start' } });
  }
  if (options.debug) events.push({ type: 'debug.paused', taskId: id, stepName: null, at: now, payload: { reason: 'debug_start' } });

  const steps: StepRecord[] = template.steps.map((s) => {
    const root = s.dependsOn.length === 0;
    if (root) {
      t(s.name, 'state', 'pending', 'ready', 'root step');
      events.push({ type: 'step.ready', taskId: id, stepName: s.name, at: now, payload: {} });
    }
    return {
      id: newId(),
      taskId: id,
      name: s.name,
      templateStep: s.name,
      type: s.type,
      state: root ? 'ready' : 'pending',
      dependsOn: [...s.dependsOn],
      attempts: 0,
      maxAttempts: maxAttemptsOf(s),
      retryAt: null,
      wakeAt: null,
      results: null,
      batch: null,
      error: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      concurrencyKey: s.concurrency ? renderKey(s.concurrency.key, { input, task: { id, name: template.name, namespace: template.namespace, templateRef: ref }, step: { name: s.name } }) : null,
      progress: null,
      dynamic: false,
      createdBy: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
  });
  return { task, changes: { insertTasks: [task], insertSteps: steps, transitions, events } };
}
