/**
 * The task's debugger toolbar: Pause, Continue, Step, Skip wait (accessible names exactly
 * those), why the task is paused, its breakpoints, the flow's interactions, and the task-wide
 * operations (Wake now, Retry state, Cancel task) through their confirmation dialogs.
 */
import { useState } from 'react';
import { workingStatus, type InteractionView, type TaskControls } from '../../../core/host/protocol.js';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import { debugStateText } from '../../lib/debugState.js';
import { OP_INFO, type OpTarget } from '../../lib/ops.js';
import { PauseIcon, PlayIcon, SkipIcon, StepIcon } from './icons.js';

interface Props {
  controls: TaskControls;
  onOp: (target: OpTarget) => void;
  onInteraction: (interaction: InteractionView) => void;
  onBreakpoints: (names: string[]) => void;
  onSelect: (name: string) => void;
  /** Flows: the state the flow's timeout leads to (shown in Skip wait's dialog). */
  onTimeoutState?: string | null;
  /**
   * The canvas shows a past transition (the timeline is scrubbed): every control here acts on
   * the live task, so they are disabled ("Back to live to …") and the bar says so, lest the
   * user think they act on the point shown.
   */
  history?: { onBackToLive: () => void } | null;
  /** A short message about something the user tried that did nothing (shown, and announced by the caller). */
  notice?: string | null;
}

/** Nothing left to run: a workflow in error still has steps to retry here; a flow in error only its state. */
function isOver(task: { kind: string; status: string }): boolean {
  return task.status === 'complete' || task.status === 'cancelled' || (task.kind === 'flow' && task.status === 'error');
}

