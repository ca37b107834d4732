/**
 * The records a new task and a new attempt start from, the same for both kinds: the template's
 * identity, no error, no lease, version 1, the debugger's settings at start; an attempt open (no
 * end yet). The kind's planner decides the rest (status, state, data, times).
 */
import { pausing } from '../../model/pause.js';
import type { AttemptRecord, JsonObject, TaskRecord } from '../../model/runtime.js';
import { templateRef, type Template } from '../../model/template.js';

export interface NewTask {
  id: string;
  status: TaskRecord['status'];
  input: JsonObject;
  now: number;
  parentTaskId?: string | null | undefined;
  parentStepName?: string | null | undefined;
  idempotencyKey?: string | null | undefined;
  /** Start paused (the debugger's `debug_start`). */
  debug?: boolean | undefined;
}

/** What only the kind decides about a new task. */
export type KindFields = Pick<TaskRecord, 'data' | 'currentState' | 'participants' | 'result' | 'finishedAt' | 'wakeAt' | 'timeoutAt' | 'deleteAt'>;

/** `t.debug`: the task is stored `paused` (unless `t.status` finishes it), resuming to `t.status` on continue. */
export function newTaskRecord(template: Template, t: NewTask, kind: KindFields): TaskRecord {
  const idle = { paused: false, breakpoints: [] };
  const start = t.debug ? pausing({ kind: template.kind, status: t.status, debug: idle }, 'debug_start') : { status: t.status, debug: idle };
  return {
    id: t.id,
    kind: template.kind,
    namespace: template.namespace,
    name: template.name,
    templateVersion: template.version,
    templateRef: templateRef(template),
    status: start.status,
    input: t.input,
    parentTaskId: t.parentTaskId ?? null,
    parentStepName: t.parentStepName ?? null,
    idempotencyKey: t.idempotencyKey ?? null,
    error: null,
    createdAt: t.now,
    updatedAt: t.now,
    debug: start.debug,
    leaseOwner: null,
    leaseExpiresAt: null,
    stateAttempts: 0,
    version: 1,
    ...kind,
  };
}

/** An attempt that has started and not ended. */
export function openAttemptRecord(a: Pick<AttemptRecord, 'id' | 'taskId' | 'stepName' | 'number' | 'startedAt' | 'logs'>): AttemptRecord {
  // Field by field, not a spread: the same shape for every attempt, and several times faster.
  return { id: a.id, taskId: a.taskId, stepName: a.stepName, number: a.number, startedAt: a.startedAt, logs: a.logs, finishedAt: null, durationMs: null, outcome: null, error: null, output: null };
}
