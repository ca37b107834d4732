/** Workspace insights (core/insights) for the insights panel: the same numbers as `stepwise insights --json`. */
import { z } from 'zod';
import { computeInsights, type Insights } from '../../insights/insights.js';
import { procedure, router } from '../trpc.js';

export const insightsRouter = router({
  workspace: procedure
    .input(z.object({ since: z.number().int().min(0).optional(), template: z.string().min(1).max(500).optional(), top: z.number().int().min(1).max(100).default(10) }).default({ top: 10 }))
    .query(({ ctx, input }): Promise<Insights> =>
      computeInsights(ctx.services.storage, {
        top: input.top,
        ...(input.since !== undefined ? { since: input.since } : {}),
        ...(input.template !== undefined ? { template: input.template } : {}),
      }),
    ),
});
