/**
 * A task drawn live: the runtime graph (template + dynamic steps) painted with each node's
 * state, the debugger around it and the history under it. The data lives in three hooks —
 * useTaskCanvas (graph + live state), useTaskDebugger (controls, breakpoints, dialogs) and
 * useTaskHistory (timeline + scrubbed past) — and this component only lays them out.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { announce } from '../lib/announce.js';
import { errorText } from '../lib/context.js';
import { clock } from '../lib/format.js';
import { concreteDirection, type DirectionChoice } from '../lib/readableFit.js';
import { isBoolean, isNumber, usePersistent } from '../lib/persist.js';
import { useWide } from '../lib/useWide.js';
import { shortTaskId } from '../../core/host/protocol.js';
import { CopyButton } from './CopyButton.js';
import { GraphCanvas } from './GraphCanvas.js';
// Loaded on first use (./lazyParts.tsx).
import { InteractionDialog, StartTaskDialog } from './lazyParts.js';
import { StatusPill } from './StatusPill.js';
import { Toolbar } from './Toolbar.js';
import { BottomDock } from './debug/BottomDock.js';
import { DebugBar } from './debug/DebugBar.js';
import { EventLog } from './debug/EventLog.js';
import { ExportMenu } from './debug/ExportMenu.js';
import { InsightsPanel } from './debug/InsightsPanel.js';
import { OpDialog } from './debug/OpDialog.js';
import { StepInspector } from './debug/StepInspector.js';
import { Timeline } from './debug/Timeline.js';
import { useTaskCanvas } from './task/useTaskCanvas.js';
import { useTaskDebugger } from './task/useTaskDebugger.js';
import { TaskSummary } from './task/TaskSummary.js';
import { useTaskHistory } from './task/useTaskHistory.js';


interface Props {
  taskId: string;
  direction: DirectionChoice;
  onDirection: (d: DirectionChoice) => void;
  onOpenTemplate: (ref: string) => void;
  onOpenTask?: (id: string) => void;
}

/** Status changes are announced (the canvas shows them; a screen reader hears them). */
function useAnnounceStatus(status: string | undefined): void {
  const last = useRef<string | null>(null);
  useEffect(() => {
    if (!status) return;
    if (last.current !== null && last.current !== status) announce(`Task ${status}.`);
    last.current = status;
  }, [status]);
}

