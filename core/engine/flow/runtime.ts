/**
 * What the flow driver's parts share: the engine context, commit-then-publish, template and
 * handler lookup, attempt numbering and the sub-task API handed to handlers.
 */
import { NotFoundError, StepwiseError } from '../../model/errors.js';
import { getOwn } from '../../model/ownKeys.js';
import type { HandlerFn, FlowTemplate } from '../../model/template.js';
import type { JsonObject, TaskRecord } from '../../model/runtime.js';
import type { SubtaskSummary } from '../../model/handlers.js';
import type { ChangeSet, CommitResult } from '../../storage/storage.js';
import type { EngineContext } from '../context.js';
import type { SubtaskApi } from './attempt.js';
import { handlerNotFound, notAFlow } from './errors.js';
import { commitAndPublish } from '../runtime/commit.js';
import type { Maybe } from '../runtime/maybe.js';

/** Starts a child task of either kind, in the background, linked to its parent. */
export type StartChild = (template: string, input: JsonObject, parentTaskId: string) => Promise<{ id: string }>;

export interface FlowRuntime {
  ctx: EngineContext;
  startChild: StartChild;
  /**
   * Commit and publish. Synchronous on storage that answers synchronously (Storage.sync: memory),
   * which then keeps what it is given: a ChangeSet committed here is not changed afterwards.
   */
  commit(changes: ChangeSet): Maybe<CommitResult>;
  getTask(id: string): Maybe<TaskRecord>;
  templateOf(task: TaskRecord): FlowTemplate;
  handler(name: string, template: FlowTemplate, where: string): HandlerFn;
  /**
   * The number of the next attempt of `stepName` on `task` (1-based). Kept as a per-task counter
   * that is trusted only while the task is at the version this process last saw it commit;
   * otherwise (another writer, a STALE commit, a first look) each step's count is read from storage again.
   */
  nextAttemptNumber(task: TaskRecord, stepName: string): Maybe<number>;
  /** A commit of `taskId` moved it from `fromVersion` to `toVersion` (keeps the counter valid). */
  noteCommitted(taskId: string, fromVersion: number, toVersion: number): void;
  /** Forget the attempt counter of a task (it finished, or a commit failed). */
  forgetAttempts(taskId: string): void;
  subtasksOf(task: TaskRecord): SubtaskApi;
}

/** Attempt counters of at most this many tasks are kept; beyond it they are rebuilt on demand. */
const MAX_COUNTED_TASKS = 10_000;

interface AttemptCounts {
  /** The task version these counts are valid for. */
  version: number;
  /** Last number handed out per step; a step not in it is read from storage when first asked. */
  byStep: Map<string, number>;
  /** The task was inserted by this process: it has no stored attempts, so a missing step is 0. */
  fresh: boolean;
}

export function createRuntime(ctx: EngineContext, startChild: StartChild): FlowRuntime {
  const counts = new Map<string, AttemptCounts>();
  const remember = (taskId: string, entry: AttemptCounts) => {
    if (counts.size >= MAX_COUNTED_TASKS) counts.clear();
    counts.set(taskId, entry);
  };
  /** A commit was stored: its new tasks start counting, its patched tasks' counts move on. */
  const committed = (changes: ChangeSet): void => {
    for (const t of changes.insertTasks ?? []) if (t.kind === 'flow') remember(t.id, { version: t.version, byStep: new Map(), fresh: true });
    for (const p of changes.updateTasks ?? []) rt.noteCommitted(p.id, p.expectedVersion, p.expectedVersion + 1);
  };
  /** Numbers handed out for attempts that were not stored: rebuild the counts next time. */
  const forgetNumbers = (changes: ChangeSet): void => {
    for (const p of changes.updateTasks ?? []) counts.delete(p.id);
    for (const a of changes.insertAttempts ?? []) counts.delete(a.taskId);
  };
  const rt: FlowRuntime = {
    ctx,
    startChild,
    commit(changes) {
      const sync = ctx.storage.sync;
      if (!sync) {
        return commitAndPublish(ctx, changes, () => committed(changes)).catch((err: unknown) => {
          forgetNumbers(changes);
          throw err;
        });
      }
      // The one commit-then-publish order of ../runtime/commit.ts, without its promise.
      let result: CommitResult;
      try {
        result = sync.commit(changes);
      } catch (err) {
        forgetNumbers(changes);
        throw err;
      }
      committed(changes);
      if (result.events.length > 0) ctx.bus.publish(result.events);
      return result;
    },
    getTask(id) {
      const found = (task: TaskRecord | null): TaskRecord => {
        if (!task) throw new NotFoundError('Task', id, 'List tasks with `stepwise tasks`.');
        return task;
      };
      const sync = ctx.storage.sync;
      return sync ? found(sync.getTask(id)) : ctx.storage.getTask(id).then(found);
    },
    templateOf(task) {
      const template = ctx.templates.resolve(task.templateRef);
      if (template.kind !== 'flow') throw notAFlow(task.templateRef);
      return template;
    },
    handler(name, template, where) {
      const fn = ctx.handlers.get(name, template) ?? getOwn(template.inlineHandlers, name);
      if (typeof fn !== 'function') throw handlerNotFound(name, where);
      return fn;
    },
    nextAttemptNumber(task, stepName) {
      let entry = counts.get(task.id);
      if (!entry || entry.version !== task.version) {
        entry = { version: task.version, byStep: new Map(), fresh: false };
        remember(task.id, entry);
      }
      const counted = entry;
      const next = (last: number): number => {
        counted.byStep.set(stepName, last + 1);
        return last + 1;
      };
      // A failed interaction's attempt is stored without bumping the task's version, so another
      // process may have added one unseen: interaction numbers are always read afresh. Other
      // steps are read once per version (one index probe, not the task's attempt list).
      const interaction = stepName.startsWith('interaction:');
      const last = entry.byStep.get(stepName);
      if (!interaction && last !== undefined) return next(last);
      if (!interaction && entry.fresh) return next(0);
      const sync = ctx.storage.sync;
      return sync ? next(sync.maxAttemptNumber(task.id, stepName)) : ctx.storage.maxAttemptNumber(task.id, stepName).then(next);
    },
    noteCommitted(taskId, fromVersion, toVersion) {
      const entry = counts.get(taskId);
      if (entry && entry.version === fromVersion) entry.version = toVersion;
      else counts.delete(taskId);
    },
    forgetAttempts(taskId) {
      counts.delete(taskId);
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
