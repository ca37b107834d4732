/**
 * Folding consecutive changes of one flow task into one storage commit. A state run, the pure
 * steps that follow it (decisions and waits whose conditions answer synchronously, entering a
 * result) and an interaction with the wait re-check it causes are planned against the task as it
 * will be (`current`), and committed together: every change keeps its own transition rows and
 * events, in order, in the one transaction. The driver flushes before any handler with side
 * effects runs (actions, on_timeout handlers), so a crash never loses a completed action.
 */
import type { TaskRecord } from '../../model/runtime.js';
import type { FlowTemplate } from '../../model/template.js';
import type { ChangeSet, CommitResult } from '../../storage/storage.js';
import { isThenable, promised, after, type Maybe } from '../runtime/maybe.js';
import type { FlowRuntime } from './runtime.js';
import { copyRecord } from '../../model/jsonCopy.js';

export class TaskBatch {
  /** The task as it will be once the pending changes are committed (version: the stored one). */
  current: TaskRecord;
  /** `current` was read from storage (or just inserted) and nothing was committed since. */
  fresh: boolean;
  /** The pending changes hold something that must not be dropped silently (an interaction). */
  critical = false;
  /** Seq of the last event of this batch's last commit (null: none yet, or it had no events). */
  private committedEventSeq: number | null = null;
  private pending: Required<Pick<ChangeSet, 'updateTasks' | 'transitions' | 'events' | 'insertAttempts'>> | null = null;
  /** A flush that failed (STALE) while a condition was awaited; rethrown at the next flush. */
  private broken: unknown = null;
  /** The task's template, resolved once per batch (a registry lookup parses and scans). */
  private resolved: FlowTemplate | null = null;

  constructor(
    private readonly rt: FlowRuntime,
    task: TaskRecord,
    fresh = true,
  ) {
    this.current = task;
    this.fresh = fresh;
  }

  get template(): FlowTemplate {
    return (this.resolved ??= this.rt.templateOf(this.current));
  }

  get hasPending(): boolean {
    return this.pending !== null;
  }

  /** Adds one planned change of this task (its `expectedVersion` is the batch's to decide). */
  add(changes: ChangeSet, opts: { critical?: boolean } = {}): void {
    if (this.broken) return;
    const patch = changes.updateTasks?.[0];
    if (changes.insertTasks?.length || (changes.updateTasks?.length ?? 0) > 1 || (patch && patch.id !== this.current.id)) {
      throw new Error(`TaskBatch only folds changes of task ${this.current.id}`);
    }
    if (!this.pending) {
      this.pending = { updateTasks: [{ id: this.current.id, expectedVersion: this.current.version, set: {} }], transitions: [], events: [], insertAttempts: [] };
    }
    const into = this.pending.updateTasks[0]!.set as Record<string, unknown>;
    const next = { ...this.current } as unknown as Record<string, unknown>;
    const set = (patch?.set ?? {}) as Record<string, unknown>;
    for (const k in set) {
      const v = set[k];
      if (v === undefined) continue;
      into[k] = v;
      next[k] = v;
    }
    for (const t of changes.transitions ?? []) this.pending.transitions.push(t);
    for (const e of changes.events ?? []) this.pending.events.push(e);
    for (const a of changes.insertAttempts ?? []) this.pending.insertAttempts.push(a);
    this.current = next as unknown as TaskRecord;
    if (opts.critical) this.critical = true;
  }

  /**
   * Commits what is pending (one transaction); throws StaleError when the task changed meanwhile.
   * Synchronous on storage that answers synchronously (FlowRuntime.commit).
   */
  flush(): Maybe<void> {
    if (this.broken) throw this.broken;
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    const changes: ChangeSet = { updateTasks: pending.updateTasks, transitions: pending.transitions, events: pending.events };
    if (pending.insertAttempts.length) changes.insertAttempts = pending.insertAttempts;
    const failed = (err: unknown): never => {
      this.broken = err;
      throw err;
    };
    let result: Maybe<CommitResult>;
    try {
      result = this.rt.commit(changes);
    } catch (err) {
      return failed(err);
    }
    return isThenable(result) ? result.then((r) => this.flushed(r), failed) : this.flushed(result);
  }

  private flushed({ events }: CommitResult): void {
    this.committedEventSeq = events.length > 0 ? events[events.length - 1]!.seq : null;
    this.current = { ...this.current, version: this.current.version + 1 };
    this.fresh = false;
    this.critical = false;
  }

  /**
   * Flush before awaiting a slow (async) condition, so finished work is not held back by it. A
   * failure is kept for the next flush rather than thrown into the condition (it is not its fault).
   */
  async flushQuietly(): Promise<void> {
    await promised(() => this.flush()).catch(() => undefined); // kept in `broken` by flush
  }

  /**
   * The task as storage holds it after the last flush (or the read this batch started from), as
   * a private copy: the record shares `data` with the events just published. Nothing may be
   * pending. Spares reading back what this batch itself just wrote.
   */
  stored(): TaskRecord {
    if (this.pending) throw new Error('TaskBatch.stored with pending changes');
    if (this.broken) throw this.broken;
    return copyRecord(this.current);
  }

  /**
   * Whether `current` is still what storage holds, checked cheaply: every change of a task is
   * announced by an event, so when the newest event in storage is still the last one this batch
   * committed, nobody (in this process or another) changed anything since. Any other event —
   * of this task or of another — answers false and the caller reads the task again.
   */
  unchangedSinceFlush(): Maybe<boolean> {
    if (this.pending || this.broken || this.committedEventSeq === null) return false;
    const storage = this.rt.ctx.storage;
    const unchanged = (last: number): boolean => {
      if (last !== this.committedEventSeq) return false;
      this.fresh = true;
      return true;
    };
    return storage.sync ? unchanged(storage.sync.lastEventSeq()) : storage.lastEventSeq().then(unchanged);
  }

  /** Reads the task again (nothing may be pending). */
  refresh(): Maybe<void> {
    if (this.pending) throw new Error('TaskBatch.refresh with pending changes');
    if (this.broken) throw this.broken;
    return after(this.rt.getTask(this.current.id), (task) => {
      this.current = task;
      this.fresh = true;
      this.resolved = null;
    });
  }
}
