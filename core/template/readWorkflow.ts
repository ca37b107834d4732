/**
 * YAML workflow template → WorkflowTemplate. Accepts tasker-core task templates as they are:
 * `namespace_name`, `dependencies`, `handler: {callable, initialization}`, `retry`,
 * `timeout_seconds`, `environments`; tasker-core fields Stepwise does not use are ignored.
 */
import {
  DEFAULT_RETRY,
  STEP_TYPES,
  type BackoffKind,
  type HandlerRef,
  type RetryPolicy,
  type SourceLocation,
  type StepTemplate,
  type StepType,
  type WorkflowTemplate,
} from '../model/template.js';
import { MapReader, type ReadContext } from './mapReader.js';
import { suggestion } from './problems.js';
import type { TemplateHeader } from './readHeader.js';

const WORKFLOW_FIELDS = ['kind', 'name', 'namespace', 'namespace_name', 'version', 'description', 'input_schema', 'steps', 'environments', 'delete_after'];
/** tasker-core (and older Tasker) template fields that carry nothing Stepwise runs. */
export const TASKER_TEMPLATE_FIELDS = ['metadata', 'task_handler', 'system_dependencies', 'domain_events', 'lifecycle', 'module_namespace', 'task_handler_class', 'default_dependent_system', 'named_steps'];
const STEP_FIELDS = ['name', 'description', 'type', 'step_type', 'handler', 'depends_on', 'dependencies', 'retry', 'timeout_seconds', 'timeout', 'concurrency', 'wait', 'subtask'];
const TASKER_STEP_FIELDS = ['system_dependency', 'publishes_events', 'batch_config', 'result_schema'];
const RETRY_FIELDS = ['retryable', 'max_attempts', 'backoff', 'backoff_base_ms', 'max_backoff_ms', 'jitter'];
const BACKOFFS: readonly BackoffKind[] = ['exponential', 'linear', 'fixed', 'none'];

export function readWorkflow(r: MapReader, header: TemplateHeader): WorkflowTemplate {
  r.checkKeys(WORKFLOW_FIELDS, TASKER_TEMPLATE_FIELDS);
  const t: WorkflowTemplate = { kind: 'workflow', ...header, steps: [] };
  const inputSchema = r.plainObject('input_schema', '{ type: object, properties: { ... } }');
  if (inputSchema) {
    t.inputSchema = inputSchema;
    t.fieldLocs!.inputSchema = r.loc('input_schema');
  }
  const environments = r.plainObject('environments');
  if (environments) {
    t.environments = environments;
    t.fieldLocs!.environments = r.loc('environments');
  }
  const steps = r.value('steps');
  if (!steps) {
    r.missing('steps', `workflow \`${header.name}\` has no steps`, 'add `steps:` with at least one step');
  } else if (steps.kind !== 'seq') {
    r.wrongType('steps', 'a list of steps', '[ { name: a, handler: a } ]');
  } else {
    t.fieldLocs!.steps = steps.loc;
    steps.items.forEach((item, i) => {
      const sr = MapReader.of(r.ctx, item, `step ${i + 1}`, '{ name: validate_order, handler: validate_order }');
      if (sr) t.steps.push(readStep(sr, i));
    });
  }
  return t;
}

function readStep(r: MapReader, index: number): StepTemplate {
  const name = r.string('name') ?? '';
  const what = name ? `step \`${name}\`` : `step ${index + 1}`;
  const s = new MapReader(r.ctx, r.node, what);
  if (!name) s.missing('name', `${what} has no name`, 'add `name: <step name>`');
  s.checkKeys(STEP_FIELDS, TASKER_STEP_FIELDS);
  const fieldLocs: Record<string, SourceLocation> = { name: s.loc('name') };
  const step: StepTemplate = { name, type: readType(s, fieldLocs), dependsOn: [], retry: { ...DEFAULT_RETRY }, loc: s.node.loc, fieldLocs };

  const description = s.string('description');
  if (description !== undefined) step.description = description;

  const handler = readHandler(s);
  if (handler) {
    step.handler = handler;
    fieldLocs.handler = s.loc('handler');
  } else if (!s.has('handler') && step.type !== 'wait' && step.type !== 'subtask') {
    s.missing('handler', `${what} has no handler`, 'add `handler: <handler name>` (or `handler: { callable: <name>, initialization: {...} }`)');
  }

  const depKey = s.pick('depends_on', 'dependencies');
  const deps = depKey ? s.stringList(depKey) : undefined;
  if (deps && depKey) {
    step.dependsOn = deps.values;
    fieldLocs.dependsOn = s.loc(depKey);
    deps.locs.forEach((loc, i) => (fieldLocs[`dependsOn.${i}`] = loc));
  }

  const retry = readRetry(s);
  if (retry) {
    step.retry = retry;
    fieldLocs.retry = s.loc('retry');
  }

  const timeoutSeconds = s.number('timeout_seconds', { min: 0, example: '30' });
  const timeout = s.duration('timeout');
  if (timeoutSeconds !== undefined) {
    step.timeoutMs = Math.round(timeoutSeconds * 1000);
    fieldLocs.timeoutMs = s.loc('timeout_seconds');
  } else if (timeout !== undefined) {
    step.timeoutMs = timeout;
    fieldLocs.timeoutMs = s.loc('timeout');
  }

  const concurrency = s.map('concurrency', '{ key: "{{ input.customer_id }}", limit: 10 }');
  if (concurrency) {
    concurrency.checkKeys(['key', 'limit']);
    const key = concurrency.string('key', { required: true });
    const limit = concurrency.number('limit', { integer: true, min: 1, example: '10' });
    if (limit === undefined && !concurrency.has('limit')) concurrency.missing('limit');
    if (key !== undefined && limit !== undefined) step.concurrency = { key, limit };
    fieldLocs.concurrency = s.loc('concurrency');
  }

  readWaitAndSubtask(s, step, fieldLocs);
  return step;
}

