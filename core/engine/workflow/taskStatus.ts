/**
 * A workflow task's status follows from the states of its steps; `settleTask` moves the task
 * to it (with its transition and events) whenever a plan changed steps.
 */
import type { Json, JsonObject } from '../../model/runtime.js';
import type { TaskStatus } from '../../model/states.js';
import type { Draft } from '../runtime/draft.js';
import type { StateCounts } from '../runtime/view.js';

export function deriveTaskStatus(c: StateCounts): TaskStatus {
  let total = 0;
  for (const state in c) total += c[state as keyof StateCounts];
  const done = c.complete + c.resolved_manually + c.skipped;
  if (done === total) return 'complete';
  if (c.ready + c.running > 0) return 'running';
  if (c.waiting + c.waiting_for_retry > 0) return 'waiting';
  if (c.error > 0) return 'error';
  if (c.cancelled > 0) return 'cancelled';
  // Only pending steps left with nothing ahead of them: an operator parked them (markPending).
  return 'running';
}

/** Results of the leaf steps that ran, by name: the task's result. */
export function leafResults(draft: Draft): JsonObject {
  const result: JsonObject = {};
  for (const name of draft.stepNames()) {
    if (draft.dependentsOf(name).length > 0) continue;
    const step = draft.step(name)!;
    if (step.state === 'complete' || step.state === 'resolved_manually') result[name] = step.results as Json;
  }
  return result;
}

/** Move the task to the status its steps imply. Cancelled tasks stay cancelled. */
export function settleTask(draft: Draft, deleteAfterMs?: number): void {
  const from = draft.task.status;
  if (from === 'cancelled') return;
  const to = deriveTaskStatus(draft.counts);
  if (to === from) return;
  const finished = to === 'complete' || to === 'error' || to === 'cancelled';
  const set = {
    finishedAt: finished ? draft.now : null,
    deleteAt: finished && deleteAfterMs !== undefined ? draft.now + deleteAfterMs : null,
    error: to === 'error' ? firstError(draft) : null,
    result: to === 'complete' ? leafResults(draft) : null,
  };
  draft.moveTask(to, reasonFor(to), set);
}

function reasonFor(to: TaskStatus): string {
  switch (to) {
    case 'complete':
      return 'every step is done';
    case 'running':
      return 'steps are ready or running';
    case 'waiting':
      return 'only waits and scheduled retries remain';
    case 'error':
      return 'a step failed and nothing else can progress';
    case 'cancelled':
      return 'cancelled';
    case 'pending':
      return 'pending';
    case 'paused':
      return 'paused';
  }
}

function firstError(draft: Draft) {
  for (const name of draft.stepNames()) {
    const step = draft.step(name)!;
    if (step.state === 'error') {
      const e = step.error ?? { class: 'Error', message: `step '${name}' failed` };
      return { ...e, details: { ...e.details, step: name } };
    }
  }
  return null;
}
