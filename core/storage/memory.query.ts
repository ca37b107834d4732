/** Pure helpers for MemoryStorage's queries; each mirrors one SQL query of SqliteStorage. */
import type { TaskRecord } from '../model/runtime.js';
import type { TaskStatus } from '../model/states.js';
import type { TaskQuery } from './storage.js';
import { FINISHED_STATUSES } from './query.js';

export function matchesTask(t: TaskRecord, q: TaskQuery, statuses: TaskStatus[] | null): boolean {
  return (
    (statuses === null || statuses.includes(t.status)) &&
    (q.kind === undefined || t.kind === q.kind) &&
    (q.namespace === undefined || t.namespace === q.namespace) &&
    (q.name === undefined || t.name === q.name) &&
    (q.templateRef === undefined || t.templateRef === q.templateRef) &&
    (q.parentTaskId === undefined || t.parentTaskId === q.parentTaskId) &&
    (q.participant === undefined || t.participants.includes(q.participant))
  );
}

/**
 * When a task is due at `now`, or null: a waiting task whose wakeAt passed, or an unfinished task
 * whose timeoutAt passed; the earlier of the two when both.
 */
export function dueAtOfTask(t: TaskRecord, now: number): number | null {
  const wake = t.status === 'waiting' && t.wakeAt !== null && t.wakeAt <= now ? t.wakeAt : null;
  const timeout = t.timeoutAt !== null && t.timeoutAt <= now && !FINISHED_STATUSES.includes(t.status) ? t.timeoutAt : null;
  if (wake === null) return timeout;
  if (timeout === null) return wake;
  return Math.min(wake, timeout);
}

export function byDueThenId(a: { id: string; due: number }, b: { id: string; due: number }): number {
  if (a.due !== b.due) return a.due - b.due;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Index of the first item with seq > afterSeq in a list sorted by seq (binary search). */
export function firstIndexAfter(list: ReadonlyArray<{ seq: number }>, afterSeq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq <= afterSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