function readType(s: MapReader, fieldLocs: Record<string, SourceLocation>): StepType {
  const key = s.pick('type', 'step_type');
  if (!key) return s.has('wait') ? 'wait' : s.has('subtask') ? 'subtask' : 'standard';
  fieldLocs.type = s.loc(key);
  const value = s.string(key);
  if (value === undefined) return 'standard';
  if ((STEP_TYPES as readonly string[]).includes(value)) return value as StepType;
  const near = suggestion(value, STEP_TYPES);
  s.ctx.report('BAD_STEP_TYPE', `${s.what}: unknown step type \`${value}\``, s.loc(key), {
    hint: `use one of ${STEP_TYPES.join(', ')}${near.startsWith('did') ? ` (${near})` : ''}`,
  });
  return 'standard';
}

function readHandler(s: MapReader): HandlerRef | undefined {
  const node = s.value('handler');
  if (!node) return undefined;
  if (node.kind === 'scalar' && typeof node.value === 'string') return { callable: node.value, initialization: {} };
  if (node.kind !== 'map') {
    s.wrongType('handler', 'a handler name or a map { callable, initialization }', 'charge_payment');
    return undefined;
  }
  const h = new MapReader(s.ctx, node, `${s.what}: \`handler\``);
  // `method` and `resolver` are tasker-core's dispatch hints; Stepwise resolves by callable alone.
  h.checkKeys(['callable', 'initialization'], ['method', 'resolver']);
  const callable = h.string('callable', { required: true });
  const initialization = h.plainObject('initialization', '{ api_url: https://... }') ?? {};
  return callable === undefined ? undefined : { callable, initialization };
}

/** tasker-core's retry block, over its defaults (retryable, 3 attempts, exponential 1s..30s). */
export function readRetry(s: MapReader): RetryPolicy | undefined {
  const r = s.map('retry', '{ retryable: true, max_attempts: 3, backoff: exponential }');
  if (!r) return undefined;
  r.checkKeys(RETRY_FIELDS);
  const retry: RetryPolicy = { ...DEFAULT_RETRY };
  const retryable = r.boolean('retryable');
  if (retryable !== undefined) retry.retryable = retryable;
  const maxAttempts = r.number('max_attempts', { integer: true, min: 1, example: '3' });
  if (maxAttempts !== undefined) retry.maxAttempts = maxAttempts;
  const backoff = r.string('backoff');
  if (backoff === 'fibonacci') {
    // tasker-core knows fibonacci backoff; Stepwise approximates it, and says so.
    r.ctx.report('WRONG_TYPE', `${s.what}: backoff \`fibonacci\` is not supported; exponential is used instead`, r.loc('backoff'), {
      severity: 'warning',
      hint: `use one of ${BACKOFFS.join(', ')}`,
    });
    retry.backoff = 'exponential';
  } else if (backoff !== undefined) {
    if ((BACKOFFS as readonly string[]).includes(backoff)) retry.backoff = backoff as BackoffKind;
    else r.ctx.report('WRONG_TYPE', `${s.what}: unknown backoff \`${backoff}\``, r.loc('backoff'), { hint: `use one of ${BACKOFFS.join(', ')}` });
  }
  const base = r.number('backoff_base_ms', { min: 0, example: '1000' });
  if (base !== undefined) retry.backoffBaseMs = base;
  const max = r.number('max_backoff_ms', { min: 0, example: '30000' });
  if (max !== undefined) retry.maxBackoffMs = max;
  const jitter = r.boolean('jitter');
  if (jitter !== undefined) retry.jitter = jitter;
  return retry;
}

function readWaitAndSubtask(s: MapReader, step: StepTemplate, fieldLocs: Record<string, SourceLocation>): void {
  const wait = s.map('wait', '{ duration: 1h, timeout: 24h }');
  if (wait) {
    wait.checkKeys(['duration', 'timeout']);
    step.wait = {};
    const duration = wait.duration('duration');
    const timeout = wait.duration('timeout');
    if (duration !== undefined) step.wait.durationMs = duration;
    if (timeout !== undefined) step.wait.timeoutMs = timeout;
    fieldLocs.wait = s.loc('wait');
  }
  if (step.type === 'wait' && !s.has('wait')) {
    s.ctx.report('MISSING_FIELD', `${s.what} is a wait step without \`wait:\`: it waits for a signal with no timeout`, s.node.loc, {
      severity: 'warning',
      hint: 'add `wait: { duration: 1h }` to complete after a time, or `wait: { timeout: 24h }` to bound the wait for a signal',
    });
  }
  const subtask = s.map('subtask', '{ template: billing/invoice, input: { ... } }');
  if (subtask) {
    subtask.checkKeys(['template', 'input']);
    const template = subtask.string('template', { required: true });
    const input = subtask.plainObject('input');
    if (template !== undefined) step.subtask = input ? { template, input } : { template };
    fieldLocs.subtask = s.loc('subtask');
    if (template !== undefined) fieldLocs['subtask.template'] = subtask.loc('template');
  } else if (step.type === 'subtask' && !s.has('subtask')) {
    s.missing('subtask', `${s.what} is a subtask step without \`subtask:\``, 'add `subtask: { template: <namespace/name> }`');
  }
}
