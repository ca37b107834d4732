/**
 * `runStep`: runs one workflow step's handler the way the engine would (same context, same
 * interpretation of decision and batchable return values), without storage or the rest of the
 * workflow. Input defaults and validation apply as when a task is created.
 */
import { StepwiseError, type ErrorInfo } from '../model/errors.js';
import type { Json, JsonObject, LogLine } from '../model/runtime.js';
import { templateRef, type WorkflowTemplate } from '../model/template.js';
import { validateInput } from '../engine/workflow/input.js';
import { interpretBatches, interpretDecision } from '../engine/workflow/stepResults.js';
import { runInProcess } from '../executor/inProcess.js';
import { createHandlerRegistry } from '../template/registry.js';
import { handlerMap, type HandlerSource } from './context.js';

export interface RunStepOptions {
  input?: JsonObject;
  /** Results of the step's dependencies, by step name. */
  results?: Record<string, Json>;
  /** Results of every ancestor (`ctx.ancestors`), by step name; defaults to `results`. */
  ancestors?: Record<string, Json>;
  handlers?: HandlerSource;
  /** Batch workers: the batch this worker processes. */
  batch?: Json;
  attempt?: number;
}

export interface StepRun {
  step: string;
  status: 'success' | 'failure';
  /** The step's results (null on failure). */
  results: Json;
  error: ErrorInfo | null;
  /** Would the engine retry this failure? */
  retryable: boolean;
  /** Decision steps: the dependents that proceed. */
  proceed?: string[];
  /** Batchable steps: the batches returned. */
  batches?: Json[];
  logs: Omit<LogLine, 'at'>[];
  progress: { fraction: number; message?: string }[];
}

export async function runStep(template: WorkflowTemplate, stepName: string, options: RunStepOptions = {}): Promise<StepRun> {
  const templateStep = stepName.includes('#') ? stepName.slice(0, stepName.indexOf('#')) : stepName;
  const step = template.steps.find((s) => s.name === templateStep);
  if (!step) {
    throw new StepwiseError('USAGE', `Workflow ${templateRef(template)} has no step '${stepName}'. Its steps: ${template.steps.map((s) => s.name).join(', ')}.`, { step: stepName });
  }
  if (!step.handler) throw new StepwiseError('USAGE', `Step '${stepName}' (${step.type}) has no handler to run.`, { step: stepName });
  const input = validateInput(template.inputSchema, options.input ?? {}, templateRef(template));
  const callable = step.handler.callable;
  const method = step.handler.method;
  const fn = createHandlerRegistry(handlerMap(options.handlers)).get(callable, template, method);
  if (!fn) {
    const what = method ? ` (method '${method}')` : '';
    throw new StepwiseError('HANDLER_NOT_FOUND', `Handler '${callable}'${what} of step '${stepName}' is not registered: pass it in options.handlers or define it inline.`, { handler: callable });
  }
  const logs: StepRun['logs'] = [];
  const progress: StepRun['progress'] = [];
  const outcome = await runInProcess({
    kind: 'step',
    handlerName: callable,
    fn,
    context: {
      taskId: 'test-task',
      input,
      results: options.results ?? {},
      ancestors: options.ancestors ?? options.results ?? {},
      step: { name: stepName, templateStep, attempt: options.attempt ?? 1, maxAttempts: step.retry.maxAttempts, type: step.type },
      initialization: step.handler.initialization,
      batch: options.batch ?? null,
    },
    signal: new AbortController().signal,
    onProgress: (fraction, message) => progress.push(message === undefined ? { fraction } : { fraction, message }),
    onLog: (line) => logs.push(line),
  });
  const base = { step: stepName, logs, progress };
  if (outcome.kind === 'aborted') throw new StepwiseError('CANCELLED', `Step '${stepName}' was aborted.`, { step: stepName });
  if (outcome.kind === 'failure') {
    return { ...base, status: 'failure', results: null, error: outcome.failure.error, retryable: outcome.failure.retryable };
  }
  if (step.type === 'decision') {
    const dependents = template.steps.filter((s) => s.dependsOn.includes(step.name)).map((s) => s.name);
    const d = interpretDecision(stepName, outcome.value, dependents);
    if (!d.ok) return { ...base, status: 'failure', results: null, error: d.failure.error, retryable: false };
    return { ...base, status: 'success', results: d.value.results, error: null, retryable: false, proceed: d.value.proceed };
  }
  if (step.type === 'batchable') {
    const b = interpretBatches(stepName, outcome.value);
    if (!b.ok) return { ...base, status: 'failure', results: null, error: b.failure.error, retryable: false };
    return { ...base, status: 'success', results: b.value.results, error: null, retryable: false, batches: b.value.kind === 'stepwise' ? b.value.batches : b.value.cursors };
  }
  return { ...base, status: 'success', results: outcome.value, error: null, retryable: false };
}
