/**
 * The one commit-then-publish path: a ChangeSet is committed in one transaction and its events,
 * as storage numbered them, are published on the bus after the commit and never before (a
 * listener never sees an event that a failed commit did not store). Every engine write — task
 * creation, the TaskStore's planned changes, deletions, operations — goes through here.
 */
import type { ChangeSet, CommitResult } from '../../storage/storage.js';
import type { EngineContext } from '../context.js';

export async function commitAndPublish(
  ctx: Pick<EngineContext, 'storage' | 'bus'>,
  changes: ChangeSet,
  /** Runs after the commit, before the events go out (caches brought up to date first). */
  committed?: (result: CommitResult) => void,
): Promise<CommitResult> {
  const result = await ctx.storage.commit(changes);
  committed?.(result);
  publishCommitted(ctx, result);
  return result;
}

/** The publishing half, for a caller that awaited `storage.commit` itself (the TaskStore: one async layer less per commit). */
export function publishCommitted(ctx: Pick<EngineContext, 'bus'>, result: CommitResult): void {
  if (result.events.length > 0) ctx.bus.publish(result.events);
}
