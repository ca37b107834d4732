/**
 * The task view's canvas data: the runtime graph read once (with the event seq it reflects) and
 * each node's live state advanced by the task's events; only structure the events cannot
 * describe (a new batch worker, an operation) reads the graph again.
 */
import { useMemo } from 'react';
import { toGraphView, type GraphView } from '../../lib/graphView.js';
import type { Direction } from '../../lib/layout.js';
import { applyEvent, initialLiveState, type LiveState } from '../../lib/liveState.js';
import { useTRPC, type Outputs } from '../../lib/trpc.js';
import { REFETCH, useLiveQuery, type LiveReducer } from '../../lib/useLiveQuery.js';

export type RuntimeGraph = Outputs['runtimeGraph'];

const canvasReducer: LiveReducer<RuntimeGraph, LiveState> = {
  init: (answer) => initialLiveState(answer.task, answer.steps, answer.graph, answer.seq),
  apply: (live, event) => {
    const next = applyEvent(live, event);
    // A finished task's record (its result, error, finish time) is read again once.
    const ended = event.taskId === live.taskId && (event.type === 'task.completed' || event.type === 'task.failed' || event.type === 'task.cancelled');
    return next.needsRefetch || ended ? REFETCH : next;
  },
};
const seqOf = (answer: RuntimeGraph) => answer.seq;

export interface TaskCanvas {
  answer: RuntimeGraph | undefined;
  view: GraphView | null;
  live: LiveState | undefined;
  error: unknown;
}

export function useTaskCanvas(taskId: string, direction: Direction): TaskCanvas {
  const trpc = useTRPC();
  // The layout in `direction` comes with the graph (one round trip); another direction asks
  // again, showing this task's graph meanwhile.
  const q = useLiveQuery(
    { ...trpc.runtimeGraph.queryOptions({ taskId, direction }), placeholderData: (previous?: RuntimeGraph) => (previous?.task.id === taskId ? previous : undefined) },
    seqOf,
    canvasReducer,
  );
  const graph = q.answer?.graph;
  const view = useMemo(() => (graph ? toGraphView(graph) : null), [graph]);
  return { answer: q.answer, view, live: q.data, error: q.error };
}
