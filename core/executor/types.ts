/**
 * Executors run handler invocations; the engine decides what runs and records the outcome.
 * An executor only has to call the handler with the context, honour the abort signal (the
 * engine aborts on cancellation and timeout) and report success or failure.
 *
 * A job is one handler invocation of one of two kinds:
 * - `step`: a workflow step attempt (the handler gets a StepContext; its return value is the
 *   step's results);
 * - `flow`: a flow handler (an action, an on_timeout handler, an interaction or a condition; the
 *   handler gets a FlowContext whose `data` it may change in place; the data after the handler
 *   comes back with the outcome).
 * Everything in `context` (and `params`) is JSON and a private copy: an executor may hand it to
 * the handler as it is, or send it to another thread or process.
 */
import type { HandlerFn } from '../model/template.js';
import type { BatchInputs, SubtaskSummary } from '../model/handlers.js';
import type { Json, JsonObject, LogLine } from '../model/runtime.js';
import type { ExecutorKind } from '../model/workspace.js';
import type { HandlerFailure } from './failure.js';

/** The JSON part of a step handler's context (what crosses to a worker thread). */
export interface StepContextData {
  taskId: string;
  input: JsonObject;
  results: Record<string, Json>;
  /** Every ancestor's results (the engine always sends them; absent in a hand-built job: none). */
  ancestors?: Record<string, Json>;
  step: { name: string; templateStep: string; attempt: number; maxAttempts: number; type: string };
  initialization: Record<string, unknown>;
  batch: Json;
  /** Batch workers' tasker-core inputs (absent: not a worker of a tasker-core batch outcome). */
  batchInputs?: BatchInputs | null;
}

/** The JSON part of a flow handler's context. */
export interface FlowContextData {
  taskId: string;
  /** The state being run (an interaction: the state the flow stands in). */
  state: string;
  /** The flow's data. The handler changes it in place; the outcome carries it back. */
  data: JsonObject;
  /** This attempt's number within the state (1-based) and how many the state allows. */
  attempt: { number: number; maxAttempts: number };
}

/**
 * What a flow handler's `ctx.startSubtask` / `ctx.subtasks` call: the engine's own functions.
 * An executor that runs the handler in another thread or process proxies these calls back.
 */
export interface SubtaskApi {
  start(template: string, input?: JsonObject): Promise<{ id: string }>;
  list(): Promise<SubtaskSummary[]>;
}

interface JobBase {
  handlerName: string;
  /** tasker-core `handler.method`: the method of an object or class handler to call (default `call`); `fn` is already bound to it. */
  method?: string;
  /** The function, for in-process executors. */
  fn: HandlerFn;
  /** The module the handler came from (executors that isolate handlers load it from there). */
  file?: string;
  /**
   * Aborted on cancellation and timeout. The engine makes it when it is first read (a getter):
   * most handlers never look at it, and an AbortController per attempt was a tenth of a no-op
   * step's dispatch. Read `aborted()` to ask without making it.
   */
  readonly signal: AbortSignal;
  /** Whether the job is aborted, without making `signal` (absent: read `signal.aborted`). */
  aborted?(): boolean;
  onProgress(fraction: number, message?: string): void;
  onLog(line: Omit<LogLine, 'at'>): void;
}

/** A workflow step attempt. */
export interface StepJob extends JobBase {
  kind: 'step';
  context: StepContextData;
  /**
   * `context.ancestors` when the handler asks (a private copy), if the context has none: every
   * ancestor's results are O(depth) to gather and copy, and most handlers never read them. An
   * executor that sends the context elsewhere puts them in it (`withAncestors`).
   */
  ancestors?: () => Record<string, Json>;
}

/** A step job's context with its ancestors in it (for executors that send it to a thread or process). */
export function withAncestors(job: StepJob): StepContextData {
  return job.context.ancestors === undefined && job.ancestors ? { ...job.context, ancestors: job.ancestors() } : job.context;
}

/** Which flow handler a flow job runs. */
export type FlowRole = 'action' | 'on_timeout' | 'interaction' | 'condition';

/** One flow handler invocation. */
export interface FlowJob extends JobBase {
  kind: 'flow';
  role: FlowRole;
  context: FlowContextData;
  /** An interaction's validated params: the handler's second argument. */
  params?: JsonObject;
  subtasks: SubtaskApi;
}

export type Job = StepJob | FlowJob;

export type JobOutcome =
  /**
   * `value`: a step's results (JSON, checked), or a flow handler's return value as JSON (null
   * when it is not JSON: an action's choice is a string). `data`: flow jobs only, the flow's
   * data after the handler (a JSON object; a handler that left something else fails instead).
   */
  | { kind: 'success'; value: Json; data?: JsonObject; /** JSON.stringify(data), when the executor has it. */ dataText?: string }
  | { kind: 'failure'; failure: HandlerFailure }
  /** The signal aborted before the handler finished (the engine knows why). */
  | { kind: 'aborted' };

/** Whether `job` is aborted, without making a lazily made signal. */
export function jobAborted(job: Job): boolean {
  return job.aborted ? job.aborted() : job.signal.aborted;
}

export interface Executor {
  readonly kind: ExecutorKind;
  /** How many handlers may run at once (the engine never dispatches more step or action jobs). */
  readonly capacity: number;
  /**
   * The outcome, or a promise of it. An in-process executor answers a handler that returned a
   * plain value (or threw) at once: the engine records it without a promise in between.
   */
  run(job: Job): Promise<JobOutcome> | JobOutcome;
  /** The workspace's modules changed: later jobs load them afresh (executors that cache modules). */
  refresh?(): void;
  /** Release threads; running jobs are aborted by the engine before this is called. */
  close(): Promise<void>;
}
