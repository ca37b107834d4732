/**
 * What the CLI accepts where a task id is expected: the whole id, any unique prefix of it (dashes
 * optional) or its short id (the last 8 hex digits the workbench and `stepwise tasks` show; see
 * core/model/taskId). The storage has no prefix index, so a partial id is looked up among the
 * newest 10,000 tasks (a local database rarely holds more; the message says so when it does).
 */
import { StepwiseError } from '../model/errors.js';
import type { TaskRecord } from '../model/runtime.js';
import { shortTaskId, taskIdMatches } from '../model/taskId.js';
import type { Storage } from '../storage/storage.js';

export const TASK_REF_SCAN_LIMIT = 10_000;
const PAGE = 500;
const SHOWN = 5;

/** The task `ref` names, or an error that says what to type instead (NOT_FOUND; USAGE when several match). */
export async function resolveTask(storage: Storage, ref: string, where: string): Promise<TaskRecord> {
  const exact = await storage.getTask(ref);
  if (exact) return exact;
  const query = ref.trim();
  const found: TaskRecord[] = [];
  let scanned = 0;
  let cursor: string | undefined;
  let more = query.length >= 4;
  while (more && scanned < TASK_REF_SCAN_LIMIT) {
    const page = await storage.listTasks({ limit: Math.min(PAGE, TASK_REF_SCAN_LIMIT - scanned), ...(cursor ? { cursor } : {}) });
    scanned += page.tasks.length;
    for (const task of page.tasks) if (taskIdMatches(task.id, query)) found.push(task);
    cursor = page.nextCursor ?? undefined;
    more = page.nextCursor !== null && page.tasks.length > 0;
  }
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    const list = found.slice(0, SHOWN).map((t) => `  ${t.id}  ${shortTaskId(t.id)}  ${t.templateRef}  ${t.status}`);
    if (found.length > SHOWN) list.push(`  … ${found.length - SHOWN} more`);
    throw new StepwiseError('USAGE', `'${ref}' names ${found.length} tasks in ${where}:\n${list.join('\n')}\nType more of the id, or the 8-character short id.`, {
      taskId: ref,
      matches: found.map((t) => t.id),
    });
  }
  const hint =
    query.length < 4
      ? 'Type at least 4 characters of the id, or its 8-character short id.'
      : more
        ? `Only the newest ${TASK_REF_SCAN_LIMIT} tasks were searched for a partial id: give the whole id.`
        : 'List tasks with `stepwise tasks`.';
  throw new StepwiseError('NOT_FOUND', `Task '${ref}' was not found in ${where}. ${hint}`, { taskId: ref });
}
