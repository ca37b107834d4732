/** What the debug bar says the live task is doing, in words. PURE. */
import type { TaskControls } from '../../core/host/protocol.js';

/**
 * Why the task is paused, in words. A task started paused keeps that reason while it is stepped
 * (the engine records the pause once), so once something of it ran it says so instead.
 */
export function pauseText(reason: string | undefined, progressed = false): string {
  if (!reason) return 'paused';
  if (reason === 'debug_start') return progressed ? 'paused after a step' : 'started paused';
  if (reason === 'user') return 'paused by you';
  if (reason === 'step') return 'paused after a step';
  if (reason.startsWith('breakpoint:')) return `stopped at breakpoint ${reason.slice('breakpoint:'.length)}`;
  return `paused: ${reason}`;
}

/**
 * What the bar says the live task is doing: the task's status first (a failed workflow is not
 * "running" just because it is not paused), then the pause state of a task that can still run.
 */
export function debugStateText(task: Pick<TaskControls['task'], 'kind' | 'status' | 'debug' | 'currentState'>, progressed = false): { text: string; tone: 'paused' | 'running' | 'failed' | 'muted' } {
  const flowState = task.kind === 'flow' && task.currentState ? ` in ${task.currentState}` : '';
  switch (task.status) {
    case 'error':
      return { text: 'failed — retry or reset a step', tone: 'failed' };
    case 'failed':
      return { text: `failed${flowState} — retry the state`, tone: 'failed' };
    case 'complete':
    case 'completed':
      return { text: 'finished', tone: 'muted' };
    case 'cancelled':
      return { text: 'cancelled', tone: 'muted' };
    case 'pending':
    case 'running':
    case 'waiting':
    case 'active':
      if (task.debug.paused) return { text: pauseText(task.debug.pauseReason, progressed), tone: 'paused' };
      return { text: task.status === 'waiting' ? `waiting${flowState}` : 'running', tone: 'running' };
    default: {
      // Every status is handled above (checked by the compiler); an unknown one is shown as is.
      const unknown: never = task.status;
      return { text: String(unknown), tone: 'muted' };
    }
  }
}
