/**
 * The per-task lock: within one process, work on a task (planning and committing a change, a
 * flow's run from state to state) happens one piece at a time, in the order it was asked for.
 * Across processes, optimistic versions do the same job (a commit planned on a stale task is
 * refused with STALE). One implementation for both kinds of task.
 */
import { isThenable, type Maybe } from './maybe.js';

/** The lock held by code running synchronously (runNow): a promise only if someone queues behind it. */
class SyncHold {
  private released: Promise<void> | null = null;
  private release: (() => void) | null = null;

  /** Settles when the holder lets go. */
  done(): Promise<void> {
    return (this.released ??= new Promise<void>((resolve) => (this.release = resolve)));
  }

  end(): void {
    this.release?.();
  }
}

export class TaskLocks {
  /** Per task, what settles (never rejects) when the last holder asked for so far is done, or a synchronous holder (runNow). */
  private readonly tails = new Map<string, Promise<void> | SyncHold>();

  /**
   * Run `fn` once every earlier holder of `taskId`'s lock is done (whether it failed or not).
   * `fn` always starts in a later microtask, never within this call (callers queue work for it
   * first). Three promises per holder besides `fn`'s own: a chain step takes this lock for its
   * commit, so an async wrapper and a `finally` here were a tenth of its promises.
   */
  run<T>(taskId: string, fn: () => Maybe<T>): Promise<T> {
    const held = this.tails.get(taskId);
    const run = held === undefined ? Promise.resolve().then(fn) : (held instanceof SyncHold ? held.done() : held).then(fn);
    // Registered before the caller's reactions: the lock is released before the caller resumes.
    const release = (): void => {
      if (this.tails.get(taskId) === tail) this.tails.delete(taskId);
    };
    const tail: Promise<void> = run.then(release, release);
    this.tails.set(taskId, tail);
    return run;
  }

  /**
   * `run`, but when nothing holds the lock `fn` runs at once, and its value is answered
   * synchronously when `fn`'s is (a flow's pure steps on memory storage: no promise at all). A
   * synchronous throw of `fn` is thrown. Whoever asks for the lock meanwhile (re-entrant code)
   * queues behind it as behind any holder.
   */
  runNow<T>(taskId: string, fn: () => Maybe<T>): Maybe<T> {
    if (this.tails.has(taskId)) return this.run(taskId, fn);
    const hold = new SyncHold();
    this.tails.set(taskId, hold);
    const end = () => {
      if (this.tails.get(taskId) === hold) this.tails.delete(taskId);
      hold.end();
    };
    let out: Maybe<T>;
    try {
      out = fn();
    } catch (err) {
      end();
      throw err;
    }
    if (!isThenable(out)) {
      end();
      return out;
    }
    return (out as Promise<T>).then(
      (v) => {
        end();
        return v;
      },
      (err: unknown) => {
        end();
        throw err;
      },
    );
  }

  /** Whether anything holds or waits for the task's lock now. */
  isHeld(taskId: string): boolean {
    return this.tails.has(taskId);
  }
}
