/**
 * Query conventions shared by every implementation: default limits, the task-list cursor, and the
 * statuses that count as finished. Keeping them here makes memory and SQLite page identically.
 */
import { StepwiseError } from '../model/errors.js';
import type { TaskStatus } from '../model/states.js';
import { TASK_FINISHED } from '../model/states.js';
import type { ChangeSet, TaskQuery } from './storage.js';

export const DEFAULT_TASK_PAGE = 50;
export const DEFAULT_EVENT_PAGE = 1000;
export const DEFAULT_SCAN_LIMIT = 100;
/** Rows per list of Storage.listHolds (the cluster view shows a page of each). */
export const DEFAULT_HOLDS_LIMIT = 500;

/** Statuses of a task that will not run again by itself (workflow and flow). */
export const FINISHED_STATUSES: readonly TaskStatus[] = TASK_FINISHED;

/** Tasks a change moves to a finished status: their reservations end in the same commit (Storage.commit). */
export function tasksFinishedBy(c: ChangeSet): string[] {
  const ids: string[] = [];
  for (const p of c.updateTasks ?? []) if (p.set.status !== undefined && FINISHED_STATUSES.includes(p.set.status)) ids.push(p.id);
  return ids;
}

export function limitOf(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new StepwiseError('USAGE', `A limit must be a non-negative integer, got ${String(limit)}.`, { limit });
  }
  return limit;
}

export function statusesOf(query: TaskQuery): TaskStatus[] | null {
  if (query.status === undefined) return null;
  return Array.isArray(query.status) ? query.status : [query.status];
}

/** Position in the newest-first task order: (createdAt DESC, id DESC). */
export interface TaskCursor {
  createdAt: number;
  id: string;
}

export function encodeTaskCursor(c: TaskCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id]), 'utf8').toString('base64url');
}

export function decodeTaskCursor(cursor: string): TaskCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new StepwiseError('USAGE', `The task list cursor '${cursor}' is not one this storage returned; start again without a cursor.`, { cursor });
}

/** True when `t` comes after the cursor in newest-first order. */
export function isAfterCursor(t: TaskCursor, c: TaskCursor): boolean {
  return t.createdAt < c.createdAt || (t.createdAt === c.createdAt && t.id < c.id);
}

/** Newest first, ties broken by id descending (what SQLite's ORDER BY does with BINARY ids). */
export function compareNewestFirst(a: TaskCursor, b: TaskCursor): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
