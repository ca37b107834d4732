/**
 * A task drawn live: the runtime graph (template + dynamic steps) painted with each node's
 * state. Events from the hub update the picture in place; only a structural change (a new
 * batch worker) or a reconnect reads the graph again, and only new structure re-lays it out.
 */
import { useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { reconnects } from '../lib/client.js';
import { errorText, useServices } from '../lib/context.js';
import { toGraphView } from '../lib/graphView.js';
import type { Direction } from '../lib/layout.js';
import { applyEvent, initialLiveState, type LiveState } from '../lib/liveState.js';
import { throttle, useRpc } from '../lib/useRpc.js';
import { useStore } from '../lib/useStore.js';
import { GraphCanvas } from './GraphCanvas.js';
import { Inspector } from './Inspector.js';
import { StatusPill } from './StatusPill.js';
import { Toolbar } from './Toolbar.js';

interface Props {
  taskId: string;
  workspaceSeq: number;
  direction: Direction;
  onDirection: (d: Direction) => void;
  onOpenTemplate: (ref: string) => void;
}

export function TaskView({ taskId, workspaceSeq, direction, onDirection, onOpenTemplate }: Props) {
  const { client, hub } = useServices();
  const reconnect = useStore(reconnects);
  const snapshot = useRpc(() => client.runtimeGraph.query({ taskId }), [client, taskId, workspaceSeq, reconnect]);
  const [live, setLive] = useState<LiveState | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const view = useMemo(() => (snapshot.data ? toGraphView(snapshot.data.graph) : null), [snapshot.data]);
  const { refetch } = snapshot;

  // Start from the snapshot, then apply every event after the seq it was read at.
  useEffect(() => {
    const data = snapshot.data;
    if (!data) return;
    let current = initialLiveState(data.task, data.steps, data.graph, data.seq);
    setLive(current);
    let frame = 0;
    const later = throttle(refetch, 200);
    const sub = hub.listen(data.seq, (event) => {
      if (event.taskId !== taskId) return;
      current = applyEvent(current, event);
      if (current.needsRefetch) later.run();
      // Many events may land in one frame (a fan-out finishing): paint once per frame.
      if (!frame) {
        frame = requestAnimationFrame(() => {
          frame = 0;
          setLive(current);
        });
      }
    });
    if (!sub.complete) later.run();
    return () => {
      sub.unsubscribe();
      later.cancel();
      cancelAnimationFrame(frame);
    };
  }, [snapshot.data, hub, taskId, refetch]);

  const task = snapshot.data?.task;
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const n of Object.values(live?.nodes ?? {})) c.set(n.state ?? 'pending', (c.get(n.state ?? 'pending') ?? 0) + 1);
    return [...c.entries()];
  }, [live]);
  const selectedNode = view?.nodes.find((n) => n.id === selected) ?? null;
  return (
    <div style={{ display: 'contents' }}>
      <main className="main" aria-label="Task">
        <Toolbar
          title={task ? task.templateRef.replace(/@.*$/, '') : 'Task'}
          subtitle={
            task ? (
              <span className="task-meta">
                <span data-testid="task-status" data-status={live?.status ?? task.status}>
                  <StatusPill state={live?.status ?? task.status} />
                </span>
                <code title="task id">{task.id}</code>
              </span>
            ) : null
          }
          direction={direction}
          onDirection={onDirection}
        >
          {task ? (
            <button className="btn" onClick={() => onOpenTemplate(task.templateRef)} title="Show the template this task runs">
              Template
            </button>
          ) : null}
        </Toolbar>
        {task ? (
          <div className="task-strip" aria-label={task.kind === 'flow' ? 'Flow state' : 'Steps by state'}>
            {task.kind === 'flow' ? (
              <span>
                current state <code>{live?.currentState ?? task.currentState}</code>
              </span>
            ) : (
              counts.map(([state, n]) => (
                <span key={state} className="count-pill" title={`${n} ${state}`}>
                  <StatusPill state={state} /> {n}
                </span>
              ))
            )}
            <span className="spacer" />
            <span>started {new Date(task.createdAt).toLocaleString()}</span>
          </div>
        ) : null}
        {snapshot.error ? <div className="banner error">{errorText(snapshot.error)}</div> : null}
        {task?.error ? (
          <div className="banner error" role="alert">
            {task.error.class}: {task.error.message}
          </div>
        ) : null}
        {view && live ? (
          <ReactFlowProvider>
            <GraphCanvas view={view} direction={direction} live={live} selected={selected} onOpenNode={setSelected} />
          </ReactFlowProvider>
        ) : (
          <div className="canvas-wrap" />
        )}
      </main>
      {selectedNode && view ? (
        <Inspector node={selectedNode} graph={view} taskId={taskId} live={live?.nodes[selectedNode.id] ?? null} onClose={() => setSelected(null)} />
      ) : (
        <span />
      )}
    </div>
  );
}
