/**
 * The tasks this engine works on, reserved in storage (Storage.reserveTasks) so engines sharing a
 * database take different tasks instead of racing for the same ready steps — every commit of a
 * task checks the task's version, so two engines working one task refuse each other's commits
 * (STALE) and redo them. A reservation is a hint, never a lock: claims still rest on versions
 * and leases, and a reservation that lapses (its engine died or is busy) lets others in.
 *
 * Reservations are taken a task at a time (the next task only when slots are left over), renewed
 * for the tasks this engine runs steps of, and released when the engine stops.
 */
import type { EngineContext } from '../context.js';

/**
 * How long a reservation lasts without renewal: a quarter of the step lease, at most 5 s. Short,
 * because an engine that stopped working a task (its steps wait for a retry, it died) keeps
 * others off it until then; renewals come with the scheduling rounds (every poll at least).
 */
export function reservationTtlMs(leaseMs: number): number {
  return Math.max(1, Math.min(Math.round(leaseMs / 4), 5_000));
}

export class Reservations {
  readonly ttlMs: number;
  private renewedAt = -Infinity;
  /** Whether this engine reserved anything since it last released (engines that never do write nothing on stop). */
  private used = false;

  constructor(
    private readonly ctx: EngineContext,
    /** Ids of tasks this engine has attempts running in (their reservations are kept). */
    private readonly running: () => Iterable<string>,
  ) {
    this.ttlMs = reservationTtlMs(ctx.leaseMs);
  }

  /** Renews the running tasks' reservations and reserves up to `limit` tasks with ready steps. */
  async reserve(limit: number): Promise<string[]> {
    const { ctx } = this;
    const now = ctx.clock.now();
    this.used = true;
    const ids = await ctx.storage.reserveTasks(ctx.owner, { limit, ttlMs: this.ttlMs, now, renew: [...new Set(this.running())] });
    this.renewedAt = now;
    return ids;
  }

  /**
   * Of these tasks (flows this engine found work in: due, active, lease expired), the ones it
   * holds now: reserved unless another engine holds them, which then works on them instead.
   */
  async take(taskIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (taskIds.length === 0) return new Set();
    const { ctx } = this;
    const now = ctx.clock.now();
    this.used = true;
    const ids = await ctx.storage.reserveTasks(ctx.owner, { limit: 0, ttlMs: this.ttlMs, now, renew: [...new Set(this.running())], take: taskIds });
    this.renewedAt = now;
    return new Set(ids);
  }

  /** Renews the running tasks' reservations when a third of their time has passed (a busy engine reserves nothing new). */
  async keepAlive(): Promise<void> {
    if (this.ctx.clock.now() - this.renewedAt < this.ttlMs / 3) return;
    await this.reserve(0);
  }

  async releaseAll(): Promise<void> {
    if (!this.used) return;
    this.used = false;
    this.renewedAt = -Infinity;
    await this.ctx.storage.releaseTasks(this.ctx.owner);
  }
}
