/** What the debug bar says the live task is doing, in words. PURE. */
import type { TaskControls } from '../../core/host/protocol.js';

/** Why the task is paused, in words (the engine records `step` once a debugger step ran). */
export function pauseText(reason: string | undefined): string {
  if (!reason) return 'paused';
  if (reason === 'debug_start') return 'started paused';
  if (reason === 'user') return 'paused by you';
  if (reason === 'step') return 'paused after a step';
  if (reason.startsWith('breakpoint:')) return `stopped at breakpoint ${reason.slice('breakpoint:'.length)}`;
  return `paused: ${reason}`;
}

/**
 * What the bar says the live task is doing: the task's status first (a failed task is not
 * "running" just because it is not paused), then why a paused task is paused.
 */
export function debugStateText(task: Pick<TaskControls['task'], 'kind' | 'status' | 'debug' | 'currentState'>): { text: string; tone: 'paused' | 'running' | 'failed' | 'muted' } {
  const flowState = task.kind === 'flow' && task.currentState ? ` in ${task.currentState}` : '';
  switch (task.status) {
    case 'error':
      return { text: task.kind === 'flow' ? `failed${flowState} — retry the state` : 'failed — retry or reset a step', tone: 'failed' };
    case 'complete':
      return { text: 'finished', tone: 'muted' };
    case 'cancelled':
      return { text: 'cancelled', tone: 'muted' };
    case 'paused':
      return { text: pauseText(task.debug.pauseReason), tone: 'paused' };
    case 'pending':
    case 'running':
    case 'waiting':
      return { text: task.status === 'waiting' ? `waiting${flowState}` : 'running', tone: 'running' };
    default: {
      // Every status is handled above (checked by the compiler); an unknown one is shown as is.
      const unknown: never = task.status;
      return { text: String(unknown), tone: 'muted' };
    }
  }
}
