/**
 * The cluster view: engines serving this database (heartbeats) and what each runs (step and
 * flow leases, task reservations). Read on demand: the renderer reads it again on events that
 * change holds and on a timer for heartbeats (which make no events).
 */
import { z } from 'zod';
import { clusterView, type ClusterView } from '../../model/cluster.js';
import { DEFAULT_HOLDS_LIMIT } from '../../storage/query.js';
import { procedure, router } from '../trpc.js';

export interface ClusterAnswer extends ClusterView {
  /** `sqlite`, `postgres`, … */
  storage: string;
  /** This workbench's own engine (its heartbeat owner), or null when it runs none (runners elsewhere do the work). */
  self: string | null;
}

export const clusterRouter = router({
  view: procedure.input(z.object({ limit: z.number().int().min(1).max(DEFAULT_HOLDS_LIMIT).default(200) }).default({ limit: 200 })).query(async ({ ctx, input }): Promise<ClusterAnswer> => {
    const s = ctx.services;
    // On PostgreSQL runners keep time on the database's clock (their heartbeats and leases are written
    // with it): judge them by it too, not by this machine's clock.
    const now = s.storage.now ? await s.storage.now() : s.clock.now();
    const [heartbeats, holds] = await Promise.all([s.storage.heartbeats(), s.storage.listHolds(now, input.limit)]);
    return { ...clusterView(heartbeats, holds, now, input.limit), storage: s.storage.kind, self: s.engineOwner ?? null };
  }),
});
