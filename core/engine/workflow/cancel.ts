/** Cancelling a workflow task: every unfinished step is cancelled and never retried. */
import { StepwiseError } from '../../model/errors.js';
import type { AttemptRecord } from '../../model/runtime.js';
import type { StepState } from '../../model/states.js';
import type { Draft } from '../runtime/draft.js';

const CANCELLABLE: ReadonlySet<StepState> = new Set(['pending', 'ready', 'running', 'waiting', 'waiting_for_retry']);

export interface CancelPlan {
  /** Steps that were running: their handlers must be aborted. */
  running: string[];
  /** Subtask steps that were waiting on a child: the children are cancelled too. */
  subtasks: string[];
}

export function planCancel(
  d: Draft,
  reason: string,
  openAttempts: ReadonlyMap<string, AttemptRecord>,
  deleteAfterMs?: number,
): CancelPlan {
  const status = d.task.status;
  if (status === 'cancelled') return { running: [], subtasks: [] };
  if (status === 'complete') {
    throw new StepwiseError('INVALID_STATE', `Task ${d.task.id} is already complete; only unfinished tasks can be cancelled.`, {
      taskId: d.task.id,
      status,
    });
  }
  const plan: CancelPlan = { running: [], subtasks: [] };
  for (const name of [...d.stepNames()]) {
    const step = d.step(name)!;
    if (!CANCELLABLE.has(step.state)) continue;
    if (step.state === 'running') {
      plan.running.push(name);
      const open = openAttempts.get(name);
      if (open) {
        d.updateAttempt(open.id, {
          finishedAt: d.now,
          durationMs: d.now - open.startedAt,
          outcome: 'cancelled',
          error: { class: 'CancelledError', code: 'CANCELLED', message: `Cancelled: ${reason}` },
        });
      }
    }
    if (step.state === 'waiting' && step.type === 'subtask') plan.subtasks.push(name);
    d.moveStep(name, 'cancelled', reason, { set: { leaseOwner: null, leaseExpiresAt: null, retryAt: null, wakeAt: null } });
  }
  d.moveTask('cancelled', reason, {
    finishedAt: d.now,
    deleteAt: deleteAfterMs === undefined ? null : d.now + deleteAfterMs,
  });
  return plan;
}
