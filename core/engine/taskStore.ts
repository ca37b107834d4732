/**
 * The engine's only write path for workflow tasks: per task, one change at a time (an async
 * lock), planned on a fresh view and committed atomically; a STALE commit (another engine or an
 * operator changed the task) reloads the view and plans again. Committed events are published
 * on the bus after the commit, never before.
 */
import { StaleError } from '../model/errors.js';
import type { Actor } from '../model/runtime.js';
import { isTaskFinished } from '../model/states.js';
import type { EngineContext } from './context.js';
import { Draft } from './draft.js';
import { applyToView, buildView, type TaskView } from './view.js';

const MAX_STALE_RETRIES = 8;
/** Views kept for tasks that are not finished (waiting tasks can wait for days). */
const MAX_CACHED_VIEWS = 1000;

export class TaskStore {
  private readonly views = new Map<string, TaskView>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly ctx: EngineContext) {}

  /** Run `fn` while holding the task's lock (in this process). */
  async locked<T>(taskId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(taskId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(taskId, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(taskId) === tail) this.locks.delete(taskId);
    }
  }

  /** The task's view, validated against the stored task version (reloaded when it moved). */
  async view(taskId: string): Promise<TaskView | null> {
    const task = await this.ctx.storage.getTask(taskId);
    if (!task || task.kind !== 'workflow') {
      this.views.delete(taskId);
      return null;
    }
    const cached = this.views.get(taskId);
    if (cached && cached.task.version === task.version) return cached;
    const view = buildView(task, await this.ctx.storage.getSteps(taskId));
    this.views.delete(taskId);
    this.views.set(taskId, view);
    // Oldest first in a Map: drop the least recently loaded ones.
    for (const id of this.views.keys()) {
      if (this.views.size <= MAX_CACHED_VIEWS) break;
      this.views.delete(id);
    }
    return view;
  }

  /** A cached view without touching storage (may be stale; for read-only decisions). */
  peek(taskId: string): TaskView | undefined {
    return this.views.get(taskId);
  }

  forget(taskId: string): void {
    this.views.delete(taskId);
  }

  /**
   * Plan with `plan` on a fresh draft and commit the result, under the task's lock. Returns
   * `undefined` when the task does not exist. `plan` must be pure over the draft: it may run
   * again after a STALE.
   */
  async change<T>(taskId: string, plan: (d: Draft) => T | Promise<T>, actor: Actor = 'engine'): Promise<{ value: T; view: TaskView } | undefined> {
    return this.locked(taskId, async () => {
      let lastStale: unknown;
      for (let i = 0; i < MAX_STALE_RETRIES; i++) {
        // The cached view is trusted optimistically: the commit names the task version it was
        // planned on, so a view another process made stale is caught (STALE) and reloaded.
        const view = this.views.get(taskId) ?? (await this.view(taskId));
        if (!view) return undefined;
        const draft = new Draft(view, this.ctx.clock.now(), actor);
        const value = await plan(draft);
        if (draft.isEmpty) return { value, view };
        const changes = draft.toChangeSet();
        try {
          const result = await this.ctx.storage.commit(changes);
          applyToView(view, changes);
          if (isTaskFinished('workflow', view.task.status)) this.views.delete(taskId);
          this.ctx.bus.publish(result.events);
          return { value, view };
        } catch (err) {
          if (!(err instanceof StaleError) && (err as { code?: unknown })?.code !== 'STALE') throw err;
          lastStale = err;
          this.views.delete(taskId);
        }
      }
      throw lastStale;
    });
  }
}
