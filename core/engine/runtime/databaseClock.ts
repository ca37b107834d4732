/**
 * The engine's clock on a database shared by several machines: the machine's clock plus its
 * measured offset from the database's clock (Storage.now, PostgreSQL's clock_timestamp()). Every
 * time an engine writes or compares — leases and their expiry, retry and wake times, timeouts,
 * heartbeats — is then the database's time, so a runner whose clock runs minutes ahead does not
 * take over steps whose leases are still good, and one whose clock runs behind does not write
 * leases that have already expired for the others. Timers (how long to wait) stay on the
 * machine's clock: durations do not depend on the offset.
 *
 * The offset is measured at open (the midpoint of one round trip: off by at most half of it) and
 * again every `resyncMs` in the background; the time it gives never goes backwards.
 */
import type { Clock, ClockTimer } from '../../model/clock.js';

/** How often the offset is measured again (clocks drift; NTP steps them). */
export const RESYNC_MS = 60_000;

export class DatabaseClock implements Clock {
  private offset = 0;
  private syncedAt = -Infinity;
  private syncing: Promise<void> | null = null;
  private last = -Infinity;

  constructor(
    /** The machine's clock (injected in tests). */
    private readonly base: Clock,
    /** Reads the database's clock. */
    private readonly source: () => Promise<number>,
    private readonly resyncMs = RESYNC_MS,
  ) {}

  /** Measures the offset now; returns it (database minus machine, ms). */
  async sync(): Promise<number> {
    const before = this.base.now();
    const db = await this.source();
    const after = this.base.now();
    this.offset = Math.round(db - (before + after) / 2);
    this.syncedAt = after;
    return this.offset;
  }

  /** Database minus machine, ms, as last measured. */
  get offsetMs(): number {
    return this.offset;
  }

  now(): number {
    const local = this.base.now();
    if (local - this.syncedAt >= this.resyncMs && !this.syncing) {
      // In the background; a failure (database away, storage closed) keeps the last offset and tries again later.
      this.syncing = this.sync()
        .then(
          () => undefined,
          () => {
            this.syncedAt = local;
          },
        )
        .finally(() => (this.syncing = null));
    }
    const t = local + this.offset;
    // A new measurement may move the offset back by a few ms: time handed out never goes backwards.
    if (t < this.last) return this.last;
    this.last = t;
    return t;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.base.setTimeout(fn, ms);
  }

  clearTimeout(timer: ClockTimer | null | undefined): void {
    this.base.clearTimeout(timer);
  }
}
