/**
 * The typed template model. YAML files and TypeScript definitions (`defineWorkflow`,
 * `defineFlow`) both produce these objects; everything downstream (validation, graph analysis,
 * export, the engine, the workbench) reads only this model, never raw YAML.
 * Field names are camelCase; the YAML loader maps tasker-core's snake_case names onto them.
 */

/** A 1-based position in a source file. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export type JsonSchema = Record<string, unknown>;

export interface HandlerRef {
  /** Name looked up in the workspace's handler registry (tasker-core: `handler.callable`). */
  callable: string;
  /** Static configuration passed to the handler as `ctx.initialization`. */
  initialization: Record<string, unknown>;
  /**
   * tasker-core `handler.method`: the method called on a handler exported as an object or a class
   * (absent: `call`; a plain function is called as it is).
   */
  method?: string;
}

export type BackoffKind = 'exponential' | 'linear' | 'fixed' | 'none';

export interface RetryPolicy {
  retryable: boolean;
  /** Total attempts including the first one, at least 1 (tasker-core's `max_attempts: 0` reads as 1: the first attempt always runs). */
  maxAttempts: number;
  backoff: BackoffKind;
  backoffBaseMs: number;
  maxBackoffMs: number;
  /** Randomise each delay (full jitter between 50% and 100% of the computed delay). */
  jitter: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retryable: true,
  maxAttempts: 3,
  backoff: 'exponential',
  backoffBaseMs: 1000,
  maxBackoffMs: 30_000,
  jitter: true,
};

export type StepType =
  | 'standard'
  | 'decision'
  | 'deferred_convergence'
  | 'batchable'
  | 'batch_worker'
  | 'wait'
  | 'subtask';

export const STEP_TYPES: readonly StepType[] = [
  'standard',
  'decision',
  'deferred_convergence',
  'batchable',
  'batch_worker',
  'wait',
  'subtask',
];

export interface ConcurrencyLimit {
  /** Mustache-like template rendered against `{ input, task, step }`, e.g. "{{ input.customer_id }}". */
  key: string;
  limit: number;
}

export interface WaitConfig {
  /** Fixed delay after the step becomes ready, after which it completes by itself. */
  durationMs?: number;
  /** How long to wait for a signal before the step goes to `error` with TIMEOUT. */
  timeoutMs?: number;
}

export interface SubtaskConfig {
  /** Template reference of the child: `namespace/name`, `name` or `namespace/name@version`. */
  template: string;
  /** Static input merged under the parent's handler-produced input (if any). */
  input?: Record<string, unknown>;
}

/** What happens when a batch worker fails for good (tasker-core's three strategies). */
export type BatchFailureStrategy = 'continue_on_failure' | 'fail_fast' | 'isolate';
export const BATCH_FAILURE_STRATEGIES: readonly BatchFailureStrategy[] = ['continue_on_failure', 'fail_fast', 'isolate'];

/** tasker-core `batch_config`: how a batchable step's work is split and its workers run. */
export interface BatchConfig {
  /** Items per batch (1..100000; default 1000): the batch size a handler is told about. */
  batchSize: number;
  /** At most this many workers of one batchable step run at once (1..1000; default 10). */
  parallelism: number;
  /** The field a worker's cursor ranges over (default `id`). */
  cursorField: string;
  /** The `batch_worker` step the workers are created from. */
  workerTemplate: string;
  failureStrategy: BatchFailureStrategy;
}

export const DEFAULT_BATCH_CONFIG: Omit<BatchConfig, 'workerTemplate'> = {
  batchSize: 1000,
  parallelism: 10,
  cursorField: 'id',
  failureStrategy: 'continue_on_failure',
};

export interface StepTemplate {
  name: string;
  type: StepType;
  description?: string;
  /** Absent only for `wait` steps and `subtask` steps without an input-building handler. */
  handler?: HandlerRef;
  dependsOn: string[];
  retry: RetryPolicy;
  timeoutMs?: number;
  concurrency?: ConcurrencyLimit;
  wait?: WaitConfig;
  subtask?: SubtaskConfig;
  /** batchable and batch_worker steps (tasker-core puts it on the worker, its docs on the batchable). */
  batchConfig?: BatchConfig;
  /** tasker-core `result_schema`: documents the handler's results; Stepwise does not check them against it. */
  resultSchema?: JsonSchema;
  loc?: SourceLocation;
  /** Positions of individual fields (e.g. `dependsOn.1`, `handler`), for precise problems. */
  fieldLocs?: Record<string, SourceLocation>;
}

