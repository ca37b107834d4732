/**
 * Cancellation of a running flow handler without an AbortController per run: most handlers never
 * look at `ctx.signal`, so the controller (and its AbortSignal, event target and listeners) is
 * made only when a handler reads it. A cancel before that is remembered and the signal handed out
 * later is already aborted; runAttempt checks `aborted` after the body either way.
 */
export class LazyAbort {
  private controller: AbortController | null = null;
  private why: unknown = undefined;
  aborted = false;

  /** The handler's signal, made on first use (already aborted when a cancel came first). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }

  /** Why it was aborted (the signal's `reason` when one was made). */
  get reason(): unknown {
    return this.controller ? this.controller.signal.reason : this.why;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.why = reason;
    this.controller?.abort(reason);
  }
}
