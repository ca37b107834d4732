/**
 * Runtime records: what the storage keeps. Times are epoch milliseconds from the injected clock.
 * JSON-valued fields (`input`, `data`, `results`, `details`, `output`) hold plain JSON.
 */
import type { ErrorInfo } from './errors.js';
import type { ResumableStatus, StepState, TaskStatus } from './states.js';
import type { StepType, TemplateKind } from './template.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type Actor = 'engine' | 'runner' | 'user';

export interface DebugSettings {
  paused: boolean;
  /** Why the task is paused: `debug_start`, `user`, `breakpoint:<name>`, `step`. */
  pauseReason?: string;
  /**
   * While the task's status is `paused`: the status it works by and returns to on continue
   * (the engine keeps it current when a debugger step moves the task on).
   */
  resumeStatus?: ResumableStatus;
  breakpoints: string[];
  /**
   * Breakpoints passed once: a `continue` (or debugger step) releases the breakpoints the task is
   * stopped at, so the step runs (or the flow state runs) instead of pausing again. Removed when
   * the released step is claimed / the released flow state runs.
   */
  released?: string[];
}

export interface TaskRecord {
  id: string;
  kind: TemplateKind;
  namespace: string;
  name: string;
  templateVersion: string;
  /** `namespace/name@version` */
  templateRef: string;
  status: TaskStatus;
  input: JsonObject;
  /** Flows: the attributes/data the handlers read and change. Workflows: `{}`. */
  data: JsonObject;
  /** Flows: the current state name. Workflows: null. */
  currentState: string | null;
  parentTaskId: string | null;
  /** Workflows: the `subtask` step of the parent this task completes. */
  parentStepName: string | null;
  idempotencyKey: string | null;
  /** Outside records this task concerns, as `field:value` (flows' `index`). */
  participants: string[];
  error: ErrorInfo | null;
  /** Workflows: results of the leaf steps once complete; flows: null. */
  result: Json;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  wakeAt: number | null;
  timeoutAt: number | null;
  deleteAt: number | null;
  debug: DebugSettings;
  /**
   * Flows: the engine running the current action state's handler, and until when its lease
   * holds (renewed while the handler runs; once expired, any engine may take the flow back).
   * Null while no action runs; always null for workflows (their steps hold the leases).
   */
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  /** Flows: attempts made at the current state since the flow entered it (retries count up). Workflows: 0. */
  stateAttempts: number;
  /** Optimistic concurrency: bumped by every write to this task or any of its steps. */
  version: number;
  /**
   * Set by storage (never written by a patch) when a row of this task could not be decoded: the
   * task is listed with this instead of failing the list, and is neither run nor changed.
   */
  unreadable?: UnreadableRow;
}

/** Where an unreadable stored value is, and why (core/storage/rowCodec.ts). */
export interface UnreadableRow {
  table: string;
  /** The row's id (a task, step or attempt id; an event or transition seq). */
  rowId: string;
  column: string;
  /** The task the row belongs to: it is the task that is marked and no longer run. */
  taskId: string;
  reason: string;
}

export interface StepRecord {
  id: string;
  taskId: string;
  name: string;
  /** The template step this was made from: equals `name` except for dynamic batch workers. */
  templateStep: string;
  type: StepType;
  state: StepState;
  /** Runtime dependencies (dynamic steps add edges the template does not have). */
  dependsOn: string[];
  attempts: number;
  maxAttempts: number;
  retryAt: number | null;
  /** Wait steps: when they complete by time or time out. */
  wakeAt: number | null;
  results: Json;
  /** Batch workers: the batch they process (`ctx.batch`). */
  batch: Json;
  error: ErrorInfo | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  concurrencyKey: string | null;
  progress: { fraction: number; message?: string } | null;
  dynamic: boolean;
  /** Dynamic steps: the step whose handler created them. */
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface TransitionRecord {
  /** Global, monotonically increasing. */
  seq: number;
  taskId: string;
  /** null for a task-level transition (task status or flow state change). */
  stepName: string | null;
  /**
   * `status` for task status, `state` for a step state or a flow's current state, `data` for a flow
   * data change (or a step's results changed by an operation), `debug` for pause/continue/breakpoints,
   * `schedule` for a wake, retry or timeout time moved by an operation (skipWait, wakeNow).
   */
  field: 'status' | 'state' | 'data' | 'debug' | 'schedule';
  from: string | null;
  to: string;
  reason: string;
  actor: Actor;
  at: number;
  details: JsonObject;
}

export type AttemptOutcome = 'success' | 'error' | 'timeout' | 'cancelled' | 'interrupted';

export interface LogLine {
  at: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: JsonObject;
}

export interface AttemptRecord {
  id: string;
  taskId: string;
  /** Workflow step name, or the flow state whose handler ran (interactions: `interaction:<name>`). */
  stepName: string;
  number: number;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  /** null while running. */
  outcome: AttemptOutcome | null;
  error: ErrorInfo | null;
  output: Json;
  logs: LogLine[];
}

export type NewTransition = Omit<TransitionRecord, 'seq'>;
