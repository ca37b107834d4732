/**
 * The sidebar's task list kept live: a page read from the host at a known event seq, advanced by
 * the task events after it, so a row shows a flow's state and status the moment they change
 * (the list used to wait for a refetch and could show a flow still in `check_email` while the
 * canvas showed it waiting in `ask_for_email`). PURE. Events that change what the list holds
 * (a new task, an operation, a status leaving the filter) only ask for a refetch.
 */
import type { StepwiseEvent, TaskListPage, TaskStatus, TaskSummary } from '../../core/host/protocol.js';

export interface LiveTaskList {
  page: TaskListPage;
  /** The last event seq reflected. */
  seq: number;
  /** Something changed that the events alone do not describe: read the page again. */
  needsRefetch: boolean;
}

export interface ListFilter {
  status?: readonly TaskStatus[];
}

function patch(list: LiveTaskList, id: string, at: number, change: Partial<TaskSummary>): LiveTaskList {
  const i = list.page.tasks.findIndex((t) => t.id === id);
  if (i < 0) return list;
  const tasks = list.page.tasks.slice();
  tasks[i] = { ...tasks[i]!, ...change, updatedAt: at };
  return { ...list, page: { ...list.page, tasks } };
}

export function applyTaskEvent(list: LiveTaskList, e: StepwiseEvent, filter: ListFilter = {}): LiveTaskList {
  if (e.seq <= list.seq) return list;
  const next = applyPayload(list, e, filter);
  return { ...next, seq: e.seq };
}

function applyPayload(list: LiveTaskList, e: StepwiseEvent, filter: ListFilter): LiveTaskList {
  const listed = list.page.tasks.some((t) => t.id === e.taskId);
  switch (e.type) {
    case 'task.created':
      return { ...list, needsRefetch: true };
    case 'task.deleted':
      return listed ? { ...list, needsRefetch: true } : list;
    case 'task.status_changed': {
      const next = patch(list, e.taskId, e.at, { status: e.payload.to });
      // A status outside the filter drops the row; one inside it may add a row: read again.
      const leaves = filter.status !== undefined && !filter.status.includes(e.payload.to);
      const joins = filter.status !== undefined && !listed && filter.status.includes(e.payload.to);
      return leaves || joins ? { ...next, needsRefetch: true } : next;
    }
    case 'flow.transitioned':
      return patch(list, e.taskId, e.at, { currentState: e.payload.to });
    case 'task.failed':
      return patch(list, e.taskId, e.at, { error: e.payload.error });
    case 'debug.paused':
      return patch(list, e.taskId, e.at, { paused: true });
    case 'debug.resumed':
      return patch(list, e.taskId, e.at, { paused: false });
    case 'op.applied':
      // An operation may change anything about the task (its status, its error): read again.
      return listed ? { ...list, needsRefetch: true } : list;
    default:
      return list;
  }
}
