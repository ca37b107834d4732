/**
 * Pure planning of the debugger's settings changes (pause, continue, breakpoints), the same for
 * workflows and flows: the task's new `debug`, the `debug` transition and the event.
 */
import type { NewEvent } from '../model/events.js';
import type { DebugSettings, NewTransition, TaskRecord } from '../model/runtime.js';
import { isTaskFinished } from '../model/states.js';
import { invalidState } from './errors.js';

export interface DebugPlan {
  debug: DebugSettings;
  transition: NewTransition;
  /** null for breakpoints: settings, not a pause; the op.applied event announces them. */
  event: NewEvent | null;
}

function base(task: TaskRecord, now: number) {
  return { taskId: task.id, stepName: null, at: now };
}

function requireUnfinished(op: 'pause' | 'continue' | 'setBreakpoints', task: TaskRecord): void {
  if (isTaskFinished(task.kind, task.status)) {
    const accepts = task.kind === 'workflow' ? ['pending', 'running', 'waiting'] : ['active', 'waiting'];
    throw invalidState(op, { kind: 'task', name: task.id }, task.status, accepts, 'A finished task has nothing left to debug.');
  }
}

export function planPause(task: TaskRecord, now: number, reason = 'user'): DebugPlan {
  requireUnfinished('pause', task);
  if (task.debug.paused) throw invalidState('pause', { kind: 'task', name: task.id }, `already paused (${task.debug.pauseReason ?? 'user'})`, ['running (not paused)']);
  return {
    debug: { ...task.debug, paused: true, pauseReason: reason },
    transition: { ...base(task, now), field: 'debug', from: 'running', to: 'paused', reason, actor: 'user', details: {} },
    event: { ...base(task, now), type: 'debug.paused', payload: { reason } },
  };
}

/**
 * `atBreakpoints`: the breakpoint names the task stands at now (ready steps, or the flow's current
 * state): they are released once so the task moves on instead of pausing at once again.
 */
export function planContinue(task: TaskRecord, now: number, atBreakpoints: readonly string[]): DebugPlan {
  requireUnfinished('continue', task);
  if (!task.debug.paused) throw invalidState('continue', { kind: 'task', name: task.id }, 'not paused', ['paused']);
  const { pauseReason: _dropped, ...rest } = task.debug;
  const released = [...new Set([...(task.debug.released ?? []), ...atBreakpoints.filter((n) => task.debug.breakpoints.includes(n))])];
  return {
    debug: { ...rest, paused: false, released },
    transition: { ...base(task, now), field: 'debug', from: 'paused', to: 'running', reason: 'continue', actor: 'user', details: { released } },
    event: { ...base(task, now), type: 'debug.resumed', payload: {} },
  };
}

export function planBreakpoints(task: TaskRecord, now: number, names: readonly string[], known: readonly string[]): DebugPlan {
  requireUnfinished('setBreakpoints', task);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw invalidState(
      'setBreakpoints',
      { kind: 'task', name: task.id },
      `without ${unknown.map((n) => `'${n}'`).join(', ')}`,
      known,
      `Breakpoints name ${task.kind === 'workflow' ? 'steps' : 'states'} of the task.`,
    );
  }
  const breakpoints = [...new Set(names)];
  const released = (task.debug.released ?? []).filter((n) => breakpoints.includes(n));
  return {
    debug: { ...task.debug, breakpoints, released },
    transition: {
      ...base(task, now),
      field: 'debug',
      from: JSON.stringify(task.debug.breakpoints),
      to: JSON.stringify(breakpoints),
      reason: 'breakpoints set',
      actor: 'user',
      details: { breakpoints },
    },
    event: null,
  };
}
