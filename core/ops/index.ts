/**
 * Safe manual operations, debugger control and history. Every caller (the workbench host, the
 * CLI, users' scripts) changes tasks through these:
 *
 *   const ops = createOps(engine);
 *   const preview = await ops.preview({ op: 'retryStep', taskId, step: 'charge' });
 *   await ops.apply({ op: 'retryStep', taskId, step: 'charge' }, { expectedVersion: preview.version, reason: 'gateway back' });
 *
 *   const dbg = createDebugger(engine, ops);   // pause, continue, step, setBreakpoints, skipWait
 *   const then = await stateAt(storage, taskId, seq);   // or createHistory(storage).stateAt for scrubbing
 */
export { createOps, type Ops } from './ops.js';
export { createDebugger, type Debugger, type NextStep, type StepResult } from './debugger.js';
export { createHistory, stateAt, type History, type StepAt, type TaskStateAt } from './history.js';
export type { ApplyOptions, Change, OpName, OpRequest, OpResult, Preview } from './types.js';
