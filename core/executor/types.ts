/**
 * Executors run handler invocations; the engine decides what runs and records the outcome.
 * An executor only has to call the handler with the context, honour the abort signal (the
 * engine aborts on cancellation and timeout) and report success or failure.
 */
import type { HandlerFn } from '../model/template.js';
import type { Json, JsonObject, LogLine } from '../model/runtime.js';
import type { ExecutorKind } from '../model/workspace.js';
import type { HandlerFailure } from './failure.js';

/** The JSON part of a step handler's context (what crosses to a worker thread). */
export interface StepContextData {
  taskId: string;
  input: JsonObject;
  results: Record<string, Json>;
  step: { name: string; templateStep: string; attempt: number; maxAttempts: number; type: string };
  initialization: Record<string, unknown>;
  batch: Json;
}

export interface HandlerJob {
  handlerName: string;
  /** The function, for in-process executors. */
  fn: HandlerFn;
  /** The module the handler came from (worker threads load it from there). */
  file?: string;
  context: StepContextData;
  signal: AbortSignal;
  onProgress(fraction: number, message?: string): void;
  onLog(line: Omit<LogLine, 'at'>): void;
}

export type JobOutcome =
  | { kind: 'success'; value: Json }
  | { kind: 'failure'; failure: HandlerFailure }
  /** The signal aborted before the handler finished (the engine knows why). */
  | { kind: 'aborted' };

export interface Executor {
  readonly kind: ExecutorKind;
  /** How many handlers may run at once. */
  readonly capacity: number;
  run(job: HandlerJob): Promise<JobOutcome>;
  /** Release threads; running jobs are aborted by the engine before this is called. */
  close(): Promise<void>;
}
