/** The sidebar's task list advanced by events (renderer/lib/taskListLive.ts). */
import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '../../core/host/protocol.js';
import type { StepwiseEvent } from '../../core/model/events.js';
import { applyTaskEvent, type LiveTaskList } from '../../renderer/lib/taskListLive.js';

const flow: TaskSummary = {
  id: 'f1',
  templateRef: 'accounts/user_onboarding@1.0.0',
  kind: 'flow',
  status: 'running',
  currentState: 'check_email',
  parentTaskId: null,
  createdAt: 1,
  updatedAt: 1,
  finishedAt: null,
  error: null,
  shortId: '0000000f1',
  inputSummary: 'user_id 7',
  paused: false,
};
const list = (seq = 10): LiveTaskList => ({ page: { tasks: [flow], nextCursor: null, total: 1 }, seq, needsRefetch: false });
type EventInput = { [K in StepwiseEvent['type']]: { type: K; payload: Extract<StepwiseEvent, { type: K }>['payload']; taskId?: string } }[StepwiseEvent['type']];
const ev = (seq: number, e: EventInput): StepwiseEvent => ({ seq, at: 100 + seq, stepName: null, ...e, taskId: e.taskId ?? 'f1' }) as StepwiseEvent;

describe('applyTaskEvent', () => {
  it("follows a flow's state and status as they change, without a refetch", () => {
    let l = applyTaskEvent(list(), ev(11, { type: 'flow.transitioned', payload: { from: 'check_email', to: 'ask_for_email', reason: 'if_false' } }));
    l = applyTaskEvent(l, ev(12, { type: 'task.status_changed', payload: { from: 'running', to: 'waiting', reason: 'wait' } }));
    expect(l.page.tasks[0]).toMatchObject({ currentState: 'ask_for_email', status: 'waiting', updatedAt: 112 });
    expect(l.seq).toBe(12);
    expect(l.needsRefetch).toBe(false);
  });

  it('ignores events the page already reflects and events of tasks it does not list', () => {
    const l = list(20);
    expect(applyTaskEvent(l, ev(15, { type: 'flow.transitioned', payload: { from: 'a', to: 'b', reason: '' } }))).toBe(l);
    const other = applyTaskEvent(l, ev(21, { type: 'flow.transitioned', taskId: 'zz', payload: { from: 'a', to: 'b', reason: '' } }));
    expect(other.page).toBe(l.page);
    expect(other.needsRefetch).toBe(false);
  });

  it('asks for a refetch on a new task, an operation, or a status leaving or joining the filter', () => {
    expect(applyTaskEvent(list(), ev(11, { type: 'task.created', taskId: 'new', payload: { templateRef: 'x', kind: 'workflow', input: {}, parentTaskId: null } })).needsRefetch).toBe(true);
    expect(applyTaskEvent(list(), ev(11, { type: 'op.applied', payload: { op: 'cancelTask', reason: 'r', changes: [] } })).needsRefetch).toBe(true);
    const leaves = applyTaskEvent(list(), ev(11, { type: 'task.status_changed', payload: { from: 'running', to: 'waiting', reason: '' } }), { status: ['running'] });
    expect(leaves.needsRefetch).toBe(true);
    const joins = applyTaskEvent(list(), ev(11, { type: 'task.status_changed', taskId: 'other', payload: { from: 'running', to: 'waiting', reason: '' } }), { status: ['waiting'] });
    expect(joins.needsRefetch).toBe(true);
    const stays = applyTaskEvent(list(), ev(11, { type: 'task.status_changed', payload: { from: 'running', to: 'waiting', reason: '' } }), { status: ['running', 'waiting'] });
    expect(stays.needsRefetch).toBe(false);
  });

  it('shows a task paused and running again as the debugger holds and releases it', () => {
    const paused = applyTaskEvent(list(), ev(11, { type: 'debug.paused', payload: { reason: 'user' } }));
    expect(paused.page.tasks[0]!.paused).toBe(true);
    const resumed = applyTaskEvent(paused, ev(12, { type: 'debug.resumed', payload: {} }));
    expect(resumed.page.tasks[0]!.paused).toBe(false);
    expect(resumed.needsRefetch).toBe(false);
  });
});