/** One tasker-core environment override of a step, or of every step (`name: ALL`). */
export interface StepOverride {
  name: string;
  timeoutMs?: number;
  /** Replaces the step's whole retry policy (tasker-core's semantics: fields not given take the defaults). */
  retry?: RetryPolicy;
  /** Merged over the step's own `handler.initialization`. */
  initialization?: Record<string, unknown>;
  loc?: SourceLocation;
}

export interface TemplateSource {
  kind: 'yaml' | 'ts' | 'inline';
  file?: string;
}

export interface TemplateBase {
  namespace: string;
  name: string;
  version: string;
  description?: string;
  source: TemplateSource;
  loc?: SourceLocation;
  fieldLocs?: Record<string, SourceLocation>;
  /** Delete finished tasks this long after they finish. */
  deleteAfterMs?: number;
  /**
   * Handlers defined inline in TypeScript templates (`defineWorkflow`/`defineFlow` given
   * functions): registered under generated names that the template's handler refs use.
   */
  inlineHandlers?: Record<string, HandlerFn>;
}

export interface WorkflowTemplate extends TemplateBase {
  kind: 'workflow';
  inputSchema?: JsonSchema;
  steps: StepTemplate[];
  /** tasker-core `environments:` step overrides by environment; already applied when an env was chosen. */
  environments?: Record<string, StepOverride[]>;
}

/** One branch of a decision or wait: the first branch whose condition evaluates to `expect` wins. */
export interface FlowBranch {
  /** Handler name of the condition; null means "always" (an unconditional go_to in a wait). */
  condition: string | null;
  expect: boolean;
  goTo: string;
  label?: string;
  loc?: SourceLocation;
}

export interface FlowStateBase {
  name: string;
  description?: string;
  loc?: SourceLocation;
  fieldLocs?: Record<string, SourceLocation>;
}

export interface ActionState extends FlowStateBase {
  type: 'action';
  handler: string;
  /** Declared targets. With one, the flow goes there; with several, the handler returns one. */
  goTo: string[];
  /** Abort the handler after this long; the attempt fails with TIMEOUT (retried when `retry` allows). */
  timeoutMs?: number;
  /**
   * Retries of a failed attempt (the workflow steps' block). Without it a failed action fails
   * the flow at once; an attempt whose engine died is run again up to DEFAULT_RETRY.maxAttempts times.
   */
  retry?: RetryPolicy;
}

export interface DecisionState extends FlowStateBase {
  type: 'decision';
  /** `boolean` when written with if_true/if_false, `ordered` when written as a conditions list. */
  form: 'boolean' | 'ordered';
  branches: FlowBranch[];
}

export interface WaitState extends FlowStateBase {
  type: 'wait';
  branches: FlowBranch[];
}

export interface ResultState extends FlowStateBase {
  type: 'result';
}

export type FlowState = ActionState | DecisionState | WaitState | ResultState;
export type FlowStateType = FlowState['type'];
export const FLOW_STATE_TYPES: readonly FlowStateType[] = ['action', 'decision', 'wait', 'result'];

export interface InteractionDef {
  name: string;
  /** States in which it may be called; empty means any state. */
  when: string[];
  handler: string;
  params?: JsonSchema;
  description?: string;
  loc?: SourceLocation;
  fieldLocs?: Record<string, SourceLocation>;
}

export interface FlowTemplate extends TemplateBase {
  kind: 'flow';
  attributesSchema?: JsonSchema;
  /** The first state; `start` when the template names none (the operations gem's default). */
  startsWith: string;
  timeoutMs?: number;
  /** How long a waiting flow sleeps before it is checked again. */
  delayMs: number;
  /** A declared state to go to, or a handler name to run, when a waiting flow times out. */
  onTimeout?: string;
  states: FlowState[];
  interactions: InteractionDef[];
  /** Data fields that name outside records this flow concerns (participants), e.g. `user_id`. */
  index?: string[];
}

export const DEFAULT_FLOW_DELAY_MS = 60_000;
/** Where a flow without `starts_with` starts (the operations gem's `initial_state`). */
export const DEFAULT_START_STATE = 'start';

export type Template = WorkflowTemplate | FlowTemplate;
export type TemplateKind = Template['kind'];

/** `namespace/name@version` */
export function templateRef(t: Pick<TemplateBase, 'namespace' | 'name' | 'version'>): string {
  return `${t.namespace}/${t.name}@${t.version}`;
}

/** Any handler function; the engine narrows the context per kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HandlerFn = (ctx: any, ...rest: any[]) => unknown;
