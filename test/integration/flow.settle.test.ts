/**
 * Before an action runs, the driver makes sure it acts on the task as stored: an action is
 * claimed (its lease) in one commit with the moves that lead to it (after an action: with that
 * action's end), planned on the task version the flow last committed, so a pause or cancel
 * committed by someone else after the flow's previous commit makes the claim STALE: it is seen
 * and the action does not run. With nothing in
 * between, the flow goes on without reading the task back.
 */
import { describe, expect, it } from 'vitest';
import { createFlowDriver } from '../../core/engine/flow/driver.js';
import type { TaskRecord } from '../../core/model/runtime.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { ChangeSet, CommitResult, Storage } from '../../core/storage/storage.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, decision, result } from '../../core/template/flowBuilders.js';
import { createTestContext } from '../../core/testing/context.js';

/** Memory storage that can commit something of its own right after one of the flow's commits. */
class InterferingStorage extends MemoryStorage {
  after: ((changes: ChangeSet) => Promise<void>) | null = null;
  reads = 0;
  override async commit(changes: ChangeSet): Promise<CommitResult> {
    const result = await super.commit(changes);
    const hook = this.after;
    if (hook) await hook(changes);
    return result;
  }
  override async getTask(id: string): Promise<TaskRecord | null> {
    this.reads++;
    return super.getTask(id);
  }
}

function setup() {
  const ran: string[] = [];
  const flow = defineFlow({
    name: 'settle_flow',
    namespace: 'test',
    startsWith: 'first',
    states: {
      first: action(() => void ran.push('first'), { goTo: 'choose' }),
      choose: decision({ condition: () => true, ifTrue: 'second', ifFalse: 'done' }),
      second: action(() => void ran.push('second'), { goTo: 'done' }),
      done: result(),
    },
  });
  const storage = new InterferingStorage();
  const ctx = createTestContext({ templates: [flow], storage: storage as Storage });
  return { flow, storage, ctx, ran, driver: createFlowDriver(ctx) };
}

const movesTo = (changes: ChangeSet, state: string) => (changes.transitions ?? []).some((t) => t.field === 'state' && t.to === state);
/** The flow's creation, with its first action claimed: the next commit (the action's end, the decision and the claim of `second`) is planned on it. */
const creates = (changes: ChangeSet) => (changes.insertTasks ?? []).length > 0;

describe('settling before an action', () => {
  it('sees a pause committed by another caller right after the commit before the action, and does not run it', async () => {
    const { flow, storage, ctx, ran, driver } = setup();
    storage.after = async (changes) => {
      if (!creates(changes)) return;
      storage.after = null;
      const t = (await storage.getTask(changes.insertTasks![0]!.id))!;
      const now = ctx.clock.now();
      await storage.commit({
        // As core/ops plans a pause: status `paused`, resuming to running.
        updateTasks: [{ id: t.id, expectedVersion: t.version, set: { status: 'paused', debug: { ...t.debug, paused: true, pauseReason: 'user', resumeStatus: 'running' }, updatedAt: now } }],
        transitions: [{ taskId: t.id, stepName: null, field: 'status', from: 'running', to: 'paused', reason: 'user', actor: 'user', at: now, details: {} }],
        events: [{ type: 'debug.paused', taskId: t.id, stepName: null, at: now, payload: { reason: 'user' } }],
      });
    };
    const task = await driver.start(flow, {});
    expect(ran).toEqual(['first']);
    expect(task).toMatchObject({ status: 'paused', currentState: 'choose', debug: { paused: true, resumeStatus: 'running' }, leaseOwner: null });
  });

  it('sees a cancel committed by another caller right after the commit before the action', async () => {
    const { flow, storage, ran, driver } = setup();
    storage.after = async (changes) => {
      if (!creates(changes)) return;
      storage.after = null;
      await createFlowDriver(createTestContext({ templates: [flow], storage: storage as Storage })).cancel(changes.insertTasks![0]!.id, 'changed my mind');
    };
    const task = await driver.start(flow, {});
    expect(ran).toEqual(['first']);
    expect(task.status).toBe('cancelled');
  });

  it('goes on without a read when only another task changed meanwhile (the claim checks the version)', async () => {
    const { flow, storage, ctx, ran, driver } = setup();
    const other = await driver.create(flow, {});
    storage.after = async (changes) => {
      if (!movesTo(changes, 'second')) return;
      storage.after = null;
      // Another task's event: the flow's own task version did not move, so its claim commits.
      await storage.commit({ events: [{ type: 'step.progress', taskId: other.id, stepName: 'x', at: ctx.clock.now(), payload: { fraction: 0.5 } }] });
    };
    const before = storage.reads;
    const task = await driver.start(flow, {});
    expect(ran).toEqual(['first', 'second']);
    expect(task.status).toBe('complete');
    expect(storage.reads - before).toBe(0);
  });

  it('with nothing committed in between, runs the action without reading the task back', async () => {
    const { flow, storage, ran, driver } = setup();
    const task = await driver.start(flow, {});
    expect(ran).toEqual(['first', 'second']);
    expect(task.status).toBe('complete');
    expect(storage.reads).toBe(0);
    expect(await storage.getTask(task.id)).toEqual(task);
  });
});
