/**
 * An engine's heartbeat in storage: who it is (owner, machine, pid, version, when it started) and
 * that it is still alive, written every `everyMs`. The workbench's cluster view reads these to
 * show the engines serving a database, and which are gone (core/model/cluster.ts). Each engine
 * also prunes heartbeats silent for HEARTBEAT_PRUNE_MS (engines killed before removing theirs).
 */
import { hostname } from 'node:os';
import type { ClockTimer } from '../../model/clock.js';
import { HEARTBEAT_PRUNE_MS } from '../../model/cluster.js';
import { packageVersion } from '../../packageInfo.js';
import type { Heartbeat } from '../../storage/storage.js';
import type { EngineContext } from '../context.js';

/** Prune at most this often (a DELETE per engine per minute). */
const PRUNE_EVERY_MS = 60_000;

export interface HeartbeatWriter {
  /** Stops beating (a beat in flight still lands). */
  stop(): void;
  /** Waits for a beat in flight, then removes this engine's heartbeat (a clean stop). */
  remove(): Promise<void>;
}

export function startHeartbeat(ctx: EngineContext, kind: string, everyMs: number, onError: (err: unknown, where: string) => void): HeartbeatWriter {
  const startedAt = ctx.clock.now();
  const identity = { owner: ctx.owner, pid: process.pid, kind, host: hostname(), startedAt, version: packageVersion(), everyMs };
  let timer: ClockTimer | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  let lastPrune = -Infinity;
  let stopped = false;

  const beat = async () => {
    const now = ctx.clock.now();
    const heartbeat: Heartbeat = { ...identity, at: now };
    await ctx.storage.beat(heartbeat).catch((err) => onError(err, 'writing the heartbeat'));
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = now;
      await ctx.storage.pruneHeartbeats(now - HEARTBEAT_PRUNE_MS).catch((err) => onError(err, 'pruning old heartbeats'));
    }
  };
  const next = () => {
    if (stopped) return;
    inFlight = beat();
    timer = ctx.clock.setTimeout(next, everyMs);
  };
  next();

  return {
    stop() {
      stopped = true;
      ctx.clock.clearTimeout(timer);
      timer = null;
    },
    async remove() {
      this.stop();
      await inFlight;
      await ctx.storage.removeHeartbeat(ctx.owner).catch((err) => onError(err, 'removing the heartbeat'));
    },
  };
}
