/**
 * Debugger breakpoints, one model for both kinds of task. A breakpoint names a workflow step (or
 * the template step of batch workers) or a flow state; the settings are planned by core/ops
 * (pause, continue, setBreakpoints, the debugger's step). The engine honours them before it runs
 * what a breakpoint names: the task pauses there, unless `continue` released that breakpoint
 * once; running it uses the release up. The workflow planners record the pause on their Draft,
 * the flow planners in their flow commit; both take the settings from here.
 */
import type { DebugSettings, StepRecord } from '../../model/runtime.js';
import type { Draft } from './draft.js';

/** The breakpoint `names` stand at (the first set one), or null: none, or released by `continue`. */
export function breakpointAt(debug: DebugSettings, names: readonly string[]): string | null {
  if (debug.breakpoints.length === 0) return null;
  const hit = names.find((n) => debug.breakpoints.includes(n));
  if (hit === undefined || (debug.released ?? []).includes(hit)) return null;
  return hit;
}

/**
 * The settings once the task pauses at `breakpoint` (reason `breakpoint:<name>`). Pausing there
 * anew drops a release of it left from before: the task stops at it again next time.
 */
export function pausedAt(debug: DebugSettings, breakpoint: string): { debug: DebugSettings; reason: string } {
  const reason = `breakpoint:${breakpoint}`;
  const next: DebugSettings = { ...debug, paused: true, pauseReason: reason };
  if (debug.released?.includes(breakpoint)) next.released = debug.released.filter((n) => n !== breakpoint);
  return { debug: next, reason };
}

/** The settings once what `names` name runs (a release of it is used up), or null when none was released. */
export function releaseUsed(debug: DebugSettings, names: readonly string[]): DebugSettings | null {
  const released = debug.released ?? [];
  if (!released.some((n) => names.includes(n))) return null;
  return { ...debug, released: released.filter((n) => !names.includes(n)) };
}

/** The names a workflow step answers to as a breakpoint. */
const stepNames = (step: Pick<StepRecord, 'name' | 'templateStep'>): string[] => [step.name, step.templateStep];

/** The breakpoint workflow step `step` stands at, or null. */
export function stepBreakpoint(task: { debug: DebugSettings }, step: Pick<StepRecord, 'name' | 'templateStep'>): string | null {
  return breakpointAt(task.debug, stepNames(step));
}

/** Pause the workflow task before step `name` runs, at breakpoint `breakpoint` (recorded and announced). */
export function planBreakpointPause(d: Draft, name: string, breakpoint: string): void {
  if (d.task.debug.paused) return;
  const step = d.step(name);
  if (!step || step.state !== 'ready' || stepBreakpoint(d.task, step) !== breakpoint) return;
  const paused = pausedAt(d.task.debug, breakpoint);
  d.pauseTask(paused.debug, paused.reason, name, { step: name });
}

/** The workflow step starts: a release of its breakpoint is used up. */
export function consumeRelease(d: Draft, step: Pick<StepRecord, 'name' | 'templateStep'>): void {
  const debug = releaseUsed(d.task.debug, stepNames(step));
  if (debug) d.patchTask({ debug });
}
