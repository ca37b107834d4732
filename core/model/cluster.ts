/**
 * The cluster view: the engines serving one database (from their heartbeats) and what each
 * holds (running steps' leases, flow actions' leases, task reservations). PURE: the host reads
 * the heartbeats and holds and passes them here with its clock's `now`.
 */
import type { Heartbeat, HeldFlow, HeldReservation, HeldStep, Holds } from '../storage/storage.js';

/** An engine that missed this many of its own beats is shown as gone. */
export const MISSED_BEATS_GONE = 3;
/** Heartbeats silent this long are deleted by any live engine (core/engine/runtime/heartbeat.ts). */
export const HEARTBEAT_PRUNE_MS = 60 * 60_000;

export type EngineStatus = 'alive' | 'gone';

export interface EngineHolds {
  steps: HeldStep[];
  flows: HeldFlow[];
  reservations: HeldReservation[];
}

export interface ClusterEngine extends EngineHolds {
  heartbeat: Heartbeat;
  status: EngineStatus;
  /** Time since its last beat (0 when its clock is ahead of ours). */
  silentMs: number;
}

export interface ClusterView {
  /** The `now` the statuses were computed at. */
  at: number;
  /** Alive engines first, then gone ones; by owner within each. */
  engines: ClusterEngine[];
  /**
   * Owners that hold work but have no heartbeat: an engine run without one (`stepwise run`, a
   * test harness) or one whose heartbeat was pruned after it died (its leases expire, others take over).
   */
  unannounced: Array<EngineHolds & { owner: string }>;
  /** Some list reached the storage's limit: the view shows the first rows only. */
  truncated: boolean;
  /** Engines on the database before filtering, and every heartbeat owner (for the engine filter). */
  totals: { alive: number; gone: number };
  owners: string[];
}

/**
 * What the operator narrowed the view to. The storage applies `owner` and `taskId` to the holds
 * (Storage.listHolds); here they and `status` choose the engines shown. With a task search, only
 * engines holding a matching task are shown; with a status, holders without a heartbeat are not.
 */
export interface ClusterFilter {
  owner?: string;
  status?: EngineStatus;
  taskId?: string;
}

export function engineStatus(h: Heartbeat, now: number): EngineStatus {
  return now - h.at > MISSED_BEATS_GONE * Math.max(1, h.everyMs) ? 'gone' : 'alive';
}

export function clusterView(heartbeats: readonly Heartbeat[], holds: Holds, now: number, limit: number, filter: ClusterFilter = {}): ClusterView {
  const byOwner = new Map<string, EngineHolds>();
  const of = (owner: string): EngineHolds => {
    let h = byOwner.get(owner);
    if (!h) byOwner.set(owner, (h = { steps: [], flows: [], reservations: [] }));
    return h;
  };
  for (const s of holds.steps) of(s.owner).steps.push(s);
  for (const f of holds.flows) of(f.owner).flows.push(f);
  for (const r of holds.reservations) of(r.owner).reservations.push(r);

  const engines: ClusterEngine[] = heartbeats.map((heartbeat) => ({
    heartbeat,
    status: engineStatus(heartbeat, now),
    silentMs: Math.max(0, now - heartbeat.at),
    ...(byOwner.get(heartbeat.owner) ?? { steps: [], flows: [], reservations: [] }),
  }));
  engines.sort((a, b) => (a.status === b.status ? compare(a.heartbeat.owner, b.heartbeat.owner) : a.status === 'alive' ? -1 : 1));
  const alive = engines.filter((e) => e.status === 'alive').length;
  const holding = (h: EngineHolds) => h.steps.length + h.flows.length + h.reservations.length > 0;
  const shown = engines.filter(
    (e) =>
      (filter.owner === undefined || e.heartbeat.owner === filter.owner) &&
      (filter.status === undefined || e.status === filter.status) &&
      (filter.taskId === undefined || holding(e)),
  );
  const announced = new Set(heartbeats.map((h) => h.owner));
  const unannounced =
    filter.status !== undefined
      ? []
      : [...byOwner.entries()]
          .filter(([owner]) => !announced.has(owner))
          .sort(([a], [b]) => compare(a, b))
          .map(([owner, h]) => ({ owner, ...h }));
  const truncated = holds.steps.length >= limit || holds.flows.length >= limit || holds.reservations.length >= limit;
  const owners = heartbeats.map((h) => h.owner).sort(compare);
  return { at: now, engines: shown, unannounced, truncated, totals: { alive, gone: engines.length - alive }, owners };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
