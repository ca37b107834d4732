/**
 * What the flow driver's parts share: the engine context, commit-then-publish, template and
 * handler lookup, attempt numbering and the sub-task API handed to handlers.
 */
import { NotFoundError, StepwiseError } from '../../model/errors.js';
import type { HandlerFn, FlowTemplate } from '../../model/template.js';
import type { JsonObject, TaskRecord } from '../../model/runtime.js';
import type { SubtaskSummary } from '../../model/handlers.js';
import type { ChangeSet, CommitResult } from '../../storage/storage.js';
import type { EngineContext } from '../context.js';
import type { SubtaskApi } from './attempt.js';
import { handlerNotFound, notAFlow } from './errors.js';

/** Starts a child task of either kind, in the background, linked to its parent. */
export type StartChild = (template: string, input: JsonObject, parentTaskId: string) => Promise<{ id: string }>;

export interface FlowRuntime {
  ctx: EngineContext;
  startChild: StartChild;
  commit(changes: ChangeSet): Promise<CommitResult>;
  getTask(id: string): Promise<TaskRecord>;
  templateOf(task: TaskRecord): FlowTemplate;
  handler(name: string, template: FlowTemplate, where: string): HandlerFn;
  nextAttemptNumber(taskId: string, stepName: string): Promise<number>;
  subtasksOf(task: TaskRecord): SubtaskApi;
}

export function createRuntime(ctx: EngineContext, startChild: StartChild): FlowRuntime {
  const rt: FlowRuntime = {
    ctx,
    startChild,
    async commit(changes) {
      const result = await ctx.storage.commit(changes);
      ctx.bus.publish(result.events);
      return result;
    },
    async getTask(id) {
      const task = await ctx.storage.getTask(id);
      if (!task) throw new NotFoundError('Task', id, 'List tasks with `stepwise tasks`.');
      return task;
    },
    templateOf(task) {
      const template = ctx.templates.resolve(task.templateRef);
      if (template.kind !== 'flow') throw notAFlow(task.templateRef);
      return template;
    },
    handler(name, template, where) {
      const fn = ctx.handlers.get(name, template) ?? template.inlineHandlers?.[name];
      if (typeof fn !== 'function') throw handlerNotFound(name, where);
      return fn;
    },
    async nextAttemptNumber(taskId, stepName) {
      return (await ctx.storage.listAttempts(taskId, stepName)).length + 1;
    },
    subtasksOf(task) {
      return {
        start: (template, input) => startChild(template, input ?? {}, task.id),
        list: () => listChildren(ctx, task.id),
      };
    },
  };
  return rt;
}

async function listChildren(ctx: EngineContext, parentTaskId: string): Promise<SubtaskSummary[]> {
  const out: SubtaskSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.storage.listTasks({ parentTaskId, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const t of page.tasks) out.push({ id: t.id, templateRef: t.templateRef, status: t.status, result: t.result, data: t.data });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // Oldest first reads naturally in handlers ("the first child").
  return out.reverse();
}

/** The default StartChild: flows only (the engine facade passes one that starts workflows too). */
export function flowOnlyStartChild(
  ctx: EngineContext,
  createFlow: (template: FlowTemplate, input: JsonObject, parentTaskId: string) => Promise<{ id: string }>,
): StartChild {
  return async (ref, input, parentTaskId) => {
    const template = ctx.templates.resolve(ref);
    if (template.kind !== 'flow') {
      throw new StepwiseError('USAGE', `Sub-task ${ref} is a workflow: starting workflow sub-tasks needs the engine (createEngine), not the bare flow driver.`, { template: ref });
    }
    return createFlow(template, input, parentTaskId);
  };
}
