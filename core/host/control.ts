/**
 * The host's write side for the debugger: the safe operations and debugger of core/ops over the
 * host's own engine, and a debug start. A separate, optional part of HostServices so protocol
 * tests without an engine still build services; procedures that need it refuse with a typed
 * error when it is absent.
 */
import { StepwiseError } from '../model/errors.js';
import type { JsonObject, TaskRecord } from '../model/runtime.js';
import type { Engine } from '../engine/engine.js';
import { createDebugger, createOps, type Debugger, type Ops } from '../ops/index.js';
import type { HostServices } from './services.js';

export interface HostControl {
  ops: Ops;
  debugger: Debugger;
  /** Starts a task; `debug: true` starts it paused (the debugger then steps it). */
  start(ref: string, input: JsonObject, options: { debug?: boolean }): Promise<TaskRecord>;
  /** The engine's clock (what operations and timelines compare against). */
  now(): number;
}

export function createHostControl(engine: Engine): HostControl {
  const ops = createOps(engine);
  return {
    ops,
    debugger: createDebugger(engine, ops),
    start: (ref, input, options) => engine.start(ref, input, options.debug ? { debug: true } : {}),
    now: () => engine.context.clock.now(),
  };
}

export function requireControl(services: HostServices): HostControl {
  if (!services.control) {
    throw new StepwiseError('INVALID_STATE', 'This host runs without an engine, so it cannot change tasks. Start it with `stepwise serve`.');
  }
  return services.control;
}
