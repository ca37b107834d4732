/**
 * `defineWorkflow`: a workflow template in TypeScript. Produces exactly the model a YAML
 * workflow produces; a step given a handler function gets an inline handler named after it.
 */
import type { StepHandler } from '../model/handlers.js';
import {
  DEFAULT_BATCH_CONFIG,
  DEFAULT_RETRY,
  type BatchConfig,
  STEP_TYPES,
  type ConcurrencyLimit,
  type RetryPolicy,
  type StepTemplate,
  type StepType,
  type SubtaskConfig,
  type WorkflowTemplate,
} from '../model/template.js';
import { captureCallSite } from './callSite.js';
import { DefinitionBuilder, defined, type Duration } from './defineCommon.js';
import { recordSites } from './definitionSites.js';
import { DEFAULT_NAMESPACE, DEFAULT_VERSION } from './readHeader.js';
import { toJsonSchema, type SchemaLike } from './schemaLike.js';

export interface WorkflowStepDefinition<N extends string> {
  name: N;
  type?: StepType;
  description?: string;
  /**
   * A handler name, a function (registered inline as `<step name>`), or tasker-core's
   * `{ callable, method, initialization }` (`method`: the method of an object or class handler).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler?: string | StepHandler<any> | { callable: string; method?: string; initialization?: Record<string, unknown> };
  /** `ctx.initialization` when the handler is a name or a function. */
  initialization?: Record<string, unknown>;
  dependsOn?: readonly NoInfer<N>[];
  retry?: Partial<RetryPolicy>;
  timeout?: Duration;
  concurrency?: ConcurrencyLimit;
  wait?: { duration?: Duration; timeout?: Duration };
  subtask?: SubtaskConfig;
  /** Batch steps: tasker-core's batch_config (defaults: batch size 1000, parallelism 10, cursor field `id`, continue_on_failure). */
  batchConfig?: Partial<BatchConfig> & { workerTemplate: NoInfer<N> };
  /** JSON Schema of the handler's results, for documentation. */
  resultSchema?: SchemaLike;
}

export interface WorkflowDefinition<N extends string> {
  name: string;
  namespace?: string;
  version?: string;
  description?: string;
  /** Input of a task: a zod schema or a JSON Schema; a bad input is refused before anything is stored. */
  inputSchema?: SchemaLike;
  deleteAfter?: Duration;
  steps: readonly WorkflowStepDefinition<N>[];
}

export function defineWorkflow<const N extends string>(def: WorkflowDefinition<N>): WorkflowTemplate {
  const b = new DefinitionBuilder(`workflow \`${String(def.name)}\``, captureCallSite());
  if (typeof def.name !== 'string' || def.name === '') b.fail('MISSING_FIELD', 'a workflow needs a name');
  const template: WorkflowTemplate = {
    kind: 'workflow',
    namespace: def.namespace ?? DEFAULT_NAMESPACE,
    name: def.name,
    version: def.version ?? DEFAULT_VERSION,
    source: { kind: 'ts' },
    steps: b
      .list<WorkflowStepDefinition<string>>(def.steps, 'steps')
      .filter((s, i) => b.isObject(s, `step ${i + 1}`))
      .map((s) => b.within(typeof s.name === 'string' ? s.name : undefined, undefined, () => toStep(b, s))),
    ...defined({
      description: def.description,
      inputSchema: def.inputSchema === undefined ? undefined : toJsonSchema(def.inputSchema),
      deleteAfterMs: b.duration(def.deleteAfter, 'deleteAfter'),
    }),
    ...b.inline(),
  };
  b.finish();
  // Steps are plain objects, not builder calls: the loader finds them in the source text.
  recordSites(template, { ...(b.site ? { template: b.site } : {}), nodes: [], interactions: [] });
  return template;
}

function toStep(b: DefinitionBuilder, s: WorkflowStepDefinition<string>): StepTemplate {
  const what = `step \`${String(s.name)}\``;
  if (typeof s.name !== 'string' || s.name === '') b.fail('MISSING_FIELD', `${what}: a step needs a name (a non-empty string)`);
  let type: StepType = s.type ?? (s.wait ? 'wait' : s.subtask ? 'subtask' : 'standard');
  if (!STEP_TYPES.includes(type)) {
    b.fail('BAD_STEP_TYPE', `${what}: unknown step type \`${String(type)}\` (use one of ${STEP_TYPES.join(', ')})`);
    type = 'standard';
  }
  const retry = { ...DEFAULT_RETRY, ...s.retry };
  // tasker-core's max_attempts: 0 runs the first attempt and never retries: the same as 1.
  if (typeof retry.maxAttempts === 'number' && retry.maxAttempts < 1) retry.maxAttempts = 1;
  const step: StepTemplate = { name: s.name, type, dependsOn: b.names(s.dependsOn, `${what} dependsOn`), retry };
  if (s.handler !== undefined) {
    step.handler =
      typeof s.handler === 'object' && s.handler !== null
        ? { callable: s.handler.callable, initialization: { ...s.handler.initialization }, ...(s.handler.method !== undefined ? { method: s.handler.method } : {}) }
        : { callable: b.handler(s.handler, s.name, what), initialization: { ...s.initialization } };
  } else if (type !== 'wait' && type !== 'subtask') {
    b.fail('MISSING_FIELD', `${what} has no handler`);
  }
  if (s.wait) {
    step.wait = defined({ durationMs: b.duration(s.wait.duration, `${what} wait.duration`), timeoutMs: b.duration(s.wait.timeout, `${what} wait.timeout`) });
  }
  Object.assign(
    step,
    defined({
      description: s.description,
      timeoutMs: b.duration(s.timeout, `${what} timeout`),
      concurrency: s.concurrency ? { ...s.concurrency } : undefined,
      subtask: s.subtask ? { ...s.subtask } : undefined,
      batchConfig: s.batchConfig ? { ...DEFAULT_BATCH_CONFIG, ...s.batchConfig } : undefined,
      resultSchema: s.resultSchema === undefined ? undefined : toJsonSchema(s.resultSchema),
    }),
  );
  return step;
}
