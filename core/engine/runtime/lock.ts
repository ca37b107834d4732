/**
 * The per-task lock: within one process, work on a task (planning and committing a change, a
 * flow's run from state to state) happens one piece at a time, in the order it was asked for.
 * Across processes, optimistic versions do the same job (a commit planned on a stale task is
 * refused with STALE). One implementation for both kinds of task.
 */
export class TaskLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Run `fn` once every earlier holder of `taskId`'s lock is done (whether it failed or not). */
  async run<T>(taskId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(taskId) ?? Promise.resolve();
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

  /** Whether anything holds or waits for the task's lock now. */
  isHeld(taskId: string): boolean {
    return this.tails.has(taskId);
  }
}
