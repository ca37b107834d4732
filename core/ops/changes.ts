/**
 * From a planned ChangeSet to the Change list a preview shows, and from a plan to the ChangeSet
 * apply commits. The Change list is derived from the very patches that will be written, so a
 * preview cannot list something apply does not do, or miss something it does.
 */
import type { Json, JsonObject, NewTransition, StepRecord, TaskRecord } from '../model/runtime.js';
import type { NewEvent } from '../model/events.js';
import type { ChangeSet, RecordPatch } from '../storage/storage.js';
import type { Change, Plan } from './types.js';

const STEP_FIELDS = ['state', 'attempts', 'maxAttempts', 'results', 'error', 'retryAt', 'wakeAt'] as const;
const TASK_FIELDS = ['status', 'currentState', 'data', 'error', 'result', 'wakeAt', 'timeoutAt'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const json = (v: unknown): Json => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as Json));

export function stepChanges(steps: ReadonlyMap<string, StepRecord>, patches: readonly RecordPatch<StepRecord>[]): Change[] {
  const byId = new Map([...steps.values()].map((s) => [s.id, s]));
  const out: Change[] = [];
  for (const p of patches) {
    const before = byId.get(p.id);
    if (!before) continue;
    for (const field of STEP_FIELDS) {
      if (!(field in p.set) || same(before[field], p.set[field])) continue;
      out.push({ kind: 'step', name: before.name, field, from: json(before[field]), to: json(p.set[field]) });
    }
  }
  return out;
}

export function taskChanges(task: TaskRecord, patch: Partial<TaskRecord> | undefined): Change[] {
  if (!patch) return [];
  const out: Change[] = [];
  for (const field of TASK_FIELDS) {
    if (!(field in patch) || same(task[field], patch[field])) continue;
    out.push({ kind: 'task', name: task.id, field, from: json(task[field]), to: json(patch[field]) });
  }
  if (patch.debug) {
    const before = task.debug;
    const after = patch.debug;
    if (before.paused !== after.paused) out.push({ kind: 'task', name: task.id, field: 'paused', from: before.paused, to: after.paused });
    if (!same(before.breakpoints, after.breakpoints)) out.push({ kind: 'task', name: task.id, field: 'breakpoints', from: before.breakpoints, to: after.breakpoints });
  }
  return out;
}

/** Every change of `cs` for this task: its task patch first, then its steps in patch order. */
export function changesOf(task: TaskRecord, steps: ReadonlyMap<string, StepRecord>, cs: ChangeSet): Change[] {
  const patch = cs.updateTasks?.find((p) => p.id === task.id)?.set;
  return [...taskChanges(task, patch), ...stepChanges(steps, cs.updateSteps ?? [])];
}

/**
 * The ChangeSet apply commits: the plan's, with the caller's reason on every transition (the
 * planner's own explanation moves to `details.effect`), actor `user`, and the `op.applied` event.
 * The task patch is always present with the preview's version, so a concurrent change of the task
 * (or of any of its steps, which bumps the task) makes the commit STALE instead of merging.
 */
export function commitSetOf(plan: Plan, task: TaskRecord, reason: string, now: number): ChangeSet {
  const cs = plan.changeSet;
  const transitions: NewTransition[] = (cs.transitions ?? []).map((t) => ({
    ...t,
    actor: 'user',
    reason,
    details: { ...t.details, op: plan.op, effect: t.reason } as JsonObject,
  }));
  const applied: NewEvent = {
    type: 'op.applied',
    taskId: plan.taskId,
    stepName: plan.stepName,
    at: now,
    payload: { op: plan.op, reason, changes: plan.changes as unknown as Json },
  };
  const updateTasks = [...(cs.updateTasks ?? [])];
  if (!updateTasks.some((p) => p.id === task.id)) updateTasks.push({ id: task.id, expectedVersion: task.version, set: { updatedAt: now } });
  return { ...cs, updateTasks, transitions, events: [...(cs.events ?? []), applied] };
}
