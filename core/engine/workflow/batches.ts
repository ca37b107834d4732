/**
 * A batchable step's workers, planned into the draft when it succeeds: one worker step per batch,
 * made from a `batch_worker` template step that depends on the batchable step. The template step
 * itself is skipped and the steps after it wait for every worker instead (or for the batchable
 * step when there are none, so a convergence still runs).
 * - Stepwise's `{ batches }`: workers `<template>#<index>` from every batch_worker dependent,
 *   each with its batch in `ctx.batch`.
 * - tasker-core's `batch_processing_outcome` (BatchProcessingService): workers
 *   `<template>_<batch_id>` from the one template the outcome names, each with tasker's
 *   BatchWorkerInputs (`cursor`, `batch_metadata`, `is_no_op`) as its batch; `no_batches` makes
 *   one placeholder worker (batch_id '000', cursor 0..0, is_no_op) that runs like any other.
 * A worker template with a batch_config (and no `concurrency` of its own) runs at most its
 * `parallelism` of one batchable step's workers at once (./concurrency.ts).
 */
import { StepwiseError, toErrorInfo, type ErrorCode } from '../../model/errors.js';
import type { Json, JsonObject, StepRecord } from '../../model/runtime.js';
import { DEFAULT_BATCH_CONFIG, type BatchConfig, type StepTemplate, type WorkflowTemplate } from '../../model/template.js';
import type { HandlerFailure } from '../../executor/failure.js';
import type { Draft } from '../runtime/draft.js';
import type { PlanEnv } from './outcome.js';
import type { BatchRequest } from './stepResults.js';
import { BATCH_KEY, PLACEHOLDER_CURSOR, type CursorConfig } from './taskerOutcomes.js';

type TaskerRequest = Extract<BatchRequest, { kind: 'tasker' }>;
interface Worker {
  name: string;
  batch: Json;
}
/** Which worker templates get which workers; the other batch_worker dependents get none. */
export type WorkerPlan = Array<{ template: string; workers: Worker[] }>;

const stepOf = (env: PlanEnv, name: string): StepTemplate | undefined => env.template.steps.find((s) => s.name === name);

/** The batch_config of a worker template: its own, or a batchable step's that names it (docs/templates.md#batches). */
export function batchConfigOf(template: WorkflowTemplate, worker: StepTemplate | undefined): BatchConfig | undefined {
  if (!worker || worker.type !== 'batch_worker') return undefined;
  return worker.batchConfig ?? template.steps.find((s) => s.type === 'batchable' && s.batchConfig?.workerTemplate === worker.name)?.batchConfig;
}

/** The batch_worker template steps of a batchable step that have not been expanded yet. */
function workerTemplates(d: Draft, batchable: string): string[] {
  return d.dependentsOf(batchable).filter((n) => {
    const s = d.step(n);
    return s && s.type === 'batch_worker' && !s.dynamic && s.state === 'pending';
  });
}

function refuse(batchable: string, code: ErrorCode, message: string, details: JsonObject = {}): { ok: false; failure: HandlerFailure } {
  return { ok: false, failure: { error: toErrorInfo(new StepwiseError(code, message, { step: batchable, ...details })), retryable: false } };
}

export function planStepwiseWorkers(d: Draft, batchable: string, batches: Json[]): WorkerPlan {
  return workerTemplates(d, batchable).map((template) => ({ template, workers: batches.map((batch, i) => ({ name: `${template}#${i}`, batch })) }));
}

/**
 * tasker-core's workers, or why the outcome cannot be honoured (a template that is not a
 * batch_worker dependent, a worker name that is already a step). The template of a `no_batches`
 * placeholder is the batchable step's `initialization.worker_template_name` (tasker's source),
 * else its batch_config's worker_template, else every batch_worker dependent.
 */
