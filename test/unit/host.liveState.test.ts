/** The task view's live state: events move nodes, in seq order, once; structure changes ask for a refetch. */
import { describe, expect, it } from 'vitest';
import type { TemplateGraph } from '../../core/export/graphModel.js';
import type { StepwiseEvent } from '../../core/model/events.js';
import type { StepRecord, TaskRecord } from '../../core/model/runtime.js';
import { applyEvent, applyEvents, initialLiveState } from '../../renderer/lib/liveState.js';

const task = { id: 't1', kind: 'workflow', status: 'running', currentState: null } as TaskRecord;
const graph: TemplateGraph = {
  kind: 'workflow',
  id: 'x/y@1',
  name: 'y',
  nodes: ['a', 'b'].map((id) => ({ id, label: id, type: 'standard' as const, meta: {} })),
  edges: [{ id: 'dependency:a->b', from: 'a', to: 'b', kind: 'dependency' }],
};
const step = (name: string, state: StepRecord['state']) =>
  ({ name, state, attempts: 0, maxAttempts: 3, progress: null, error: null }) as unknown as StepRecord;

let seq = 10;
function ev(e: Partial<StepwiseEvent> & Pick<StepwiseEvent, 'type' | 'payload'>): StepwiseEvent {
  return { seq: ++seq, taskId: 't1', stepName: null, at: 0, ...e } as StepwiseEvent;
}

describe('liveState', () => {
  const start = () => initialLiveState(task, [step('a', 'ready'), step('b', 'pending')], graph, 10);

  it('follows a step through running (with progress and attempts) to complete', () => {
    seq = 10;
    let live = applyEvents(start(), [
      ev({ type: 'step.started', stepName: 'a', payload: { attempt: 1 } }),
      ev({ type: 'step.progress', stepName: 'a', payload: { fraction: 0.4, message: 'rows' } }),
    ]);
    expect(live.nodes.a).toMatchObject({ state: 'running', attempts: 1, progress: { fraction: 0.4, message: 'rows' } });
    live = applyEvent(live, ev({ type: 'step.completed', stepName: 'a', payload: { attempt: 1, results: {} } }));
    expect(live.nodes.a).toMatchObject({ state: 'complete', progress: null });
    expect(live.nodes.b!.state).toBe('pending');
  });

  it('shows retries and the final error', () => {
    seq = 10;
    const error = { class: 'Error', message: 'boom' };
    const live = applyEvents(start(), [
      ev({ type: 'step.started', stepName: 'a', payload: { attempt: 1 } }),
      ev({ type: 'step.retry_scheduled', stepName: 'a', payload: { attempt: 1, retryAt: 5, delayMs: 5, error } }),
    ]);
    expect(live.nodes.a).toMatchObject({ state: 'waiting_for_retry', error: 'boom' });
    const failed = applyEvent(live, ev({ type: 'step.failed', stepName: 'a', payload: { attempt: 2, error } }));
    expect(failed.nodes.a).toMatchObject({ state: 'error', attempts: 2, error: 'boom' });
  });

  it('ignores events already reflected in the snapshot, and other tasks', () => {
    const live = start();
    const old = { seq: 9, type: 'step.completed', taskId: 't1', stepName: 'a', at: 0, payload: { attempt: 1, results: {} } } as StepwiseEvent;
    expect(applyEvent(live, old)).toBe(live);
    const other = { seq: 99, type: 'step.completed', taskId: 't2', stepName: 'a', at: 0, payload: { attempt: 1, results: {} } } as StepwiseEvent;
    expect(applyEvent(live, other)).toBe(live);
  });

  it('asks for a refetch when a step appears that the graph does not have, or an operation ran', () => {
    seq = 10;
    const grown = applyEvent(start(), ev({ type: 'step.created', stepName: 'worker#0', payload: { state: 'ready', dynamic: true, createdBy: 'a' } }));
    expect(grown.needsRefetch).toBe(true);
    const op = applyEvent(start(), ev({ type: 'op.applied', payload: { op: 'retryStep', reason: 'r', changes: null } }));
    expect(op.needsRefetch).toBe(true);
  });

  it('moves a flow: the old state becomes visited, the new one shows the flow status', () => {
    seq = 10;
    const flowGraph: TemplateGraph = {
      kind: 'flow',
      id: 'f/g@1',
      name: 'g',
      nodes: [
        { id: 'check', label: 'check', type: 'decision', meta: {}, state: 'running', current: true },
        { id: 'wait', label: 'wait', type: 'wait', meta: {} },
      ],
      edges: [],
    };
    const flowTask = { id: 't1', kind: 'flow', status: 'running', currentState: 'check' } as TaskRecord;
    let live = initialLiveState(flowTask, [], flowGraph, 10);
    live = applyEvents(live, [
      ev({ type: 'flow.transitioned', payload: { from: 'check', to: 'wait', reason: 'no email' } }),
      ev({ type: 'task.status_changed', payload: { from: 'running', to: 'waiting', reason: 'waiting' } }),
    ]);
    expect(live.currentState).toBe('wait');
    expect(live.nodes.check!.state).toBe('visited');
    expect(live.nodes.wait!.state).toBe('waiting');
    expect(live.status).toBe('waiting');
  });
});
