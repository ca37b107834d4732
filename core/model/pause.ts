/**
 * The debugger's pause as a task status, the same for workflows and flows. PURE.
 * A paused task's stored status is `paused`; `debug.resumeStatus` is the status it works by
 * meanwhile (the engine keeps it current when a debugger step moves the task on) and returns to
 * on continue. A task that finishes while paused takes its finished status (`debug.paused` stays
 * set, so a retry brings it back paused).
 */
import type { DebugSettings, TaskRecord } from './runtime.js';
import { isTaskFinished, workingStatus, type ResumableStatus, type TaskStatus } from './states.js';

type Held = Pick<TaskRecord, 'kind' | 'status' | 'debug'>;

export interface StatusAndDebug {
  status: TaskStatus;
  debug: DebugSettings;
}

/** The task once paused for `reason` (`debug_start`, `user`, `breakpoint:<name>`, `step`). */
export function pausing(task: Held, reason: string): StatusAndDebug {
  const works = workingStatus(task);
  const debug: DebugSettings = { ...task.debug, paused: true, pauseReason: reason };
  if (isTaskFinished(task.kind, works)) return { status: works, debug: withoutResume(debug) };
  return { status: 'paused', debug: { ...debug, resumeStatus: works as ResumableStatus } };
}

/** The task once continued: back to the status it works by, pause reason and resume status dropped. */
export function resuming(task: Held): StatusAndDebug {
  const { pauseReason: _reason, ...rest } = task.debug;
  return { status: workingStatus(task), debug: { ...withoutResume(rest), paused: false } };
}

/**
 * What to store when the engine moves a task to `to`: a task the debugger holds stays (or
 * becomes) `paused` and resumes to `to` unless `to` finishes it. `null` debug: unchanged.
 */
export function held(task: Held, to: TaskStatus): { status: TaskStatus; debug: DebugSettings | null } {
  if (to === 'paused') return { status: to, debug: null };
  if (!task.debug.paused || isTaskFinished(task.kind, to)) {
    return { status: to, debug: task.debug.resumeStatus !== undefined ? withoutResume(task.debug) : null };
  }
  const resumeStatus = to as ResumableStatus;
  return { status: 'paused', debug: task.debug.resumeStatus === resumeStatus ? null : { ...task.debug, resumeStatus } };
}

function withoutResume(debug: DebugSettings): DebugSettings {
  const { resumeStatus: _dropped, ...rest } = debug;
  return rest;
}
