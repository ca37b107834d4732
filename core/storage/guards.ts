/**
 * Concurrency guards (ChangeSet.concurrencyGuards): the per-key limit of running steps, checked
 * inside the commit so it holds across engines sharing a database. Counting running steps and
 * claiming in a later commit is check-then-act: two engines could both see 9 of 10 and both
 * start one. Evaluated in the commit (SQLite: under BEGIN IMMEDIATE, which serialises writers;
 * memory: synchronously, before anything is written), the count is exact.
 */
import type { ChangeSet } from './storage.js';
import { ConcurrencyLimitError, invalidChange } from './errors.js';

export interface ConcurrencyGuard {
  /** The rendered concurrency key (StepRecord.concurrencyKey). */
  key: string;
  /** Most running steps holding `key` this commit may leave. */
  limit: number;
}

/** What the guard check reads from the current state (before the commit). */
export interface GuardLookup {
  /** Running steps holding `key`, across all tasks. */
  runningWithKey(key: string): number;
  /** State and key of an existing step, or null. */
  stepRun(id: string): { state: string; concurrencyKey: string | null } | null;
}

/** USAGE check, with the other malformed-change checks (before anything is read). */
export function validateGuards(c: ChangeSet): void {
  for (const g of c.concurrencyGuards ?? []) {
    if (typeof g?.key !== 'string' || !Number.isInteger(g.limit) || g.limit < 0) {
      throw invalidChange(`a concurrency guard needs a string key and a non-negative integer limit (got ${JSON.stringify(g)}).`, { guard: g as never });
    }
  }
}

/**
 * Refuses (CONCURRENCY_LIMIT) a commit that raises the number of running steps holding a guarded
 * key above its limit. Steps this commit moves out of `running` (or to another key) free their
 * slot for the ones it starts; a commit that starts no step with the key passes even if the key
 * is already over its limit (it makes nothing worse). Tasks deleted by the commit are not counted out.
 */
export function checkGuards(c: ChangeSet, db: GuardLookup): void {
  const guards = c.concurrencyGuards;
  if (!guards || guards.length === 0) return;
  const limits = new Map<string, number>();
  for (const g of guards) limits.set(g.key, Math.min(g.limit, limits.get(g.key) ?? Infinity));
  const delta = new Map<string, number>();
  const add = (key: string | null | undefined, n: number) => {
    if (key !== null && key !== undefined && limits.has(key)) delta.set(key, (delta.get(key) ?? 0) + n);
  };
  for (const s of c.insertSteps ?? []) if (s.state === 'running') add(s.concurrencyKey, 1);
  for (const p of c.updateSteps ?? []) {
    if (p.set.state === undefined && p.set.concurrencyKey === undefined) continue;
    const before = db.stepRun(p.id);
    if (!before) continue; // an inserted-then-patched step is refused earlier; nothing to count
    const state = p.set.state ?? before.state;
    const key = p.set.concurrencyKey !== undefined ? p.set.concurrencyKey : before.concurrencyKey;
    if (before.state === 'running') add(before.concurrencyKey, -1);
    if (state === 'running') add(key, 1);
  }
  for (const [key, limit] of limits) {
    const started = delta.get(key) ?? 0;
    if (started <= 0) continue;
    const running = db.runningWithKey(key);
    if (running + started > limit) throw new ConcurrencyLimitError(key, limit, running);
  }
}
