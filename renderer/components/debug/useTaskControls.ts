/**
 * The task's debugger state (paused and why, breakpoints, ready steps, interactions, version),
 * read from the host and read again (at most every 150 ms) whenever an event of the task arrives.
 */
import { useMemo } from 'react';
import type { TaskControls } from '../../../core/host/protocol.js';
import { useTRPC } from '../../lib/trpc.js';
import { refetchWhen, useLiveQuery, type LiveQueryResult } from '../../lib/useLiveQuery.js';

export function useTaskControls(taskId: string): LiveQueryResult<TaskControls, TaskControls> {
  const trpc = useTRPC();
  const reducer = useMemo(() => refetchWhen<TaskControls>((e) => e.taskId === taskId), [taskId]);
  return useLiveQuery(trpc.inspect.controls.queryOptions({ taskId }), 'at-fetch', reducer, { throttleMs: 150 });
}
