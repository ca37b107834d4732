/**
 * YAML workflow template → WorkflowTemplate. Accepts tasker-core task templates as they are:
 * `namespace_name`, `dependencies`, `handler: {callable, method, initialization}`, `retry`,
 * `timeout_seconds`, `batch_config`, `result_schema`, `environments`; tasker-core fields Stepwise
 * does not use are accepted and ignored, and `composition` (which Stepwise cannot run) is refused.
 */
import {
  DEFAULT_RETRY,
  STEP_TYPES,
  type HandlerRef,
  type SourceLocation,
  type StepTemplate,
  type StepType,
  type WorkflowTemplate,
} from '../model/template.js';
import { readEnvironments } from './environments.js';
import { MapReader } from './mapReader.js';
import { suggestion } from './problems.js';
import { readBatchConfig } from './readBatchConfig.js';
import type { TemplateHeader } from './readHeader.js';
import { readRetry } from './readRetry.js';

const WORKFLOW_FIELDS = ['kind', 'name', 'namespace', 'namespace_name', 'version', 'description', 'input_schema', 'steps', 'environments', 'delete_after'];
/** tasker-core (and older Tasker) template fields that carry nothing Stepwise runs. */
export const TASKER_TEMPLATE_FIELDS = [
  'metadata',
  'task_handler',
  'system_dependencies',
  'domain_events',
  'lifecycle',
  'loaded_from',
  'module_namespace',
  'task_handler_class',
  'default_dependent_system',
  'named_steps',
];
const STEP_FIELDS = [
  'name',
  'description',
  'type',
  'step_type',
  'handler',
  'depends_on',
  'dependencies',
  'retry',
  'timeout_seconds',
  'timeout',
  'concurrency',
  'wait',
  'subtask',
  'batch_config',
  'result_schema',
  'composition',
];
export const TASKER_STEP_FIELDS = ['system_dependency', 'publishes_events', 'lifecycle'];

export function readWorkflow(r: MapReader, header: TemplateHeader): WorkflowTemplate {
  r.checkKeys(WORKFLOW_FIELDS, TASKER_TEMPLATE_FIELDS);
  const t: WorkflowTemplate = { kind: 'workflow', ...header, steps: [] };
  // tasker-core requires both; Stepwise keeps its defaults but says so.
  if (!r.has('namespace') && !r.has('namespace_name')) {
    r.ctx.report('MISSING_FIELD', `workflow \`${header.name}\` has no namespace; it is \`${header.namespace}\``, r.node.loc, {
      severity: 'warning',
      hint: 'add `namespace_name: <namespace>` (tasker-core requires it)',
    });
  }
  if (!r.has('version')) {
    r.ctx.report('MISSING_FIELD', `workflow \`${header.name}\` has no version; it is \`${header.version}\``, r.node.loc, {
      severity: 'warning',
      hint: 'add `version: 1.0.0` (tasker-core requires it)',
    });
  }
  const inputSchema = r.plainObject('input_schema', '{ type: object, properties: { ... } }');
  if (inputSchema) {
    t.inputSchema = inputSchema;
    t.fieldLocs!.inputSchema = r.loc('input_schema');
  }
  const environments = readEnvironments(r);
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

  const handler = readHandler(s, fieldLocs);
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
  const batchConfig = readBatchConfig(s, fieldLocs);
  if (batchConfig) step.batchConfig = batchConfig;
  const resultSchema = s.plainObject('result_schema', '{ type: object, properties: { ... } }');
  if (resultSchema) {
    step.resultSchema = resultSchema;
    fieldLocs.resultSchema = s.loc('result_schema');
  }
  if (s.has('composition')) {
    s.ctx.report('UNSUPPORTED_FEATURE', `${what}: \`composition\` (tasker-core's grammar-defined steps) is not supported; the step would not do what its composition says`, s.keyLoc('composition'), {
      hint: 'write a handler that does what the composition does, and name it in `handler.callable`',
    });
  }
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

function readHandler(s: MapReader, fieldLocs: Record<string, SourceLocation>): HandlerRef | undefined {
  const node = s.value('handler');
  if (!node) return undefined;
  if (node.kind === 'scalar' && typeof node.value === 'string') return { callable: node.value, initialization: {} };
  if (node.kind !== 'map') {
    s.wrongType('handler', 'a handler name or a map { callable, initialization }', 'charge_payment');
    return undefined;
  }
  const h = new MapReader(s.ctx, node, `${s.what}: \`handler\``);
  // `resolver` is tasker-core's hint for its resolver chain; Stepwise resolves by callable alone.
  h.checkKeys(['callable', 'method', 'initialization'], ['resolver']);
  const callable = h.string('callable', { required: true });
  const method = h.string('method', { example: 'refund' });
  const initialization = h.plainObject('initialization', '{ api_url: https://... }') ?? {};
  if (h.has('method')) fieldLocs['handler.method'] = h.loc('method');
  if (method === '') h.ctx.report('WRONG_TYPE', `${s.what}: \`handler.method\` is empty`, h.loc('method'), { hint: 'name a method, or leave `method` out to call `call`' });
  if (callable === undefined) return undefined;
  return method ? { callable, initialization, method } : { callable, initialization };
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
