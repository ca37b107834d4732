/**
 * The task view's debugger: the task's controls (pause state, breakpoints, ready steps,
 * interactions), breakpoints set and toggled (F9 on a focused node), the canvas marks (what
 * holds the selected step back, what depends on it, where breakpoints are), and which
 * operation or interaction dialog is open.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { InteractionView, Json } from '../../../core/host/protocol.js';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import type { GraphView } from '../../lib/graphView.js';
import type { OpTarget } from '../../lib/ops.js';
import type { NodeMark } from '../GraphCanvas.js';
import { useTaskControls } from '../debug/useTaskControls.js';

export interface Highlight {
  blocking: string[];
  downstream: string[];
}

const NO_BREAKPOINTS: string[] = [];
const FINISHED = new Set(['complete', 'cancelled']);

export function useTaskDebugger(taskId: string, view: GraphView | null, currentState: string | null) {
  const { client } = useServices();
  const controls = useTaskControls(taskId);
  const [opTarget, setOpTarget] = useState<{ target: OpTarget; results?: Json } | null>(null);
  const [interaction, setInteraction] = useState<InteractionView | null>(null);
  const [highlight, setHighlight] = useState<Highlight>({ blocking: [], downstream: [] });
  const breakpoints = controls.data?.task.debug.breakpoints ?? NO_BREAKPOINTS;

  // The controls are read again by the event the change causes: nothing to refetch here.
  const setBreakpoints = useCallback(
    (names: string[]) => {
      client.debug.setBreakpoints.mutate({ taskId, names }).then(
        () => announce(names.length ? `Breakpoints: ${names.join(', ')}.` : 'No breakpoints.'),
        (err: unknown) => announce(`Setting breakpoints failed: ${errorText(err)}`),
      );
    },
    [client, taskId],
  );
  const toggleBreakpoint = useCallback((name: string) => setBreakpoints(breakpoints.includes(name) ? breakpoints.filter((b) => b !== name) : [...breakpoints, name]), [breakpoints, setBreakpoints]);

  const runStep = useCallback(
    (name: string) =>
      void client.debug.step.mutate({ taskId, step: name }).then(
        (r) => announce(`Ran ${r.ran ?? 'nothing'}; task ${r.task.status}.`),
        (err: unknown) => announce(`Run this step failed: ${errorText(err)}`),
      ),
    [client, taskId],
  );

  // A word in the debug bar about a key that did nothing (F9 on a finished task).
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  /** F9 on a focused node toggles its breakpoint (a finished task says why it does not). */
  const onCanvasKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'F9') return;
    const id = (e.target as HTMLElement).closest('.react-flow__node')?.getAttribute('data-id');
    if (!id) return;
    e.preventDefault();
    const status = controls.data?.task.status;
    if (status && FINISHED.has(status)) {
      const text = `No breakpoint on ${id}: the task is ${status}, so it will not run again unless a step is retried or reset.`;
      setNotice(text);
      announce(text);
      return;
    }
    toggleBreakpoint(id);
  };

  /** Flows: the state the flow's timeout leads to (shown in Skip wait's dialog). */
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

  return { controls, notice, breakpoints, setBreakpoints, toggleBreakpoint, runStep, onCanvasKey, timeoutState, marks, setHighlight, opTarget, setOpTarget, interaction, setInteraction };
}
