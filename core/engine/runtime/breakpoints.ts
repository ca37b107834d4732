/**
 * Debugger breakpoints on workflow steps (the settings are planned by core/ops: pause, continue,
 * setBreakpoints). The engine honours them when it is about to start a step: a task pauses before
 * a step whose name (or template step, for batch workers) is a breakpoint, unless `continue`
 * released that breakpoint once; starting the step consumes the release.
 */
import type { DebugSettings, StepRecord, TaskRecord } from '../../model/runtime.js';
import type { Draft } from './draft.js';

type Debug = DebugSettings & { released?: string[] };

/** The breakpoint `step` stands at, or null (none, or released by `continue`). */
export function stepBreakpoint(task: Pick<TaskRecord, 'debug'>, step: Pick<StepRecord, 'name' | 'templateStep'>): string | null {
  const debug = task.debug as Debug;
  if (debug.breakpoints.length === 0) return null;
  const hit = [step.name, step.templateStep].find((n) => debug.breakpoints.includes(n));
  if (hit === undefined || (debug.released ?? []).includes(hit)) return null;
  return hit;
}

/** Pause the task before `name` runs, at breakpoint `breakpoint` (recorded and announced). */
export function planBreakpointPause(d: Draft, name: string, breakpoint: string): void {
  const debug = d.task.debug as Debug;
  if (debug.paused) return;
  const step = d.step(name);
  if (!step || step.state !== 'ready' || stepBreakpoint(d.task, step) !== breakpoint) return;
  const reason = `breakpoint:${breakpoint}`;
  d.patchTask({ debug: { ...debug, paused: true, pauseReason: reason } });
  d.taskTransition('debug', 'running', 'paused', reason, { step: name });
  d.event('debug.paused', name, { reason });
}

/** The step starts: a release of its breakpoint is used up. */
export function consumeRelease(d: Draft, step: Pick<StepRecord, 'name' | 'templateStep'>): void {
  const debug = d.task.debug as Debug;
  const released = debug.released ?? [];
  const used = released.filter((n) => n === step.name || n === step.templateStep);
  if (used.length === 0) return;
  d.patchTask({ debug: { ...debug, released: released.filter((n) => !used.includes(n)) } as Debug });
}
