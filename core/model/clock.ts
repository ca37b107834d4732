/**
 * The one source of time. The engine never calls Date.now() or the global timers directly: the
 * time it records and the timers it waits on (attempt timeouts, lease renewal, the loop's
 * polling) come from one injected Clock, so a test moves both with `ManualClock.advance`.
 */
export interface ClockTimer {
  /** The system clock: let the process exit while only this timer is pending. */
  unref(): void;
}

export interface Clock {
  now(): number;
  /**
   * Call `fn` once, `ms` of this clock's time from now (at once for 0 or less). Any length works:
   * the system clock chains timers past what Node's can hold (about 24.8 days).
   */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Cancel a timer (nothing happens for one that fired or was cancelled, or null). */
  clearTimeout(timer: ClockTimer | null | undefined): void;
}

/** The longest delay Node's setTimeout holds (2^31 - 1 ms); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A system timer longer than MAX_TIMER_MS: re-armed until its time has come. */
class ChainedTimer implements ClockTimer {
  private handle: NodeJS.Timeout | null = null;
  private unrefd = false;

  constructor(
    private readonly fn: () => void,
    private readonly at: number,
  ) {
    this.arm();
  }

  private arm(): void {
    const left = this.at - Date.now();
    this.handle = setTimeout(
      () => {
        if (Date.now() >= this.at) this.fn();
        else this.arm();
      },
      Math.min(Math.max(0, left), MAX_TIMER_MS),
    );
    if (this.unrefd) this.handle.unref();
  }

  unref(): void {
    this.unrefd = true;
    this.handle?.unref();
  }

  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
  }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => (ms > MAX_TIMER_MS ? new ChainedTimer(fn, Date.now() + ms) : setTimeout(fn, Math.max(0, ms))),
  clearTimeout: (timer) => {
    if (!timer) return;
    if (timer instanceof ChainedTimer) timer.cancel();
    else clearTimeout(timer as NodeJS.Timeout);
  },
};

/** The system clock shifted by `offsetMs` (a process that pretends to be later, in tests). */
export function offsetClock(offsetMs: number): Clock {
  return { ...systemClock, now: () => Date.now() + offsetMs };
}

interface ManualTimer extends ClockTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock for tests and simulations: time moves only when told to, and timers fire (in time
 * order, synchronously) while `advance` or `set` moves the time past them.
 */
export class ManualClock implements Clock {
  private t: number;
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): number {
    this.moveTo(this.t + ms);
    return this.t;
  }

  set(t: number): void {
    this.moveTo(t);
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer: ManualTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false, unref: () => {} };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(timer: ClockTimer | null | undefined): void {
    if (!timer) return;
    (timer as ManualTimer).cancelled = true;
    this.timers = this.timers.filter((t) => t !== timer);
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next timer fires, or null when none is pending. */
  nextTimerAt(): number | null {
    const next = this.earliest();
    return next ? next.at : null;
  }

  private earliest(): ManualTimer | undefined {
    let first: ManualTimer | undefined;
    for (const t of this.timers) if (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq)) first = t;
    return first;
  }

  private moveTo(target: number): void {
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      // Time stands at each timer's moment while it fires (a timer set then counts from there).
      if (next.at > this.t) this.t = next.at;
      next.fn();
    }
    this.t = target;
  }
}
