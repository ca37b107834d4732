/**
 * The task list's search box: the newest tasks matching the filters are read a page at a time
 * and kept when they match the text, until a page of results is found or 10,000 tasks were
 * looked at (the storage has no text index; a local workspace rarely holds more, and the answer
 * says when older tasks were left unsearched).
 */
import type { Storage, TaskQuery } from '../storage/storage.js';
import { toTaskSummary, type TaskListPage, type TaskSummary } from './protocol.js';
import { taskMatches } from './taskRows.js';

export const SEARCH_SCAN_LIMIT = 10_000;
const PAGE = 500;

export async function searchTasks(storage: Storage, query: Omit<TaskQuery, 'cursor' | 'limit'>, search: string, limit: number): Promise<TaskListPage> {
  const found: TaskSummary[] = [];
  let scanned = 0;
  let cursor: string | undefined;
  let more = true;
  while (more && scanned < SEARCH_SCAN_LIMIT && found.length < limit) {
    const page = await storage.listTasks({ ...query, limit: Math.min(PAGE, SEARCH_SCAN_LIMIT - scanned), ...(cursor ? { cursor } : {}) });
    scanned += page.tasks.length;
    for (const task of page.tasks) if (found.length < limit && taskMatches(task, search)) found.push(toTaskSummary(task));
    cursor = page.nextCursor ?? undefined;
    more = page.nextCursor !== null && page.tasks.length > 0;
  }
  return { tasks: found, nextCursor: null, total: found.length, searched: { scanned, truncated: more } };
}