export function DebugBar({ controls, onOp, onInteraction, onBreakpoints, onSelect, onTimeoutState = null, history = null, notice = null }: Props) {
  const { client } = useServices();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { task } = controls;
  const finished = isOver(task);
  const paused = task.debug.paused;
  const isFlow = task.kind === 'flow';
  // A flow's wait is its wake time (the next check of a wait state) or its timeout; core/ops
  // makes either due only while the flow is waiting, through a previewed, confirmed operation.
  // A paused flow is judged by the status it returns to (a paused waiting flow can skip its wait).
  const works = workingStatus(task);
  const canSkipWait = !finished && (isFlow ? works === 'waiting' && (task.wakeAt !== null || task.timeoutAt !== null) : controls.waiting.length > 0);
  const skipWaitTitle = !canSkipWait
    ? isFlow && works !== 'waiting' && !finished
      ? `The flow is ${works}, not waiting`
      : 'Nothing is waiting'
    : isFlow
      ? `Make the flow's wake${task.timeoutAt !== null ? ' or its timeout' : ''} due now (you confirm which)`
      : 'Make the pending retry backoff, wait or wake time due now';
  const skipWait = () => {
    if (isFlow) {
      onOp({ op: 'skipWait', taskId: task.id, flowWait: { wake: task.wakeAt !== null, timeout: task.timeoutAt !== null, onTimeout: onTimeoutState } });
      return;
    }
    void run('Skip wait', async () => (await client.debug.skipWait.mutate({ taskId: task.id }), 'Wait skipped.'));
  };
  const canStep = !finished && (isFlow || controls.ready.length > 0 || controls.waiting.some((w) => w.until !== null));

  const run = async (name: string, fn: () => Promise<string>) => {
    setBusy(name);
    setError(null);
    try {
      announce(await fn());
    } catch (err) {
      const text = errorText(err);
      setError(text);
      announce(`${name} failed: ${text}`);
    } finally {
      // The controls are read again by the events the command causes.
      setBusy(null);
    }
  };

  // In history every live control is off, its tooltip saying how to act on the live task.
  const past = history !== null;
  const live = (title: string, verb: string) => (past ? `Back to live to ${verb}` : title);
  const state = debugStateText(task);
  const stepTitle = finished ? 'The task has finished' : isFlow ? `Run the flow's current state (${task.currentState ?? '—'}) once` : controls.ready.length > 0 ? `Run ${controls.ready[0]} (the next ready step), then pause` : 'No step is ready';

  return (
    <div className={`debugbar${past ? ' history' : ''}`} role="toolbar" aria-label="Debugger" data-testid="debugbar" data-paused={String(paused)} data-history={String(past)}>
      <button className="btn sm" disabled={past || finished || paused || busy !== null} onClick={() => void run('Pause', async () => (await client.debug.pause.mutate({ taskId: task.id }), 'Task paused.'))} title={live(paused ? 'Already paused' : 'Pause the task: nothing new starts until Continue or Step', 'pause the task')}>
        <PauseIcon /> Pause
      </button>
      <button className="btn sm" disabled={past || finished || !paused || busy !== null} onClick={() => void run('Continue', async () => (await client.debug.continue.mutate({ taskId: task.id }), 'Task continued.'))} title={live(paused ? 'Run on until the end or the next breakpoint' : 'The task is not paused', 'continue the task')}>
        <PlayIcon /> Continue
      </button>
      <button
        className="btn sm"
        disabled={past || !canStep || busy !== null}
        title={live(stepTitle, 'step the task')}
        onClick={() =>
          void run('Step', async () => {
            const r = await client.debug.step.mutate({ taskId: task.id });
            return `Stepped ${r.ran ?? 'nothing'}: ${r.transitions.length} transitions; task ${r.task.status}.`;
          })
        }
      >
        <StepIcon /> Step
      </button>
      <button className="btn sm" disabled={past || !canSkipWait || busy !== null} title={live(skipWaitTitle, 'skip a wait')} onClick={skipWait}>
        <SkipIcon /> Skip wait
      </button>
      <span className="debug-state" data-testid="pause-reason" data-tone={state.tone} role="status" title={past ? `Now (live): ${state.text}` : state.text}>
        {past ? <span className="history-tag">live task:</span> : null}
        {state.tone === 'paused' ? (
          <span className="paused-badge">
            <PauseIcon /> {state.text}
          </span>
        ) : (
          <span className={state.tone === 'running' ? 'running-badge' : state.tone === 'failed' ? 'failed-badge' : 'muted'}>{state.text}</span>
        )}
        {!isFlow && !finished && controls.ready.length > 0 && paused && !task.debug.pauseReason?.startsWith('breakpoint:') ? <span className="muted"> · next: {controls.ready[0]}</span> : null}
      </span>
      {task.debug.breakpoints.length > 0 ? (
        <span className="bp-list" aria-label="Breakpoints" data-testid="breakpoints">
          {task.debug.breakpoints.map((b) => (
            <span key={b} className="bp-chip">
              <button className="bp-name" onClick={() => onSelect(b)} title={`Show ${b}`}>
                <span className="bp-dot on" aria-hidden="true" />
                {b}
              </button>
              <button className="bp-remove" aria-label={`Remove breakpoint ${b}`} disabled={past} title={live(`Remove breakpoint ${b}`, 'remove a breakpoint')} onClick={() => onBreakpoints(task.debug.breakpoints.filter((x) => x !== b))}>
                ×
              </button>
            </span>
          ))}
        </span>
      ) : null}
      {isFlow && controls.interactions.length > 0 ? (
        <span className="interactions" role="group" aria-label="Interactions">
          {controls.interactions.map((i) => (
            <span key={i.name} className="tip-wrap" title={live(i.enabled ? (i.description ?? `Fire ${i.name}`) : `Only in ${i.when.length === 1 ? 'state' : 'states'}: ${i.when.join(', ')} (now in ${task.currentState ?? '—'})`, `fire ${i.name}`)}>
              <button className="btn sm interaction" disabled={past || !i.enabled || finished} onClick={() => onInteraction(i)} data-interaction={i.name}>
                <span aria-hidden="true">⚡</span> {i.name}
              </button>
            </span>
          ))}
        </span>
      ) : null}
      <span className="spacer" />
      {history ? (
        <button className="btn sm history-live" onClick={history.onBackToLive} title="Leave the scrubbed point: show the live task and enable its controls">
          Back to live
        </button>
      ) : null}
      {notice ? (
        <span className="inline-notice" data-testid="debug-notice" title={notice}>
          {notice}
        </span>
      ) : null}
      {error ? (
        <span className="inline-error" role="alert" title={error}>
          {error}
        </span>
      ) : null}
      <button className="btn sm" disabled={past || finished} onClick={() => onOp({ op: 'wakeNow', taskId: task.id })} title={live(OP_INFO.wakeNow.does, 'wake the task')}>
        Wake now
      </button>
      {isFlow ? (
        <button className="btn sm" disabled={past || task.status !== 'error'} onClick={() => onOp({ op: 'retryState', taskId: task.id })} title={live(task.status === 'error' ? OP_INFO.retryState.does : 'Only a flow in error can retry its state', 'retry the state')}>
          Retry state
        </button>
      ) : null}
      <button className="btn sm danger-outline" disabled={past || finished} onClick={() => onOp({ op: 'cancelTask', taskId: task.id })} title={live(finished ? 'The task has finished' : OP_INFO.cancelTask.does, 'cancel the task')}>
        Cancel task
      </button>
    </div>
  );
}
