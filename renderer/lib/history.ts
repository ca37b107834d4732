/**
 * The canvas picture of a task at a past transition: core/ops stateAt's answer turned into the
 * same LiveState the live view draws, so the scrubber reuses the canvas unchanged. PURE.
 */
import type { NodeRuntimeState } from '../../core/export/graphModel.js';
import type { TransitionRecord } from '../../core/model/runtime.js';
import type { TaskStateAt } from '../../core/ops/history.js';
import type { LiveState } from './liveState.js';

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
    if (at.currentState && nodes[at.currentState]) nodes[at.currentState]!.state = (at.status ?? 'active') as NodeRuntimeState;
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
