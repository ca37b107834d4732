/**
 * The live picture of one task on the canvas: each node's state, attempts and progress, and
 * the task's status. Built from a snapshot (with the event seq it was read at) and advanced by
 * events in seq order. PURE: `applyEvent` returns a new object and never touches layout; a
 * structural change (a new dynamic step) only sets `needsRefetch` so the view refetches.
 */
import type { NodeRuntimeState, StepRecord, StepState, StepwiseEvent, TaskRecord, TaskStatus, TemplateGraph } from '../../core/host/protocol.js';

export interface LiveNode {
  state: NodeRuntimeState | null;
  attempts: number;
  maxAttempts: number | null;
  progress: { fraction: number; message?: string } | null;
  error: string | null;
}

export interface LiveState {
  taskId: string;
  kind: TaskRecord['kind'];
  status: TaskStatus;
  currentState: string | null;
  nodes: Record<string, LiveNode>;
  /** The last event seq reflected. */
  seq: number;
  /** Something changed that events alone do not describe (a new dynamic step, an operation): refetch. */
  needsRefetch: boolean;
}

const EMPTY: LiveNode = { state: null, attempts: 0, maxAttempts: null, progress: null, error: null };

export function initialLiveState(task: TaskRecord, steps: readonly StepRecord[], graph: TemplateGraph, seq: number): LiveState {
  const nodes: Record<string, LiveNode> = {};
  for (const n of graph.nodes) {
    if (n.type === 'interaction') continue;
    nodes[n.id] = { ...EMPTY, state: n.state ?? null };
  }
  for (const s of steps) {
    nodes[s.name] = {
      state: s.state,
      attempts: s.attempts,
      maxAttempts: s.maxAttempts,
      progress: s.state === 'running' ? s.progress : null,
      error: s.error?.message ?? null,
    };
  }
  return { taskId: task.id, kind: task.kind, status: task.status, currentState: task.currentState, nodes, seq, needsRefetch: false };
}

function setNode(live: LiveState, name: string, patch: Partial<LiveNode>): LiveState {
  const node = live.nodes[name];
  if (!node) return { ...live, needsRefetch: true };
  return { ...live, nodes: { ...live.nodes, [name]: { ...node, ...patch } } };
}

function stepState(live: LiveState, name: string, state: StepState, extra: Partial<LiveNode> = {}): LiveState {
  const progress = state === 'running' ? (extra.progress ?? null) : null;
  const error = state === 'error' || state === 'waiting_for_retry' ? (extra.error ?? live.nodes[name]?.error ?? null) : null;
  return setNode(live, name, { ...extra, state, progress, error });
}

/** Flows: the current state shows the task's status; states left behind show `visited`. */
function flowMove(live: LiveState, to: string): LiveState {
  let next = live;
  if (live.currentState && live.currentState !== to) next = setNode(next, live.currentState, { state: 'visited' });
  next = setNode(next, to, { state: live.status as NodeRuntimeState });
  return { ...next, currentState: to };
}

export function applyEvent(live: LiveState, event: StepwiseEvent): LiveState {
  if (event.taskId !== live.taskId || event.seq <= live.seq) return live;
  const next = applyPayload(live, event);
  return { ...next, seq: event.seq };
}

export function applyEvents(live: LiveState, events: readonly StepwiseEvent[]): LiveState {
  return events.reduce(applyEvent, live);
}

function applyPayload(live: LiveState, e: StepwiseEvent): LiveState {
  const step = e.stepName;
  switch (e.type) {
    case 'step.created':
      if (!step) return live;
      if (!live.nodes[step]) return { ...live, needsRefetch: true };
      return stepState(live, step, e.payload.state);
    case 'step.ready':
      return step ? stepState(live, step, 'ready') : live;
    case 'step.started':
      return step ? stepState(live, step, 'running', { attempts: e.payload.attempt, progress: { fraction: 0 } }) : live;
    case 'step.progress':
      return step ? setNode(live, step, { progress: { fraction: e.payload.fraction, ...(e.payload.message ? { message: e.payload.message } : {}) } }) : live;
    case 'step.completed':
      return step ? stepState(live, step, 'complete', { attempts: e.payload.attempt }) : live;
    case 'step.failed':
      // Emitted when a step enters `error` (its retries, if any, are used up).
      return step ? stepState(live, step, 'error', { attempts: e.payload.attempt, error: e.payload.error.message }) : live;
    case 'step.retry_scheduled':
      return step ? stepState(live, step, 'waiting_for_retry', { attempts: e.payload.attempt, error: e.payload.error.message }) : live;
    case 'step.skipped':
      return step ? stepState(live, step, 'skipped') : live;
    case 'step.waiting':
      return step ? stepState(live, step, 'waiting') : live;
    case 'step.cancelled':
      return step ? stepState(live, step, 'cancelled') : live;
    case 'step.state_changed':
      return step ? stepState(live, step, e.payload.to) : live;
    case 'task.status_changed': {
      const next = { ...live, status: e.payload.to };
      return next.kind === 'flow' && next.currentState ? setNode(next, next.currentState, { state: e.payload.to as NodeRuntimeState }) : next;
    }
    case 'flow.transitioned':
      return flowMove(live, e.payload.to);
    case 'op.applied':
      // A manual operation may change several steps at once: read the task again.
      return { ...live, needsRefetch: true };
    case 'task.created':
    case 'task.completed':
    case 'task.failed':
    case 'task.cancelled':
    case 'task.deleted':
    case 'flow.waiting':
    case 'flow.data_changed':
    case 'interaction.fired':
    case 'debug.paused':
    case 'debug.resumed':
      return live;
    default:
      return assertNeverEvent(e);
  }
}

function assertNeverEvent(e: never): LiveState {
  throw new Error(`Unhandled event ${JSON.stringify(e)}`);
}
