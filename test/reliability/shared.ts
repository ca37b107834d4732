/** Helpers the reliability tests share: a user's environment for real commands, and whole task lists. */
import type { TaskRecord } from '../../core/model/runtime.js';
import type { Storage } from '../../core/storage/storage.js';

/** A user's shell: no VITEST / NODE_ENV=test, so each command picks its own default executor. */
export function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  delete env.NODE_ENV;
  return env;
}

/** Every task in the database, page by page. */
export async function allTasks(storage: Pick<Storage, 'listTasks'>): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await storage.listTasks({ limit: 500, ...(cursor ? { cursor } : {}) });
    tasks.push(...page.tasks);
    cursor = page.nextCursor;
  } while (cursor);
  return tasks;
}
