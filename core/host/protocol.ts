/**
 * The workbench protocol's vocabulary: the data it carries, beyond the runtime records of
 * core/model (which travel as they are), and — re-exported — every core type the renderer
 * names. The renderer imports core types from this module only (eslint enforces it), so what
 * crosses the wire is listed in one place.
 */
import type { JsonSchema, TemplateKind } from '../model/template.js';
import type { Problem } from '../model/problem.js';
import type { ErrorInfo } from '../model/errors.js';
import type { AttemptRecord, StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import type { TaskStatus } from '../model/states.js';
import { shortTaskId } from '../model/taskId.js';
import { inputSummary } from './taskRows.js';
import { describeUnreadable } from '../storage/rowCodec.js';

export type { AppRouter } from './router.js';
export type { StepwiseEvent } from '../model/events.js';
export type { JsonSchema, TemplateKind } from '../model/template.js';
export type { AttemptRecord, Json, JsonObject, StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
export type { StepState, TaskStatus } from '../model/states.js';
export { shortTaskId } from '../model/taskId.js';
export { normalizeTaskStatus, TASK_STATUSES, workingStatus } from '../model/states.js';
export type { GraphEdgeKind, GraphNode, GraphNodeType, MetaValue, NodeRuntimeState, TemplateGraph } from '../export/graphModel.js';
export type { InteractionView, StepInspect, TaskControls, TimelineAttempt } from './routes/inspectTypes.js';
export type { AppliedOp, OpAvailability } from './routes/ops.js';
export type { BulkFilter, BulkItem, BulkOutcome, BulkPreview, BulkResult, ReasonCount } from './routes/bulk.js';
export type { BulkOp } from './bulkPlan.js';
export type { ResultsSuggestion } from './resultsHint.js';
export type { EditOp, EditorState } from './routes/edit.js';
export type { OpName, OpRequest, Preview } from '../ops/types.js';
export type { TaskStateAt } from '../ops/history.js';
export type { Insights } from '../insights/aggregate.js';
export type { ClusterAnswer } from './routes/cluster.js';
export type { ClusterEngine, EngineHolds, EngineStatus } from '../model/cluster.js';
export type { Heartbeat, HeldFlow, HeldReservation, HeldStep } from '../storage/storage.js';

/** A problem with its file shown relative to the workspace and its one-line rendering. */
export interface ProblemView extends Problem {
  text: string;
}

export interface TemplateSummary {
  ref: string;
  namespace: string;
  name: string;
  version: string;
  kind: TemplateKind;
  description: string | null;
  /** Source file relative to the workspace root; null for inline definitions. */
  file: string | null;
  sourceKind: 'yaml' | 'ts' | 'inline';
  /** Steps (workflow) or states (flow). */
  nodeCount: number;
  /** False when any error-severity problem concerns this template. */
  valid: boolean;
  problems: ProblemView[];
  /** `input_schema` (workflows) or `attributes` (flows): what the Start task form asks. */
  inputSchema: JsonSchema | null;
}

export interface WorkspaceInfo {
  root: string;
  name: string;
  database: string;
  /** Template and handler files, relative to root. */
  files: string[];
  handlers: string[];
  templateCount: number;
  /** Every problem of the workspace, including files that produced no template. */
  problems: ProblemView[];
  lastChange: WorkspaceChange | null;
}

export interface WorkspaceChange {
  /** Counts reloads since the host started. */
  seq: number;
  at: number;
  /** Files whose change caused the reload, relative to root. */
  files: string[];
  templateCount: number;
  problemCount: number;
  /** Set when the reload itself failed; the previous workspace stays in use. */
  error: string | null;
}

export interface TaskSummary {
  id: string;
  /** The end of the id's random tail: tells tasks of one minute apart (core/model/taskId). */
  shortId: string;
  templateRef: string;
  kind: TemplateKind;
  status: TaskStatus;
  currentState: string | null;
  parentTaskId: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  error: ErrorInfo | null;
  /** One line: `order_id 42 · customer_id c-7`. */
  inputSummary: string;
  /** Held by the debugger (Pause, a breakpoint, a Step, started paused): nothing new starts. */
  paused: boolean;
  /** Set when storage could not decode a row of the task: what and where (the task is not run). */
  unreadable?: string;
}

export interface TaskListPage {
  tasks: TaskSummary[];
  nextCursor: string | null;
  /** Tasks matching the filters (with a search: those found among the tasks looked at). */
  total: number;
  /** With a search: the newest tasks looked at, and whether older ones were left unsearched. */
  searched?: { scanned: number; truncated: boolean };
}

export interface TaskDetail {
  task: TaskRecord;
  steps: StepRecord[];
}

export interface StepDetail {
  /** Null for flow states (flows have no step rows). */
  step: StepRecord | null;
  attempts: AttemptRecord[];
  transitions: TransitionRecord[];
}

export function toTaskSummary(task: TaskRecord): TaskSummary {
  return {
    id: task.id,
    shortId: shortTaskId(task.id),
    templateRef: task.templateRef,
    kind: task.kind,
    status: task.status,
    currentState: task.currentState,
    parentTaskId: task.parentTaskId,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    finishedAt: task.finishedAt,
    error: task.error,
    inputSummary: inputSummary(task.input),
    paused: task.debug.paused,
    ...(task.unreadable ? { unreadable: describeUnreadable(task.unreadable) } : {}),
  };
}
