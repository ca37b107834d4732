/**
 * The cluster view: engines serving this database (heartbeats) and what each runs (step and
 * flow leases, task reservations). Read on demand: the renderer reads it again on events that
 * change holds and on a timer for heartbeats (which make no events).
 */
import { z } from 'zod';
import { clusterView, type ClusterFilter, type ClusterView } from '../../model/cluster.js';
import { DEFAULT_HOLDS_LIMIT } from '../../storage/query.js';
import { procedure, router } from '../trpc.js';

export interface ClusterAnswer extends ClusterView {
  /** `sqlite`, `postgres`, … */
  storage: string;
  /** This workbench's own engine (its heartbeat owner), or null when it runs none (runners elsewhere do the work). */
  self: string | null;
}

const ViewInput = z
  .object({
    limit: z.number().int().min(1).max(DEFAULT_HOLDS_LIMIT).default(200),
    /** One engine (its heartbeat owner). */
    owner: z.string().min(1).max(200).optional(),
    status: z.enum(['alive', 'gone']).optional(),
    /** Part of a task id (case-insensitive). */
    task: z.string().max(100).optional(),
  })
  .default({ limit: 200 });

export const clusterRouter = router({
  view: procedure.input(ViewInput).query(async ({ ctx, input }): Promise<ClusterAnswer> => {
    const s = ctx.services;
    // On PostgreSQL runners keep time on the database's clock (their heartbeats and leases are written
    // with it): judge them by it too, not by this machine's clock.
    const now = s.storage.now ? await s.storage.now() : s.clock.now();
    const task = input.task?.trim() || undefined;
    const filter: ClusterFilter = { ...(input.owner ? { owner: input.owner } : {}), ...(input.status ? { status: input.status } : {}), ...(task ? { taskId: task } : {}) };
    // Filtered where the rows are: an operator with thousands of holds finds an engine's or a task's past the page limit.
    const holdsFilter = { ...(filter.owner ? { owner: filter.owner } : {}), ...(filter.taskId ? { taskId: filter.taskId } : {}) };
    const [heartbeats, holds] = await Promise.all([s.storage.heartbeats(), s.storage.listHolds(now, input.limit, holdsFilter)]);
    return { ...clusterView(heartbeats, holds, now, input.limit, filter), storage: s.storage.kind, self: s.engineOwner ?? null };
  }),
});
