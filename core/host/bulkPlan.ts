/**
 * Bulk operations of the task list (retry, cancel or mark complete many tasks at once): which
 * core/ops requests each task needs, or why it is left out. PURE. The host previews every
 * request (core/ops says exactly what will change, or refuses) and applies them task by task,
 * each with its own previewed version, so a task that changed meanwhile is refused (STALE), never
 * overwritten.
 */
import type { Json, StepRecord, TaskRecord } from '../model/runtime.js';
import type { OpRequest } from '../ops/types.js';

export type BulkOp = 'retry' | 'cancel' | 'markCompleted';

export const BULK_OPS: readonly BulkOp[] = ['retry', 'cancel', 'markCompleted'];

export type BulkPlan = { requests: OpRequest[]; skipped: null } | { requests: []; skipped: string };

const skip = (why: string): BulkPlan => ({ requests: [], skipped: why });

/** The requests `op` makes for one task (its steps given for workflows), or why none. */
export function planBulk(op: BulkOp, task: TaskRecord, steps: readonly StepRecord[], results: Json = {}): BulkPlan {
  const failed = steps.filter((s) => s.state === 'error').map((s) => s.name);
  switch (op) {
    case 'cancel':
      // Whether it can be cancelled is core/ops's to say (its preview refuses with the reason).
      return { requests: [{ op: 'cancelTask', taskId: task.id }], skipped: null };
    case 'retry':
      if (task.kind === 'flow') return task.status === 'error' ? { requests: [{ op: 'retryState', taskId: task.id }], skipped: null } : skip(`it is ${task.status}, not in error`);
      if (failed.length === 0) return skip(task.status === 'error' ? 'no step is in error' : `it is ${task.status}: no step failed`);
      return { requests: failed.map((step) => ({ op: 'retryStep', taskId: task.id, step })), skipped: null };
    case 'markCompleted':
      if (task.kind === 'flow') return skip('a flow has no steps to complete: retry its state instead');
      if (failed.length === 0) return skip(task.status === 'error' ? 'no step is in error' : `it is ${task.status}: no step failed`);
      return { requests: failed.map((step) => ({ op: 'markCompleted', taskId: task.id, step, results })), skipped: null };
    default: {
      const never: never = op;
      return skip(`unknown operation ${String(never)}`);
    }
  }
}
