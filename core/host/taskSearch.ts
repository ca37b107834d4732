/**
 * The task list's search box and its filtered selections: the newest tasks matching the filters
 * are read a page at a time and kept when they match the text, until enough are found or 10,000
 * tasks were looked at (the storage has no text index; a local workspace rarely holds more, and
 * the answer says when older tasks were left unsearched). A bulk operation over "all matching"
 * reads its selection the same way (core/host/routes/bulk.ts), so it acts on what the list finds.
 */
import type { TaskRecord } from '../model/runtime.js';
import type { Storage, TaskQuery } from '../storage/storage.js';
import { toTaskSummary, type TaskListPage } from './protocol.js';
import { taskMatches } from './taskRows.js';

export const SEARCH_SCAN_LIMIT = 10_000;
const PAGE = 500;

export interface ScanResult {
  tasks: TaskRecord[];
  scanned: number;
  /** Tasks were left unread: more matched than `want`, or the scan limit was reached. */
  truncated: boolean;
}

/** The newest `want` tasks matching `query` and the `search` text (empty: every task of the query). */
export async function scanTasks(storage: Storage, query: Omit<TaskQuery, 'cursor' | 'limit'>, search: string, want: number): Promise<ScanResult> {
  const found: TaskRecord[] = [];
  const text = search.trim();
  let scanned = 0;
  let cursor: string | undefined;
  let more = true;
  // Without a text every task read matches: no scan limit beyond `want`.
  const scanLimit = text ? SEARCH_SCAN_LIMIT : Number.POSITIVE_INFINITY;
  while (more && scanned < scanLimit && found.length < want) {
    const page = await storage.listTasks({ ...query, limit: Math.min(PAGE, scanLimit - scanned, text ? PAGE : want - found.length), ...(cursor ? { cursor } : {}) });
    scanned += page.tasks.length;
    for (const task of page.tasks) if (found.length < want && taskMatches(task, text)) found.push(task);
    cursor = page.nextCursor ?? undefined;
    more = page.nextCursor !== null && page.tasks.length > 0;
  }
  return { tasks: found, scanned, truncated: more };
}

export async function searchTasks(storage: Storage, query: Omit<TaskQuery, 'cursor' | 'limit'>, search: string, limit: number): Promise<TaskListPage> {
  const { tasks, scanned, truncated } = await scanTasks(storage, query, search, limit);
  return { tasks: tasks.map(toTaskSummary), nextCursor: null, total: tasks.length, searched: { scanned, truncated } };
}
