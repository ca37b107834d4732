/**
 * Subtask steps start a child task (workflow or flow) linked to the parent step, and complete
 * or fail with it. A workflow child is inserted in the same commit that moves the parent step
 * to `waiting`, so it exists exactly once; a flow child is created by the flow driver first
 * (with an idempotency key, so a re-planned commit finds the same child).
 */
import { StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { Json, JsonObject, TaskRecord } from '../../model/runtime.js';
import { isTaskFinished } from '../../model/states.js';
import { templateRef, type FlowTemplate } from '../../model/template.js';
import type { EngineContext } from '../context.js';
import { planWorkflowTask } from './create.js';
import type { Draft } from '../runtime/draft.js';
import { validateInput } from './input.js';
import { ownsAttempt, planFailure, stepTemplateOf, type AttemptRef, type PlanEnv } from './outcome.js';
import { childOf, planSubtaskFinished, planSubtaskStarted } from './waits.js';

export type CreateFlow = (template: FlowTemplate, input: JsonObject, opts: { parentTaskId: string; idempotencyKey: string }) => Promise<{ id: string }>;

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

export function subtaskStarter(ctx: EngineContext, createFlow: CreateFlow, newId: () => string) {
  return async (d: Draft, name: string, attempt: AttemptRef, value: Json, env: PlanEnv): Promise<void> => {
    if (!ownsAttempt(d, name, attempt, env.owner)) return;
    const step = d.requireStep(name);
    const config = stepTemplateOf(env.template, step)?.subtask;
    try {
      if (!config) {
        throw new StepwiseError('TEMPLATE_INVALID', `Subtask step '${name}' has no subtask.template to start.`, { step: name });
      }
      const built = isObject(value) && isObject(value.input) ? value.input : {};
      const input: JsonObject = { ...((config.input ?? {}) as JsonObject), ...built };
      const child = ctx.templates.resolve(config.template);
      if (child.kind === 'workflow') {
        const checked = validateInput(child.inputSchema, input, templateRef(child), ctx.limits);
        const planned = planWorkflowTask(child, checked, { parentTaskId: d.task.id, parentStepName: name }, d.now, newId);
        planSubtaskStarted(d, name, attempt, { id: planned.task.id, changes: planned.changes }, env);
      } else {
        const flow = await createFlow(child, input, { parentTaskId: d.task.id, idempotencyKey: `subtask:${d.task.id}:${name}:${attempt.number}` });
        planSubtaskStarted(d, name, attempt, { id: flow.id, changes: {} }, env);
      }
    } catch (err) {
      // A missing template or a bad child input will not fix itself: no retries.
      planFailure(d, name, attempt, 'error', { error: toErrorInfo(err), retryable: false }, env);
    }
  };
}

/** The waiting subtask steps of `parent` that wait for `childId`. */
export function stepsWaitingFor(d: Draft, child: TaskRecord): string[] {
  if (child.parentStepName) return [child.parentStepName];
  const names: string[] = [];
  for (const name of d.stepNames()) {
    const s = d.step(name)!;
    if (s.type === 'subtask' && s.state === 'waiting' && childOf(s) === child.id) names.push(name);
  }
  return names;
}

/** A finished child completes (or fails) the parent steps waiting for it. */
export function planChildFinished(d: Draft, child: TaskRecord, env: PlanEnv): void {
  if (!isTaskFinished(child.kind, child.status)) return;
  for (const name of stepsWaitingFor(d, child)) {
    const step = d.step(name);
    if (step && childOf(step) === child.id) planSubtaskFinished(d, name, child, env);
  }
}
