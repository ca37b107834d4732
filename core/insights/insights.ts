/**
 * `computeInsights(storage, filter)`: the thin reader behind the workbench's insights panel and
 * `stepwise insights`. It pages through the matching tasks newest first, reads each page's steps
 * and attempts in two bulk queries, and feeds them to the pure accumulator in ./aggregate.ts, so
 * memory holds one page of records plus the durations being ranked.
 */
import { StepwiseError } from '../model/errors.js';
import type { Storage, TaskQuery } from '../storage/storage.js';
import { InsightsAccumulator, type AggregateOptions, type Insights, type InsightsFilter } from './aggregate.js';

export type { Insights, InsightsFilter, SlowStep, FailingStep, SlowTask, LastError, StepKey } from './aggregate.js';
export { aggregateInsights, InsightsAccumulator } from './aggregate.js';

export interface ComputeInsightsOptions extends InsightsFilter, AggregateOptions {
  /** Tasks read per page. Default 500. */
  pageSize?: number;
}

/** `namespace/name@version` (exact), `namespace/name`, or a bare `name`, as task-list filters. */
export function templateQuery(template: string): Partial<TaskQuery> {
  const t = template.trim();
  if (t === '') throw new StepwiseError('USAGE', 'The template filter is empty; give namespace/name, namespace/name@version or name.');
  if (t.includes('@')) return { templateRef: t };
  const slash = t.lastIndexOf('/');
  return slash >= 0 ? { namespace: t.slice(0, slash), name: t.slice(slash + 1) } : { name: t };
}

export async function computeInsights(storage: Storage, options: ComputeInsightsOptions = {}): Promise<Insights> {
  const { since, namespace, template, pageSize = 500, ...aggregate } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new StepwiseError('USAGE', `pageSize must be a positive integer; got ${String(pageSize)}.`);
  if (since !== undefined && !Number.isFinite(since)) throw new StepwiseError('USAGE', `since must be a time in epoch milliseconds; got ${String(since)}.`);
  const filter: InsightsFilter = {
    ...(since !== undefined ? { since } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(template !== undefined ? { template } : {}),
  };
  const query: TaskQuery = { ...(template !== undefined ? templateQuery(template) : {}) };
  if (namespace !== undefined) {
    const named = query.namespace ?? (query.templateRef !== undefined ? query.templateRef.slice(0, Math.max(0, query.templateRef.lastIndexOf('/'))) : undefined);
    if (named !== undefined && named !== namespace) {
      throw new StepwiseError('USAGE', `The template filter names namespace '${named}' but the namespace filter is '${namespace}'; give one of them.`);
    }
    if (query.templateRef === undefined) query.namespace = namespace;
  }
  const acc = new InsightsAccumulator(filter, aggregate);
  let cursor: string | undefined;
  for (;;) {
    const page = await storage.listTasks({ ...query, limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    const tasks = since === undefined ? page.tasks : page.tasks.filter((t) => t.createdAt >= since);
    if (tasks.length > 0) {
      const ids = tasks.map((t) => t.id);
      const [steps, attempts] = await Promise.all([storage.getStepsOfTasks(ids), storage.listAttemptsOfTasks(ids)]);
      acc.add({ tasks, steps, attempts });
    }
    // Newest first: once a page reaches a task older than `since`, every later page is older too.
    if (page.nextCursor === null || tasks.length < page.tasks.length) break;
    cursor = page.nextCursor;
  }
  return acc.result();
}
