/**
 * The public API of the `stepwise-workflows` package: every name is listed on purpose (no
 * `export *`), so an internal helper never becomes API by accident. Tests and the workbench
 * import internals by path; users import from here, `stepwise-workflows/testing` and
 * `stepwise-workflows/testing/setup`. test/unit/package.publicApi.test.ts pins the list.
 */

// Running tasks.
export { createEngine, type Engine, type EngineOptions } from './engine/engine.js';
export { openEngine, type InlineWorkspace, type OpenEngineOptions, type OpenedEngine } from './engine/open.js';
export { systemClock, offsetClock, ManualClock, type Clock, type ClockTimer } from './model/clock.js';

// Defining templates in TypeScript, and the workspace configuration.
export { defineWorkflow, type WorkflowDefinition, type WorkflowStepDefinition } from './template/defineWorkflow.js';
export { defineFlow, type FlowDefinition } from './template/defineFlow.js';
export {
  action,
  decision,
  waitUntil,
  result,
  interaction,
  type ActionDef,
  type DecisionDef,
  type WaitDef,
  type ResultDef,
  type StateDef,
  type BranchDef,
  type FlowData,
  type FlowFn,
  type ConditionFn,
  type InteractionFn,
  type InteractionDefinition,
} from './template/flowBuilders.js';
export type { Duration } from './template/defineCommon.js';
export type { SchemaLike, Infer } from './template/schemaLike.js';
export { defineConfig, loadConfig, type StepwiseConfig } from './template/config.js';

// Logging: the engine, the runner and the host log through a Logger (a pino logger fits).
export { createConsoleLogger, silentLogger, LOG_LEVELS, type Logger, type LogFn, type LogLevel, type ConsoleLoggerOptions } from './model/logger.js';

// Handlers: what they receive and what they may throw.
export type {
  StepContext,
  BatchInputs,
  StepHandler,
  FlowContext,
  ActionHandler,
  ConditionHandler,
  InteractionHandler,
  HandlerLog,
  SubtaskSummary,
} from './model/handlers.js';
export {
  StepwiseError,
  PermanentError,
  RetryableError,
  StaleError,
  NotFoundError,
  IllegalTransitionError,
  toErrorInfo,
  hasCode,
  type ErrorCode,
  type ErrorInfo,
} from './model/errors.js';
export { ConcurrencyLimitError, DuplicateError, SchemaTooNewError } from './storage/errors.js';
export { GraphCycleError } from './template/graph.js';

// Loading and validating templates and workspaces.
export { loadWorkspace, type LoadWorkspaceOptions } from './template/workspace.js';
export { readTemplateFile, readTemplateText, type ReadOptions, type ReadResult } from './template/loadTemplate.js';
export { validateTemplate } from './template/validate.js';
export type { ValidateOptions } from './template/validateCommon.js';
export { createTemplateRegistry, createHandlerRegistry } from './template/registry.js';
export { analyzeWorkflow, type WorkflowAnalysis } from './template/graph.js';
export { formatProblem, type Problem, type ProblemCode, type Severity } from './model/problem.js';
export type { Workspace, WorkspaceConfig, HandlerEntry, ExecutorKind } from './model/workspace.js';
export { parseDuration, formatDuration } from './template/duration.js';

// The model: templates, records, statuses, events.
export {
  templateRef,
  type Template,
  type TemplateKind,
  type TemplateSource,
  type SourceLocation,
  type WorkflowTemplate,
  type StepTemplate,
  type StepType,
  type RetryPolicy,
  type BackoffKind,
  type ConcurrencyLimit,
  type WaitConfig,
  type SubtaskConfig,
  type HandlerRef,
  type FlowTemplate,
  type FlowState,
  type FlowStateType,
  type ActionState,
  type DecisionState,
  type WaitState,
  type ResultState,
  type FlowBranch,
  type InteractionDef,
  type JsonSchema,
} from './model/template.js';
export type {
  Json,
  JsonObject,
  TaskRecord,
  StepRecord,
  AttemptRecord,
  AttemptOutcome,
  TransitionRecord,
  Actor,
  DebugSettings,
  LogLine,
} from './model/runtime.js';
export {
  TASK_STATUSES,
  STEP_STATES,
  isTaskFinished,
  type TaskStatus,
  type ResumableStatus,
  type StepState,
} from './model/states.js';
export { EVENT_TYPES, type StepwiseEvent, type EventType, type EventOf, type EventPayloads } from './model/events.js';

// Storage.
export { openStorage, MemoryStorage, SqliteStorage, type StorageConfig, type SqliteStorageOptions } from './storage/index.js';
export type { Storage, TaskQuery, TaskPage, TransitionQuery, ChangeSet, CommitResult, RecordPatch, Heartbeat } from './storage/storage.js';

// Events: following the log, and node:diagnostics_channel names.
export { followEventBatches, followEvents, type EventFollower, type EventSource, type FollowOptions } from './events/log.js';
export { ALL_EVENTS_CHANNEL, diagnosticsChannelName } from './events/diagnostics.js';

// Safe manual operations, the debugger, history.
export { createOps, type Ops } from './ops/ops.js';
export { createDebugger, type Debugger, type NextStep, type StepResult } from './ops/debugger.js';
export { createHistory, stateAt, type History, type StepAt, type TaskStateAt } from './ops/history.js';
export type { ApplyOptions, Change, OpName, OpRequest, OpResult, Preview } from './ops/types.js';

// Drawing templates and tasks (SVG loads the wasm GraphViz on first use).
export { templateGraph, type TemplateGraph } from './export/graphModel.js';
export { runtimeGraph, type FlowTaskView } from './export/runtimeGraph.js';
export { toDot, type DotOptions } from './export/dot.js';
export { toMermaid, type MermaidOptions } from './export/mermaid.js';
export { toSvg, dotToSvg } from './export/svg.js';

// Insights over attempts.
export { computeInsights, type Insights, type InsightsFilter } from './insights/insights.js';
