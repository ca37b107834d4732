/**
 * The engine's only write path for workflow tasks: per task, one change at a time (an async
 * lock), planned on a fresh view and committed atomically; a STALE commit (another engine or an
 * operator changed the task) reloads the view and plans again. Committed events are published
 * on the bus after the commit, never before.
 *
 * Changes of one task that queue up while its lock is held (several attempts of a pool finishing
 * together) are planned one after the other on one draft and committed in one transaction: the
 * same records, transition rows and events as one commit each, in the same order, for one commit.
 * A plan that throws is left out (the others are planned again without it); a commit that fails
 * for another reason than STALE is retried change by change, so one bad change fails alone.
 */
import { StaleError } from '../../model/errors.js';
import type { Actor, StepRecord, TaskRecord } from '../../model/runtime.js';
import { isTaskFinished } from '../../model/states.js';
import type { EngineContext } from '../context.js';
import { Draft } from './draft.js';
import { applyToView, buildView, type TaskView } from './view.js';
import { publishCommitted } from './commit.js';
import { TaskLocks } from './lock.js';
import { drive, isThenable, wait, type Maybe, type Steps } from './maybe.js';

const MAX_STALE_RETRIES = 8;
/** Most changes planned into one commit. */
const MAX_BATCH = 64;

type Plan<T> = (d: Draft) => T | Promise<T>;
type Changed<T> = { value: T; view: TaskView } | undefined;

interface Queued {
  plan: Plan<unknown>;
  actor: Actor;
  resolve(r: Changed<unknown>): void;
  reject(err: unknown): void;
}

/** A plan threw: the change it belongs to fails, the others of its batch are planned again. */
class PlanFailed {
  constructor(
    readonly entry: Queued,
    readonly cause: unknown,
  ) {}
}
/** Views kept for tasks that are not finished (waiting tasks can wait for days). */
const MAX_CACHED_VIEWS = 1000;

export class TaskStore {
  private readonly views = new Map<string, TaskView>();
  readonly locks = new TaskLocks();
  /** Changes waiting for their task's lock, by task: the next flush commits them together. */
  private readonly queued = new Map<string, Queued[]>();

  constructor(private readonly ctx: EngineContext) {}

  /** Run `fn` while holding the task's lock (in this process). */
  locked<T>(taskId: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(taskId, fn);
  }

  /** The task's view, validated against the stored task version (reloaded when it moved). */
  async view(taskId: string, read?: TaskRecord | null): Promise<TaskView | null> {
    const task = read !== undefined ? read : await this.ctx.storage.getTask(taskId);
    if (!task || task.kind !== 'workflow') {
      this.views.delete(taskId);
      return null;
    }
    const cached = this.views.get(taskId);
    if (cached && cached.task.version === task.version) return cached;
    const view = buildView(task, await this.ctx.storage.getSteps(taskId));
    this.views.delete(taskId);
    this.views.set(taskId, view);
    this.evict();
    return view;
  }

  /** Oldest first in a Map: drop the least recently loaded views. */
  private evict(): void {
    for (const id of this.views.keys()) {
      if (this.views.size <= MAX_CACHED_VIEWS) break;
      this.views.delete(id);
    }
  }

  /**
   * The view a scheduling round launches from, or null when the task has nothing to launch
   * (gone, not a workflow, complete). `trustCache`: a view this process keeps up to date with its
   * own commits is used without reading storage (quick rounds after an attempt ended here; a
   * change made elsewhere is seen by the next full round, and a claim planned on a stale view is
   * refused as STALE and replanned on a fresh one).
   */
  async launchView(taskId: string, trustCache: boolean): Promise<TaskView | null> {
    const cached = this.views.get(taskId);
    if (cached && trustCache) return cached;
    return this.locked(taskId, async () => {
      const task = await this.ctx.storage.getTask(taskId);
      // Complete means every step completed, was skipped or resolved: none can be ready.
      if (task?.kind === 'workflow' && task.status === 'complete') return null;
      return this.view(taskId, task);
    });
  }

