/**
 * Interactions: external calls into a flow. Refused (nothing changed) outside their `when`
 * states (empty = any state of an unfinished flow) or with params that fail their schema;
 * otherwise the body runs in an attempt and its data change is committed with an
 * `interaction.fired` transition and event. Waking the flow afterwards (in the same commit when
 * it only re-checks a wait) and retrying after a STALE commit are the driver's job.
 */
import { StepwiseError } from '../../model/errors.js';
import { TaskBatch } from './batch.js';
import { isTaskFinished } from '../../model/states.js';
import type { Actor, TaskRecord } from '../../model/runtime.js';
import type { FlowTemplate, InteractionDef } from '../../model/template.js';
import { templateRef } from '../../model/template.js';
import { applyDefaultsAndValidate } from './attributes.js';
import { jsonOutput, runAttempt, type AbortSource } from './attempt.js';
import { wait, type Steps } from '../runtime/maybe.js';
import { copyJson } from '../../model/jsonCopy.js';
import { interactionRefused, unknownInteraction } from './errors.js';
import { planInteraction } from './plan.js';
import type { FlowRuntime } from './runtime.js';

/** The interaction if `task` accepts it now; throws NOT_FOUND / INVALID_STATE otherwise. */
export function checkInteraction(template: FlowTemplate, task: TaskRecord, name: string): InteractionDef {
  const def = template.interactions.find((i) => i.name === name);
  if (!def) throw unknownInteraction(templateRef(template), name, template.interactions.map((i) => i.name));
  const state = task.currentState ?? template.startsWith;
  if (isTaskFinished('flow', task.status) || (def.when.length > 0 && !def.when.includes(state))) {
    throw interactionRefused(name, state, def.when, task.status);
  }
  return def;
}

export interface InteractOptions {
  actor: Actor;
  abort: AbortSource;
}

/**
 * Runs the interaction's body against the task as stored now and plans its record into a batch
 * (marked critical: a STALE commit of it must not be dropped, the caller runs it again). A body
 * that throws is recorded (its attempt alone) and refused with HANDLER_ERROR.
 */
export function* prepareInteraction(
  rt: FlowRuntime,
  taskId: string,
  name: string,
  rawParams: unknown,
  opts: InteractOptions,
): Steps<TaskBatch> {
  const task = yield* wait(rt.getTask(taskId));
  const template = rt.templateOf(task);
  const def = checkInteraction(template, task, name);
  const params = applyDefaultsAndValidate(def.params, rawParams ?? {}, `The params of interaction ${name}`, 'Nothing was changed', { limits: rt.ctx.limits, name: 'paramsBytes' });
  const fn = rt.handler(def.handler, template, `interaction ${name}`);
  const stepName = `interaction:${name}`;
  const number = yield* wait(rt.nextAttemptNumber(task, stepName));
  const result = yield* wait(runAttempt(
    {
      task,
      stepName,
      what: `Interaction '${name}'`,
      state: task.currentState ?? template.startsWith,
      number,
      clock: rt.ctx.clock,
      abort: opts.abort,
      subtasks: rt.subtasksOf(task),
      limits: rt.ctx.limits,
    },
    // Not wrapped in an async function: a body that returns a plain value needs no promise or hook timer.
    (ctx) => fn(ctx, params),
  ));
  if (!result.ok) {
    // The caller's request failed; the flow itself is unchanged. Keep the attempt for the record.
    yield* wait(rt.commit({ insertAttempts: [result.attempt] }));
    throw new StepwiseError(
      'HANDLER_ERROR',
      `Interaction ${name} failed: ${result.info.class}: ${result.info.message}. The flow was not changed.`,
      { interaction: name, error: result.info },
    );
  }
  result.attempt.output = jsonOutput(result.value, rt.ctx.limits);
  // The record's own copy of the params: the body was given `params` and may hold on to them.
  const plan = planInteraction({ task, template, now: rt.ctx.clock.now(), actor: opts.actor }, name, copyJson(params), result.data, result.attempt);
  const batch = new TaskBatch(rt, task);
  batch.add(plan.changes, { critical: true });
  return batch;
}