export function planTaskerWorkers(d: Draft, batchable: string, request: TaskerRequest, env: PlanEnv): { ok: true; plan: WorkerPlan } | { ok: false; failure: HandlerFailure } {
  const candidates = workerTemplates(d, batchable);
  const self = stepOf(env, d.requireStep(batchable).templateStep);
  const named = self?.handler?.initialization?.worker_template_name ?? self?.batchConfig?.workerTemplate;
  let chosen: string[];
  if (request.workerTemplate !== null) {
    if (!candidates.includes(request.workerTemplate)) {
      return refuse(
        batchable,
        'UNDECLARED_TARGET',
        `Batchable step '${batchable}' asked for workers of '${request.workerTemplate}', which is not a batch_worker step depending on it. ` +
          `Its batch_worker dependents: ${candidates.join(', ') || '(none)'}. Fix worker_template_name in the handler or the dependency in the template.`,
        { workerTemplate: request.workerTemplate, allowed: candidates },
      );
    }
    chosen = [request.workerTemplate];
  } else {
    chosen = typeof named === 'string' && candidates.includes(named) ? [named] : candidates;
  }
  const cursors: CursorConfig[] = request.workerTemplate === null ? [PLACEHOLDER_CURSOR] : request.cursors;
  const plan: WorkerPlan = [];
  for (const template of candidates) {
    if (!chosen.includes(template)) {
      plan.push({ template, workers: [] });
      continue;
    }
    const config = batchConfigOf(env.template, stepOf(env, template));
    const metadata = { cursor_field: config?.cursorField ?? DEFAULT_BATCH_CONFIG.cursorField, failure_strategy: config?.failureStrategy ?? DEFAULT_BATCH_CONFIG.failureStrategy };
    const workers = cursors.map((cursor) => ({
      name: `${template}_${cursor.batch_id}`,
      batch: { cursor: { ...cursor }, batch_metadata: metadata, is_no_op: request.workerTemplate === null },
    }));
    const taken = workers.find((w) => d.step(w.name));
    if (taken) {
      return refuse(
        batchable,
        'HANDLER_ERROR',
        `Batchable step '${batchable}' would create worker '${taken.name}', but the task already has a step of that name. Give the batch another batch_id.`,
        { worker: taken.name },
      );
    }
    plan.push({ template, workers });
  }
  return { ok: true, plan };
}

/** The concurrency key a batch's workers share when their template has a batch_config (its `parallelism`). */
export function batchConcurrencyKey(taskId: string, batchable: string): string {
  return `stepwise:batch:${taskId}:${batchable}`;
}

/** Insert the planned workers and rewire the templates' dependents. Returns the skipped template steps. */
export function spawnWorkers(d: Draft, batchable: string, plan: WorkerPlan, env: PlanEnv): string[] {
  const finished: string[] = [];
  for (const { template, workers } of plan) {
    const w = d.requireStep(template);
    const stepT = stepOf(env, w.templateStep);
    const concurrencyKey = !stepT?.concurrency && batchConfigOf(env.template, stepT) ? batchConcurrencyKey(d.task.id, batchable) : w.concurrencyKey;
    workers.forEach(({ name, batch }, i) => {
      const record: StepRecord = {
        ...w,
        id: env.newId(),
        name,
        templateStep: w.templateStep,
        state: 'pending',
        dependsOn: [...w.dependsOn],
        batch,
        concurrencyKey,
        dynamic: true,
        createdBy: batchable,
        createdAt: d.now,
        updatedAt: d.now,
        version: 1,
      };
      d.insertStep(record, `batch ${i + 1} of ${workers.length} from '${batchable}'`);
    });
    const names = workers.map((x) => x.name);
    for (const after of [...d.dependentsOf(template)]) {
      const deps = d.requireStep(after).dependsOn.flatMap((dep) => (dep === template ? (names.length ? names : [batchable]) : [dep]));
      d.setDependsOn(after, [...new Set(deps)]);
    }
    const why = names.length ? `replaced by ${names.length} batch workers` : `'${batchable}' returned no batches for it`;
    d.moveStep(template, 'skipped', why, { details: { workers: names } });
    finished.push(template);
  }
  return finished;
}

/** True when a batch worker was made from a tasker-core outcome: its batch is tasker's BatchWorkerInputs. */
export function isTaskerWorker(step: Pick<StepRecord, 'dynamic' | 'createdBy'>, stepOfName: (name: string) => Pick<StepRecord, 'results'> | undefined): boolean {
  if (!step.dynamic || !step.createdBy) return false;
  const creator = stepOfName(step.createdBy)?.results;
  return typeof creator === 'object' && creator !== null && !Array.isArray(creator) && BATCH_KEY in creator;
}
