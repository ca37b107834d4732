/**
 * The safe operations as the workbench offers them: label, what each does, whether it takes
 * results, and the request core/ops previews and applies. PURE.
 */
import type { Json, OpName, OpRequest } from '../../core/host/protocol.js';

export type UiOp = 'retryStep' | 'resetForRetry' | 'markCompleted' | 'updateResults' | 'skipStep' | 'rerunFromStep' | 'cancelTask' | 'wakeNow' | 'retryState' | 'skipWait';

export interface OpInfo {
  label: string;
  /** One line shown in the dialog. */
  does: string;
  /** Takes a results value (edited as JSON). */
  results: boolean;
  /** Needs a step. */
  step: boolean;
  /** Styled as destructive. */
  danger: boolean;
}

export const OP_INFO: Record<UiOp, OpInfo> = {
  retryStep: { label: 'Retry step', does: 'Runs the step again as a new attempt.', results: false, step: true, danger: false },
  resetForRetry: { label: 'Reset for retry', does: 'Gives the step a fresh attempt budget and makes it ready to run.', results: false, step: true, danger: false },
  markCompleted: { label: 'Mark complete', does: 'Ends the step as resolved manually with the results you give; dependents may then run.', results: true, step: true, danger: false },
  updateResults: { label: 'Update results', does: 'Replaces the results of a finished step (what its dependents read).', results: true, step: true, danger: false },
  skipStep: { label: 'Skip', does: 'Skips the step; dependents treat it as done without results.', results: false, step: true, danger: false },
  rerunFromStep: { label: 'Rerun from here', does: 'Runs the step again and every step downstream of it.', results: false, step: true, danger: false },
  cancelTask: { label: 'Cancel task', does: 'Cancels the task: running steps are aborted and nothing else runs.', results: false, step: false, danger: true },
  wakeNow: { label: 'Wake now', does: 'Makes every retry backoff and timed wait of the task due now.', results: false, step: false, danger: false },
  retryState: { label: 'Retry state', does: 'Runs the failed flow state again.', results: false, step: false, danger: false },
  skipWait: { label: 'Skip wait', does: "Makes the flow's wait due now: its next check of the wait (or its timeout) happens at once.", results: false, step: false, danger: false },
};

export const STEP_OPS: UiOp[] = ['retryStep', 'resetForRetry', 'markCompleted', 'updateResults', 'skipStep', 'rerunFromStep'];

export interface OpTarget {
  op: UiOp;
  taskId: string;
  step?: string;
  /** skipWait of a flow: which of its times can be made due (the dialog lets the user pick). */
  flowWait?: FlowWait;
}

export interface FlowWait {
  /** The flow's next wake (re-check of the wait) is set. */
  wake: boolean;
  /** The flow's timeout is set; `onTimeout` is the state it then goes to, when known. */
  timeout: boolean;
  onTimeout: string | null;
}

/** skipWait's `step` for a flow: 'timeout' makes the timeout due, nothing the wake. */
export type FlowWaitChoice = 'wake' | 'timeout';

/** The core/ops request for a target, with the dialog's extra inputs. */
export function requestOf(target: OpTarget, extra: { results?: Json; cascade?: boolean }): OpRequest {
  const { op, taskId } = target;
  const step = target.step ?? '';
  switch (op) {
    case 'retryStep':
    case 'resetForRetry':
    case 'skipStep':
      return { op, taskId, step };
    case 'rerunFromStep':
      return extra.cascade ? { op, taskId, step, cascade: true } : { op, taskId, step };
    case 'markCompleted':
    case 'updateResults':
      return { op, taskId, step, results: extra.results ?? null };
    case 'cancelTask':
    case 'wakeNow':
    case 'retryState':
      return { op, taskId };
    case 'skipWait':
      return target.step !== undefined ? { op, taskId, step: target.step } : { op, taskId };
  }
}

/** Parses the results editor's text: the value, or why it is not JSON. */
export function parseJson(text: string): { ok: true; value: Json } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: false, error: 'Enter a JSON value (for example {} or null).' };
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
}

export function isOpName(name: string): name is OpName {
  return name in OP_INFO;
}
