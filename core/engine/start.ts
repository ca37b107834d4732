/** Creating a task: flows go to the flow driver; workflows are validated, planned and committed. */
import type { JsonObject, StepRecord, TaskRecord } from '../model/runtime.js';
import { templateRef } from '../model/template.js';
import type { EngineContext } from './context.js';
import { planWorkflowTask, type StartOptions } from './workflow/create.js';
import type { FlowDriver } from './flow/driver.js';
import { validateInput } from './workflow/input.js';
import { commitAndPublish } from './runtime/commit.js';

export async function startTask(
  ctx: EngineContext,
  flows: FlowDriver,
  ref: string,
  input: unknown,
  options: StartOptions,
  newId: () => string,
  /** The workflow task was stored as planned: its records, for the caller's cache (no read back). */
  created?: (task: TaskRecord, steps: readonly StepRecord[]) => void,
): Promise<TaskRecord> {
  const template = ctx.templates.resolve(ref);
  if (template.kind === 'flow') {
    return flows.create(template, input, {
      ...(options.parentTaskId ? { parentTaskId: options.parentTaskId } : {}),
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(options.debug ? { debug: true } : {}),
      ...(options.later ? { background: true } : {}),
    });
  }
  if (options.idempotencyKey) {
    const existing = await ctx.storage.findTaskByIdempotencyKey(options.idempotencyKey);
    if (existing) return existing;
  }
  const checked: JsonObject = validateInput(template.inputSchema, input, templateRef(template), ctx.limits);
  const { task, changes } = planWorkflowTask(template, checked, options, ctx.clock.now(), newId);
  try {
    await commitAndPublish(ctx, changes);
  } catch (err) {
    // Two starts racing with one idempotency key: the loser returns the winner's task.
    if ((err as { code?: unknown }).code === 'DUPLICATE' && options.idempotencyKey) {
      const existing = await ctx.storage.findTaskByIdempotencyKey(options.idempotencyKey);
      if (existing) return existing;
    }
    throw err;
  }
  created?.(task, changes.insertSteps ?? []);
  return task;
}
