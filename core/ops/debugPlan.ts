/**
 * Pure planning of the debugger's changes (pause, continue, breakpoints), the same for workflows
 * and flows. Pause and continue change the task's status (`paused` and back to the status it
 * works by, core/model/pause.ts) with a `status` transition and its events; breakpoints change
 * settings only (a `debug` transition).
 */
import type { NewEvent } from '../model/events.js';
import type { NewTransition, TaskRecord } from '../model/runtime.js';
import { pausing, resuming } from '../model/pause.js';
import { isTaskFinished } from '../model/states.js';
import { invalidState } from './errors.js';

export interface DebugPlan {
  set: Pick<Partial<TaskRecord>, 'status' | 'debug'>;
  transitions: NewTransition[];
  events: NewEvent[];
}

function base(task: TaskRecord, now: number) {
  return { taskId: task.id, stepName: null, at: now };
}

function requireUnfinished(op: 'pause' | 'continue' | 'setBreakpoints', task: TaskRecord): void {
  if (isTaskFinished(task.kind, task.status)) {
    const accepts = ['pending', 'running', 'paused', 'waiting'];
    throw invalidState(op, { kind: 'task', name: task.id }, task.status, accepts, 'A finished task has nothing left to debug.');
  }
}

/**
 * `reason` `step`: the debugger's step ran something and the task stays paused; only the pause
 * reason changes (a `debug` transition from the old reason), so the bar says why it is paused now.
 */
export function planPause(task: TaskRecord, now: number, reason: 'user' | 'step' = 'user'): DebugPlan {
  requireUnfinished('pause', task);
  if (reason === 'step') {
    if (!task.debug.paused) throw invalidState('pause', { kind: 'task', name: task.id }, 'not paused', ['paused (after a debugger step)']);
    return {
      set: { debug: { ...task.debug, pauseReason: 'step' } },
      transitions: [{ ...base(task, now), field: 'debug', from: task.debug.pauseReason ?? 'paused', to: 'step', reason: 'debugger step', actor: 'user', details: {} }],
      events: [{ ...base(task, now), type: 'debug.paused', payload: { reason: 'step' } }],
    };
  }
  if (task.debug.paused) throw invalidState('pause', { kind: 'task', name: task.id }, `already paused (${task.debug.pauseReason ?? 'user'})`, ['running (not paused)']);
  const next = pausing(task, reason);
  return {
    set: next,
    transitions: [{ ...base(task, now), field: 'status', from: task.status, to: next.status, reason, actor: 'user', details: {} }],
    events: [
      { ...base(task, now), type: 'task.status_changed', payload: { from: task.status, to: next.status, reason } },
      { ...base(task, now), type: 'debug.paused', payload: { reason } },
    ],
  };
}

/**
 * `atBreakpoints`: the breakpoint names the task stands at now (ready steps, or the flow's current
 * state): they are released once so the task moves on instead of pausing at once again.
 */
export function planContinue(task: TaskRecord, now: number, atBreakpoints: readonly string[]): DebugPlan {
  requireUnfinished('continue', task);
  if (!task.debug.paused) throw invalidState('continue', { kind: 'task', name: task.id }, 'not paused', ['paused']);
  const released = [...new Set([...(task.debug.released ?? []), ...atBreakpoints.filter((n) => task.debug.breakpoints.includes(n))])];
  const next = resuming(task);
  return {
    set: { status: next.status, debug: { ...next.debug, released } },
    transitions: [{ ...base(task, now), field: 'status', from: task.status, to: next.status, reason: 'continue', actor: 'user', details: { released } }],
    events: [
      { ...base(task, now), type: 'task.status_changed', payload: { from: task.status, to: next.status, reason: 'continue' } },
      { ...base(task, now), type: 'debug.resumed', payload: {} },
    ],
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
    set: { debug: { ...task.debug, breakpoints, released } },
    transitions: [
      {
        ...base(task, now),
        field: 'debug',
        from: JSON.stringify(task.debug.breakpoints),
        to: JSON.stringify(breakpoints),
        reason: 'breakpoints set',
        actor: 'user',
        details: { breakpoints },
      },
    ],
    // Settings, not a pause: the op.applied event announces them.
    events: [],
  };
}
