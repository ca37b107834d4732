/**
 * Deadlines of many short calls on one timer. A flow's conditions, interaction bodies and
 * on_timeout handlers are bounded (./guarded.ts), but nearly all of them settle within a few
 * microtasks: arming and clearing a clock timer for each (four per registration flow) cost more
 * than the calls. Here each clock has one timer, armed for the earliest pending deadline and
 * left armed when the calls settle (it finds nothing due and stops); while no call is pending
 * it does not keep the process alive.
 */
import type { Clock, ClockTimer } from '../../model/clock.js';

/** A pending call's deadline; `expire` runs once if it is still pending at `at`. */
export interface Deadline {
  readonly at: number;
  expire(): void;
}

class Deadlines {
  private readonly pending = new Set<Deadline>();
  private timer: ClockTimer | null = null;
  /** When the armed timer fires (Infinity: none armed). */
  private timerAt = Number.POSITIVE_INFINITY;
  /** Whether the armed timer keeps the process alive (only while something is pending). */
  private held = false;

  constructor(private readonly clock: Clock) {}

  add(d: Deadline): void {
    this.pending.add(d);
    if (d.at < this.timerAt) this.arm(d.at);
    else if (!this.held) this.hold();
  }

  delete(d: Deadline): void {
    if (!this.pending.delete(d) || this.pending.size > 0 || !this.held) return;
    this.timer?.unref();
    this.held = false;
  }

  /** The armed timer was let go of (unref'd) and a call is pending again: keep the process alive. */
  private hold(): void {
    const timer = this.timer as (ClockTimer & { ref?(): void }) | null;
    if (timer?.ref) {
      timer.ref();
      this.held = true;
    } else this.arm(this.timerAt);
  }

  private arm(at: number): void {
    this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.held = true;
    this.timer = this.clock.setTimeout(() => this.fire(), at - this.clock.now());
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.held = false;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const d of [...this.pending]) {
      if (d.at <= now) {
        this.pending.delete(d);
        d.expire();
      } else if (d.at < next) next = d.at;
    }
    if (next !== Number.POSITIVE_INFINITY && next < this.timerAt) this.arm(next);
  }
}

const byClock = new WeakMap<Clock, Deadlines>();

/** Runs `d.expire` at `d.at` of `clock`'s time unless `cancel` is called first. */
export function addDeadline(clock: Clock, d: Deadline): () => void {
  let deadlines = byClock.get(clock);
  if (!deadlines) byClock.set(clock, (deadlines = new Deadlines(clock)));
  deadlines.add(d);
  return () => deadlines.delete(d);
}
