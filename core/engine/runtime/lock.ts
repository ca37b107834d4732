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
  private readonly tails = new Map<string, Promise<unknown> | SyncHold>();

  /** Run `fn` once every earlier holder of `taskId`'s lock is done (whether it failed or not). */
  async run<T>(taskId: string, fn: () => Promise<T>): Promise<T> {
    const held = this.tails.get(taskId);
    const previous = held instanceof SyncHold ? held.done() : (held ?? Promise.resolve());
    const run = previous.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(taskId, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(taskId) === tail) this.tails.delete(taskId);
    }
  }

  /**
   * `run`, but when nothing holds the lock `fn` runs at once, and its value is answered
   * synchronously when `fn`'s is (a flow's pure steps on memory storage: no promise at all). A
   * synchronous throw of `fn` is thrown. Whoever asks for the lock meanwhile (re-entrant code)
   * queues behind it as behind any holder.
   */
  runNow<T>(taskId: string, fn: () => Maybe<T>): Maybe<T> {
    if (this.tails.has(taskId)) return this.run(taskId, async () => fn());
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