export function TaskView({ taskId, direction, onDirection, onOpenTemplate, onOpenTask }: Props) {
  const canvas = useTaskCanvas(taskId, concreteDirection(direction));
  const { view, live } = canvas;
  const task = canvas.answer?.task;
  const [selected, setSelected] = useState<string | null>(null);
  const selectedNode = view?.nodes.find((n) => n.id === selected) ?? null;
  const currentState = live?.currentState ?? task?.currentState ?? null;
  const debug = useTaskDebugger(taskId, view, currentState);
  const { controls, breakpoints } = debug;
  const history = useTaskHistory(taskId, live);
  const { cursor, setCursor, timeline } = history;
  const shownLive = history.shown;
  const [inspectorWidth, setInspectorWidth] = usePersistent('inspector.width', 360, isNumber);
  // The task's details beside the canvas when no node is selected. The choice is kept, but in a
  // narrow window (1024 px) the panel would leave the canvas a sliver: there it opens only when
  // asked for in this view.
  const [detailsWanted, setDetailsWanted] = usePersistent('task.details', true, isBoolean);
  const wide = useWide(1280);
  const [askedHere, setAskedHere] = useState(false);
  const details = detailsWanted && (wide || askedHere);
  const setDetails = (on: boolean) => {
    setDetailsWanted(on);
    setAskedHere(on);
  };
  const [runAgain, setRunAgain] = useState(false);
  const status = live?.status ?? task?.status;
  const paused = status === 'paused';
  const shownStatus = status ?? 'pending';
  useAnnounceStatus(live?.status);

  // The strip counts what the canvas shows (the past while scrubbing).
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const n of Object.values(shownLive?.nodes ?? {})) c.set(n.state ?? 'pending', (c.get(n.state ?? 'pending') ?? 0) + 1);
    return [...c.entries()];
  }, [shownLive]);
  const lanes = useMemo(() => view?.nodes.map((n) => n.id) ?? [], [view]);
  // The header's status while scrubbing: as it was then (the canvas's picture), not live.
  const headerHistory = history.header;
  const inspectorHistory = history.inspectorFor(selected);

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
                  <span data-testid="task-status" data-status={live?.status ?? task.status} data-paused={String(paused)} data-history="false">
                    <StatusPill state={shownStatus} />
                  </span>
                )}
                <span className="task-id">
                  <code title={`task ${task.id}`} data-testid="task-short-id">
                    {shortTaskId(task.id)}
                  </code>
                  <CopyButton text={task.id} label="Copy task id" />
                </span>
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
          <button className="btn" aria-pressed={details} onClick={() => setDetails(!details)} title="The task's input, result and error (shown when no node is selected)">
            Details
          </button>
          <ExportMenu source={{ taskId }} direction={concreteDirection(direction)} />
        </Toolbar>
        {controls.data ? (
          <DebugBar
            controls={controls.data}
            onOp={(target) => debug.setOpTarget({ target })}
            onInteraction={debug.setInteraction}
            onBreakpoints={debug.setBreakpoints}
            onSelect={setSelected}
            onTimeoutState={debug.timeoutState}
            notice={debug.notice}
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
        {canvas.error ? <div className="banner error">{errorText(canvas.error)}</div> : null}
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
        <div className={`canvas-host${cursor !== null ? ' history' : ''}`} onKeyDown={debug.onCanvasKey}>
          {view && shownLive ? (
            <ReactFlowProvider>
              <GraphCanvas view={view} direction={direction} live={shownLive} selected={selected} onOpenNode={setSelected} marks={debug.marks} prefetched={canvas.answer?.layout ?? null} />
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
          breakpoint={breakpoints.includes(selectedNode.id)}
          width={inspectorWidth}
          onResize={setInspectorWidth}
          onToggleBreakpoint={() => debug.toggleBreakpoint(selectedNode.id)}
          onRunStep={() => debug.runStep(selectedNode.id)}
          onOp={(target, results) => debug.setOpTarget({ target, ...(results !== undefined ? { results } : {}) })}
          onInteraction={debug.setInteraction}
          onHighlight={debug.setHighlight}
          onClose={() => setSelected(null)}
          history={inspectorHistory}
          onBackToLive={() => setCursor(null)}
        />
      ) : task && details ? (
        <TaskSummary
          task={task}
          template={canvas.answer?.template}
          live={live}
          status={shownStatus}
          onRunAgain={() => setRunAgain(true)}
          onOpenNode={setSelected}
          {...(onOpenTask ? { onOpenTask } : {})}
          onClose={() => setDetails(false)}
        />
      ) : (
        <span />
      )}
      {runAgain && task && canvas.answer?.template ? (
        <StartTaskDialog
          template={canvas.answer.template}
          initialInput={task.input}
          rerunOf={shortTaskId(task.id)}
          onClose={() => setRunAgain(false)}
          onStarted={(id) => {
            setRunAgain(false);
            onOpenTask?.(id);
          }}
        />
      ) : null}
      {debug.opTarget ? <OpDialog target={debug.opTarget.target} {...(debug.opTarget.results !== undefined ? { initialResults: debug.opTarget.results } : {})} onClose={() => debug.setOpTarget(null)} /> : null}
      {debug.interaction && task ? (
        <InteractionDialog taskId={taskId} interaction={debug.interaction} currentState={currentState} onClose={() => debug.setInteraction(null)} />
      ) : null}
    </div>
  );
}