  /** Remember the view of a task this process just created (its records as committed). */
  remember(task: TaskRecord, steps: readonly StepRecord[]): void {
    // The caller keeps the task it got back (and its input): the view must not share them.
    this.views.set(task.id, buildView(structuredClone(task), steps));
    this.evict();
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
   * again after a STALE, or when another change queued with it failed.
   */
  change<T>(taskId: string, plan: Plan<T>, actor: Actor = 'engine'): Promise<Changed<T>> {
    return new Promise<Changed<T>>((resolve, reject) => {
      const entry: Queued = { plan, actor, resolve: resolve as Queued['resolve'], reject };
      const queue = this.queued.get(taskId);
      if (queue) {
        queue.push(entry);
        return;
      }
      this.queued.set(taskId, [entry]);
      void this.locks.run(taskId, () => this.flush(taskId));
    });
  }

  /**
   * Commit what queued for the task: runs of changes by the same actor share a commit. Done at
   * once on synchronous storage, it still answers with a (settled) promise: the lock is let go
   * only after the reactions to the changes it committed ran, so the ends those reactions cause
   * (a pool's next attempts, ending at once) queue up behind it and share the next commit.
   */
  private flush(taskId: string): Maybe<void> {
    const queue = this.queued.get(taskId) ?? [];
    this.queued.delete(taskId);
    return this.flushFrom(taskId, queue, 0) ?? FLUSHED;
  }

  /**
   * Commits `queue` from `i` on, run by run. Synchronous while the plans and storage are (a chain
   * step on SQLite or memory: no promise between the end's plan and the launch of what it claimed).
   */
  private flushFrom(taskId: string, queue: Queued[], i: number): Maybe<void> {
    while (i < queue.length) {
      let j = i + 1;
      while (j < queue.length && j - i < MAX_BATCH && queue[j]!.actor === queue[i]!.actor) j++;
      const batch = i === 0 && j === queue.length ? queue : queue.slice(i, j);
      const next = j;
      // commitBatch's first try, inline: a chain step's commit passes here once per step.
      let results: Maybe<Changed<unknown>[]>;
      try {
        results = drive(this.commitPlans(taskId, batch));
      } catch (err) {
        return this.recover(taskId, batch, err).then(() => this.flushFrom(taskId, queue, next));
      }
      if (isThenable(results)) {
        return (results as Promise<Changed<unknown>[]>).then(
          (r) => {
            resolveAll(batch, r);
            return this.flushFrom(taskId, queue, next);
          },
          (err: unknown) => this.recover(taskId, batch, err).then(() => this.flushFrom(taskId, queue, next)),
        );
      }
      resolveAll(batch, results as Changed<unknown>[]);
      i = next;
    }
  }

  private async commitBatch(taskId: string, batch: Queued[]): Promise<void> {
    let results: Changed<unknown>[];
    try {
      results = await drive(this.commitPlans(taskId, batch));
    } catch (err) {
      return this.recover(taskId, batch, err);
    }
    resolveAll(batch, results);
  }

  /** The batch's commit failed with `err`: a plan that threw fails alone, a refused commit is retried change by change. */
  private async recover(taskId: string, entries: Queued[], err: unknown): Promise<void> {
    if (err instanceof PlanFailed) {
      err.entry.reject(err.cause);
      const rest = entries.filter((e) => e !== err.entry);
      if (rest.length > 0) await this.commitBatch(taskId, rest);
      return;
    }
    if (entries.length === 1) {
      entries[0]!.reject(err);
      return;
    }
    for (const e of entries) await this.commitBatch(taskId, [e]);
  }

  /**
   * Plan every entry, in order, on one draft and commit it; replanned after a STALE. A generator
   * (driven by `drive`): it runs synchronously while the view is cached, the plans answer at once
   * and storage commits synchronously (Storage.sync), and waits only for what is a promise.
   */
  private *commitPlans(taskId: string, entries: Queued[]): Steps<Changed<unknown>[]> {
    let lastStale: unknown;
    for (let i = 0; i < MAX_STALE_RETRIES; i++) {
      // The cached view is trusted optimistically: the commit names the task version it was
      // planned on, so a view another process made stale is caught (STALE) and reloaded.
      const view = this.views.get(taskId) ?? (yield* wait(this.view(taskId)));
      if (!view) return entries.map(() => undefined);
      const draft = new Draft(view, this.ctx.clock.now(), entries[0]!.actor);
      const values: unknown[] = [];
      for (const e of entries) {
        let value: unknown;
        try {
          value = e.plan(draft);
          // Most plans are synchronous: waited for only when they return a promise.
          if (isThenable(value)) value = yield* wait(value);
        } catch (cause) {
          throw new PlanFailed(e, cause);
        }
        values.push(value);
      }
      if (draft.isEmpty) return values.map((value) => ({ value, view }));
      const changes = draft.toChangeSet();
      const sync = this.ctx.storage.sync;
      try {
        // commitAndPublish, inline: the view first, then the events. Handed over to a synchronous
        // storage (nothing in a draft's changes is changed after its commit).
        const result = sync ? sync.commit(changes) : yield* wait(this.ctx.storage.commit(changes));
        applyToView(view, changes);
        if (isTaskFinished('workflow', view.task.status)) this.views.delete(taskId);
        publishCommitted(this.ctx, result);
        return values.map((value) => ({ value, view }));
      } catch (err) {
        if (!(err instanceof StaleError) && (err as { code?: unknown })?.code !== 'STALE') throw err;
        lastStale = err;
        this.views.delete(taskId);
      }
    }
    throw lastStale;
  }
}

const FLUSHED: Promise<void> = Promise.resolve();

function resolveAll(batch: Queued[], results: Changed<unknown>[]): void {
  for (let k = 0; k < batch.length; k++) batch[k]!.resolve(results[k]);
}
