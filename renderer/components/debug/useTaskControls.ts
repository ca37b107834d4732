/**
 * The task's debugger state (paused and why, breakpoints, ready steps, interactions, version),
 * read from the host and read again, at most every 150 ms, whenever an event of the task arrives.
 */
import { useEffect } from 'react';
import type { TaskControls } from '../../../core/host/routes/inspectTypes.js';
import { reconnects } from '../../lib/client.js';
import { useServices } from '../../lib/context.js';
import { throttle, useRpc, type RpcState } from '../../lib/useRpc.js';
import { useStore } from '../../lib/useStore.js';

export function useTaskControls(taskId: string): RpcState<TaskControls> {
  const { client, hub } = useServices();
  const reconnect = useStore(reconnects);
  const controls = useRpc<TaskControls>(() => client.inspect.controls.query({ taskId }), [client, taskId, reconnect]);
  const { refetch } = controls;
  useEffect(() => {
    const later = throttle(refetch, 150);
    const sub = hub.listen(hub.lastSeq(), (e) => e.taskId === taskId && later.run());
    return () => {
      sub.unsubscribe();
      later.cancel();
    };
  }, [hub, taskId, refetch]);
  return controls;
}
