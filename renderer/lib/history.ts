/**
 * The canvas picture of a task at a past transition: core/ops stateAt's answer turned into the
 * same LiveState the live view draws, so the scrubber reuses the canvas unchanged; and the
 * inspector's attempts and transitions cut at that point. PURE.
 */
import type { AttemptRecord, JsonObject, NodeRuntimeState, TaskStateAt, TransitionRecord } from '../../core/host/protocol.js';
import type { LiveNode, LiveState } from './liveState.js';

export function liveAt(now: LiveState, at: TaskStateAt, transitionsUpTo: readonly TransitionRecord[]): LiveState {
  const nodes: LiveState['nodes'] = {};
  for (const [name, node] of Object.entries(now.nodes)) {
    nodes[name] = { state: null, attempts: 0, maxAttempts: node.maxAttempts, progress: null, error: null };
  }
  if (at.kind === 'workflow') {
    for (const [name, step] of Object.entries(at.steps)) {
      nodes[name] = { state: step.state, attempts: step.attempts, maxAttempts: now.nodes[name]?.maxAttempts ?? null, progress: null, error: null };
    }
    // Steps that did not exist yet (dynamic workers made later) are drawn as not started.
    for (const name of Object.keys(nodes)) if (!(name in at.steps)) nodes[name]!.state = 'pending';
  } else {
    for (const t of transitionsUpTo) {
      if (t.stepName === null && t.field === 'state' && t.from && nodes[t.from]) nodes[t.from]!.state = 'visited';
    }
    if (at.currentState && nodes[at.currentState]) nodes[at.currentState]!.state = (at.status ?? 'running') as NodeRuntimeState;
  }
  return {
    taskId: now.taskId,
    kind: now.kind,
    status: at.status ?? now.status,
    currentState: at.currentState,
    nodes,
    seq: now.seq,
    needsRefetch: false,
  };
}

/** What the inspector shows of one step (or flow state) at a past transition. */
export interface InspectorHistory {
  /** The transition's seq (what stateAt answered for) and when it happened. */
  seq: number;
  at: number | null;
  /** 0-based index of the transition among the task's, and how many there are. */
  index: number;
  total: number;
  /** The node as the canvas draws it then. */
  node: LiveNode | null;
  /** Flows: the data then. */
  data: JsonObject | null;
}

/**
 * The attempts as they were at that point: those started by then; one still running then is
 * shown running (no outcome, duration, error or logs of later). Workflows count attempts from
 * the claim rows (`node.attempts`), flows by time.
 */
export function attemptsAt<A extends Pick<AttemptRecord, 'number' | 'startedAt' | 'finishedAt' | 'durationMs' | 'outcome' | 'error' | 'logs'>>(
  attempts: readonly A[],
  h: Pick<InspectorHistory, 'at' | 'node'>,
  kind: 'workflow' | 'flow',
): A[] {
  if (h.at === null) return [];
  const at = h.at;
  const started = kind === 'workflow' ? attempts.filter((a) => a.number <= (h.node?.attempts ?? 0)) : attempts.filter((a) => a.startedAt <= at);
  return started.map((a) => {
    const runningThen = kind === 'workflow' ? h.node?.state === 'running' && a.number === h.node.attempts : a.finishedAt === null || a.finishedAt > at;
    return runningThen ? { ...a, finishedAt: null, durationMs: null, outcome: null, error: null, logs: a.logs.filter((l) => l.at <= at) } : a;
  });
}

export function transitionsAt<T extends Pick<TransitionRecord, 'seq'>>(transitions: readonly T[], seq: number): T[] {
  return transitions.filter((t) => t.seq <= seq);
}
