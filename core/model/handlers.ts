/**
 * What a handler receives and may return. Handlers are plain (async) functions; the workspace's
 * handler modules map names to them (default export object, plus named function exports).
 */
import type { Json, JsonObject, LogLine } from './runtime.js';
import type { BatchFailureStrategy } from './template.js';

export interface HandlerLog {
  debug(message: string, fields?: JsonObject): void;
  info(message: string, fields?: JsonObject): void;
  warn(message: string, fields?: JsonObject): void;
  error(message: string, fields?: JsonObject): void;
}

/** Context of a workflow step handler. */
export interface StepContext<Input = JsonObject> {
  taskId: string;
  input: Input;
  /** Results of the step's dependencies, by step name (`null` for a skipped one). */
  results: Record<string, Json>;
  /**
   * Results of every step this one depends on, directly or not, by step name (`null` for a
   * skipped one): what tasker-core's handlers read as their dependency results.
   */
  ancestors: Record<string, Json>;
  step: { name: string; templateStep: string; attempt: number; maxAttempts: number; type: string };
  /** The template's `handler.initialization`. */
  initialization: Record<string, unknown>;
  /** Batch workers: the batch this worker processes. */
  batch: Json;
  /** Batch workers: tasker-core's worker inputs (cursor, batch_metadata, is_no_op); null for other steps. */
  batchInputs: BatchInputs | null;
  /** Aborted on cancellation and on timeout: pass it to fetch() and friends. */
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log: HandlerLog;
}

/** tasker-core's `BatchWorkerInputs`, with its snake_case keys, so ported handlers read the same fields. */
export interface BatchInputs {
  /** The range this worker processes (the placeholder of `no_batches`: batch_id '000', 0..0, size 0). */
  cursor: { batch_id: string; start_cursor: Json; end_cursor: Json; batch_size: number };
  /** From the worker template's batch_config (tasker-core's defaults when it has none). */
  batch_metadata: { cursor_field: string; failure_strategy: BatchFailureStrategy };
  /** The one placeholder worker of a tasker-core `no_batches` outcome: there is nothing to process; return at once. */
  is_no_op: boolean;
}

/**
 * Return values by step type:
 * - standard, deferred_convergence, batch_worker, subtask: any JSON → the step's results.
 * - decision: `{ proceed: string | string[], ...results }`, or a bare string / string[] naming
 *   the dependents that proceed (every other dependent is skipped); or tasker-core's
 *   `{ decision_point_outcome: { type: 'create_steps', step_names } | { type: 'no_branches' } }`.
 * - batchable: `{ batches: Json[], ...results }`, or a bare array of batches; or tasker-core's
 *   `{ batch_processing_outcome: { type: 'create_batches', worker_template_name, cursor_configs, ... } | { type: 'no_batches' } }`.
 * - subtask (optional handler): `{ input: JsonObject }` overrides the child's input.
 */
export type StepHandler<Input = JsonObject> = (ctx: StepContext<Input>) => unknown | Promise<unknown>;

/** Context of a flow handler (action, condition, interaction, on_timeout). */
export interface FlowContext<Data extends JsonObject = JsonObject> {
  taskId: string;
  /** The flow's data: read it and change it in place; changes are saved after the handler. */
  data: Data;
  /** The state being run. */
  state: string;
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log: HandlerLog;
  /** Start a child task (workflow or flow) linked to this one; it runs in the background. */
  startSubtask(template: string, input?: JsonObject): Promise<{ id: string }>;
  subtasks(): Promise<SubtaskSummary[]>;
  activeSubtasks(): Promise<SubtaskSummary[]>;
  completedSubtasks(): Promise<SubtaskSummary[]>;
  failedSubtasks(): Promise<SubtaskSummary[]>;
}

export interface SubtaskSummary {
  id: string;
  templateRef: string;
  status: string;
  result: Json;
  data: JsonObject;
}

/** Action: may return the name of one of its declared `go_to` targets. */
export type ActionHandler<Data extends JsonObject = JsonObject> = (ctx: FlowContext<Data>) => unknown;
/** Condition of a decision or wait branch. */
export type ConditionHandler<Data extends JsonObject = JsonObject> = (ctx: FlowContext<Data>) => boolean | Promise<boolean>;
/** Interaction body: receives validated params. */
export type InteractionHandler<Data extends JsonObject = JsonObject, Params = JsonObject> = (
  ctx: FlowContext<Data>,
  params: Params,
) => unknown;

export type { LogLine };
