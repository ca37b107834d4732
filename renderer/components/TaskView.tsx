/**
 * A task drawn live: the runtime graph (template + dynamic steps) painted with each node's
 * state. Events from the hub update the picture in place; only a structural change (a new
 * batch worker) or a reconnect reads the graph again, and only new structure re-lays it out.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { reconnects } from '../lib/client.js';
import { errorText, useServices } from '../lib/context.js';
import { toGraphView } from '../lib/graphView.js';
import type { Direction } from '../lib/layout.js';
import { applyEvent, initialLiveState, type LiveState } from '../lib/liveState.js';
import { throttle, useRpc } from '../lib/useRpc.js';
import { useStore } from '../lib/useStore.js';
import { GraphCanvas } from './GraphCanvas.js';
import { StatusPill } from './StatusPill.js';
import { Toolbar } from './Toolbar.js';
// Issue 7: the debugger around the live canvas.
import type { InteractionView } from '../../core/host/routes/inspectTypes.js';
import type { TaskStateAt } from '../../core/ops/history.js';
import type { Json } from '../../core/model/runtime.js';
import { announce } from '../lib/announce.js';
import { clock } from '../lib/format.js';
import { liveAt, type InspectorHistory } from '../lib/history.js';
import type { OpTarget } from '../lib/ops.js';
import { isNumber, usePersistent } from '../lib/persist.js';
import { BottomDock } from './debug/BottomDock.js';
import type { NodeMark } from './GraphCanvas.js';
import { DebugBar } from './debug/DebugBar.js';
import { EventLog } from './debug/EventLog.js';
import { ExportMenu } from './debug/ExportMenu.js';
import { InsightsPanel } from './debug/InsightsPanel.js';
import { InteractionDialog } from './debug/InteractionDialog.js';
import { OpDialog } from './debug/OpDialog.js';
import { StepInspector } from './debug/StepInspector.js';
import { Timeline } from './debug/Timeline.js';
import { useTaskControls } from './debug/useTaskControls.js';
import { useTimelineData } from './debug/useTimelineData.js';

interface Props {
  taskId: string;
  workspaceSeq: number;
  direction: Direction;
  onDirection: (d: Direction) => void;
  onOpenTemplate: (ref: string) => void;
  onOpenTask?: (id: string) => void;
}

export function TaskView({ taskId, workspaceSeq, direction, onDirection, onOpenTemplate, onOpenTask }: Props) {
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
  const selectedNode = view?.nodes.find((n) => n.id === selected) ?? null;

  // --- Issue 7: debugger state (controls, dialogs, highlights, timeline + history) ---
  const controls = useTaskControls(taskId);
  const timeline = useTimelineData(taskId);
  const [opTarget, setOpTarget] = useState<{ target: OpTarget; results?: Json } | null>(null);
  const [interaction, setInteraction] = useState<InteractionView | null>(null);
  const [highlight, setHighlight] = useState<{ blocking: string[]; downstream: string[] }>({ blocking: [], downstream: [] });
  const [inspectorWidth, setInspectorWidth] = usePersistent('inspector.width', 360, isNumber);
  const [cursor, setCursor] = useState<number | null>(null);
  const [past, setPast] = useState<{ seq: number; at: TaskStateAt } | null>(null);
  const breakpoints = controls.data?.task.debug.breakpoints ?? [];
  const { refetch: refetchControls } = controls;
  const setBreakpoints = useCallback(
    (names: string[]) => {
      client.debug.setBreakpoints.mutate({ taskId, names }).then(
        () => {
          refetchControls();
          announce(names.length ? `Breakpoints: ${names.join(', ')}.` : 'No breakpoints.');
        },
        (err: unknown) => announce(`Setting breakpoints failed: ${errorText(err)}`),
      );
    },
    [client, taskId, refetchControls],
  );
  const toggleBreakpoint = useCallback((name: string) => setBreakpoints(breakpoints.includes(name) ? breakpoints.filter((b) => b !== name) : [...breakpoints, name]), [breakpoints, setBreakpoints]);
  const cursorSeq = cursor !== null ? (timeline.transitions[cursor]?.seq ?? null) : null;
  useEffect(() => {
    if (cursorSeq === null) return void setPast(null);
    let live = true;
    const timer = setTimeout(() => {
      client.inspect.stateAt.query({ taskId, seq: cursorSeq }).then((at) => live && setPast({ seq: cursorSeq, at }), () => undefined);
    }, 40);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, taskId, cursorSeq]);
  const shownLive = useMemo(() => {
    if (!live || cursor === null || !past) return live;
    return liveAt(live, past.at, timeline.transitions.slice(0, cursor + 1));
  }, [live, cursor, past, timeline.transitions]);
  // The strip counts what the canvas shows (the past while scrubbing).
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const n of Object.values(shownLive?.nodes ?? {})) c.set(n.state ?? 'pending', (c.get(n.state ?? 'pending') ?? 0) + 1);
    return [...c.entries()];
  }, [shownLive]);
  // The inspector follows the scrubber: the selected node as it was at the picked transition.
  const inspectorHistory = useMemo((): InspectorHistory | null => {
    if (cursor === null || !past || !shownLive || !selected) return null;
    return { seq: past.seq, at: past.at.at, index: cursor, total: timeline.transitions.length, node: shownLive.nodes[selected] ?? null, data: past.at.data };
  }, [cursor, past, shownLive, selected, timeline.transitions.length]);
  // Status changes are announced (the canvas shows them; a screen reader hears them).
  const lastStatus = useRef<string | null>(null);
  useEffect(() => {
    const status = live?.status;
    if (!status) return;
    if (lastStatus.current !== null && lastStatus.current !== status) announce(`Task ${status}.`);
    lastStatus.current = status;
  }, [live?.status]);
  const onCanvasKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'F9') return;
    const id = (e.target as HTMLElement).closest('.react-flow__node')?.getAttribute('data-id');
    if (id) {
      e.preventDefault();
      toggleBreakpoint(id);
    }
  };
  const lanes = useMemo(() => view?.nodes.map((n) => n.id) ?? [], [view]);
  const currentState = live?.currentState ?? task?.currentState ?? null;
  const timeoutState = useMemo(() => {
    const timeouts = view?.edges.filter((e) => e.kind === 'timeout') ?? [];
    return (timeouts.find((e) => e.source === currentState) ?? timeouts[0])?.target ?? null;
  }, [view, currentState]);
  const breakpointKey = breakpoints.join('\n');
  const marks = useMemo(() => {
    const m: Record<string, NodeMark> = {};
    for (const id of highlight.downstream) m[id] = { emphasis: 'downstream' };
    for (const id of highlight.blocking) m[id] = { emphasis: 'blocking' };
    for (const id of breakpointKey ? breakpointKey.split('\n') : []) m[id] = { ...m[id], breakpoint: true };
    return m;
  }, [highlight, breakpointKey]);
  // The header's status while scrubbing: as it was then (the canvas's picture), not live.
  const headerHistory = cursor !== null && past && shownLive ? { status: shownLive.status, index: cursor } : null;
  // --- end issue 7 state ---

  return (
    <div style={{ display: 'contents' }}>
      <main className="main" aria-label="Task">
        <Toolbar
          title={task ? task.templateRef.replace(/@.*$/, '') : 'Task'}
          subtitle={
            task ? (
              <span className="task-meta">
                {/* In history the header shows the status at the scrubbed point, tagged so. */}
                {headerHistory ? (
                  <span className="history-status" data-testid="task-status" data-status={headerHistory.status} data-history="true" title={`Status after transition ${headerHistory.index + 1} (history); live: ${live?.status ?? task.status}`}>
                    <StatusPill state={headerHistory.status} />
                    <span className="then">history</span>
                  </span>
                ) : (
                  <span data-testid="task-status" data-status={live?.status ?? task.status} data-history="false">
                    <StatusPill state={live?.status ?? task.status} />
                  </span>
                )}
                <code title={`task ${task.id}`} aria-label={`task id ${task.id}`}>{task.id.slice(0, 8)}</code>
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
          <ExportMenu source={{ taskId }} direction={direction} />
        </Toolbar>
        {controls.data ? (
          <DebugBar
            controls={controls.data}
            onOp={(target) => setOpTarget({ target })}
            onInteraction={setInteraction}
            onBreakpoints={setBreakpoints}
            onSelect={setSelected}
            onChanged={refetchControls}
            onTimeoutState={timeoutState}
            history={cursor !== null ? { onBackToLive: () => setCursor(null) } : null}
          />
        ) : null}
        {task ? (
          <div className="task-strip" aria-label={task.kind === 'flow' ? 'Flow state' : 'Steps by state'}>
            {task.kind === 'flow' ? (
              <span>
                current state <code>{shownLive?.currentState ?? task.currentState}</code>
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
            {cursor !== null ? 'Now (live): ' : ''}
            {task.error.class}: {task.error.message}
          </div>
        ) : null}
        {cursor !== null ? (
          <div className="banner history" role="status" data-testid="history-banner">
            <strong>History</strong> — the graph as it was after transition {cursor + 1} of {timeline.transitions.length}
            {timeline.transitions[cursor] ? ` (${clock(timeline.transitions[cursor]!.at)})` : ''}. Live updates continue in the background.
            <button className="btn sm" onClick={() => setCursor(null)}>
              Back to live
            </button>
          </div>
        ) : null}
        <div className={`canvas-host${cursor !== null ? ' history' : ''}`} onKeyDown={onCanvasKey}>
          {view && shownLive ? (
            <ReactFlowProvider>
              <GraphCanvas view={view} direction={direction} live={shownLive} selected={selected} onOpenNode={setSelected} marks={marks} />
            </ReactFlowProvider>
          ) : (
            <div className="canvas-wrap" />
          )}
        </div>
        <BottomDock
          storageKey="task-dock"
          tabs={[
            { id: 'timeline', label: 'Timeline', render: () => <Timeline kind={task?.kind ?? 'workflow'} lanes={lanes} data={timeline} cursor={cursor} onCursor={setCursor} /> },
            { id: 'events', label: 'Events', render: () => <EventLog taskId={taskId} {...(onOpenTask ? { onOpenTask } : {})} /> },
            { id: 'insights', label: 'Insights', render: () => <InsightsPanel {...(onOpenTask ? { onOpenTask } : {})} /> },
          ]}
        />
      </main>
      {selectedNode && view ? (
        <StepInspector
          key={selectedNode.id}
          taskId={taskId}
          node={selectedNode}
          graph={view}
          live={live?.nodes[selectedNode.id] ?? null}
          version={controls.data?.task.version ?? 0}
          breakpoint={breakpoints.includes(selectedNode.id)}
          width={inspectorWidth}
          onResize={setInspectorWidth}
          onToggleBreakpoint={() => toggleBreakpoint(selectedNode.id)}
          onRunStep={() =>
            void client.debug.step.mutate({ taskId, step: selectedNode.id }).then(
              (r) => announce(`Ran ${r.ran ?? 'nothing'}; task ${r.task.status}.`),
              (err: unknown) => announce(`Run this step failed: ${errorText(err)}`),
            )
          }
          onOp={(target, results) => setOpTarget({ target, ...(results !== undefined ? { results } : {}) })}
          onInteraction={setInteraction}
          onHighlight={setHighlight}
          onClose={() => setSelected(null)}
          history={inspectorHistory}
          onBackToLive={() => setCursor(null)}
        />
      ) : (
        <span />
      )}
      {opTarget ? <OpDialog target={opTarget.target} {...(opTarget.results !== undefined ? { initialResults: opTarget.results } : {})} onClose={() => setOpTarget(null)} onDone={() => refetchControls()} /> : null}
      {interaction && task ? (
        <InteractionDialog taskId={taskId} interaction={interaction} currentState={live?.currentState ?? task.currentState} onClose={() => setInteraction(null)} />
      ) : null}
    </div>
  );
}
