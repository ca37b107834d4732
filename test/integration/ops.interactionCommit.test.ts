/**
 * An interaction fired through core/ops is one commit: the interaction's transition, its
 * `interaction.fired` event and the operation's `op.applied` event land together (a crash
 * between two commits could otherwise keep the change and lose its audit record). A refused or
 * failed interaction writes neither.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { ManualClock } from '../../core/model/clock.js';
import type { FlowContext } from '../../core/model/handlers.js';
import { createOps, type Ops } from '../../core/ops/index.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { registrationHandlers } from '../fixtures/flows/registration.js';
import { RecordingStorage } from '../fixtures/storage/recordingStorage.js';
import { refusal } from '../fixtures/ops/opsHarness.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const registration = loadFlowFixture('registration.yaml');

async function waitingRegistration(): Promise<{ storage: RecordingStorage; ops: Ops; id: string }> {
  const storage = new RecordingStorage();
  const handlers = {
    ...registrationHandlers,
    store_email: (ctx: FlowContext<{ email?: string }>, params: { email: string }) => {
      if (params.email === 'boom@example.com') throw new Error('mail server down');
      ctx.data.email = params.email;
    },
  };
  engine = createEngine({
    storage,
    clock: new ManualClock(),
    executor: 'inline',
    templates: createTemplateRegistry([registration]),
    handlers: createHandlerRegistry(new Map(Object.entries(handlers).map(([name, fn]) => [name, { name, fn, file: '' }]))),
  });
  const task = await engine.start('accounts/registration', { user_id: 42 });
  await engine.runUntilIdle({ taskId: task.id });
  expect((await storage.getTask(task.id))!).toMatchObject({ status: 'waiting', currentState: 'wait_for_email' });
  return { storage, ops: createOps(engine), id: task.id };
}

const eventTypes = (cs: ChangeSet) => (cs.events ?? []).map((e) => e.type);

describe('fireInteraction through ops', () => {
  it('writes the interaction and its op.applied event in one commit, with the payload of the preview', async () => {
    const { storage, ops, id } = await waitingRegistration();
    const req = { op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'a@example.com' } } as const;
    const preview = await ops.preview(req);
    const from = storage.commits.length;
    const result = await ops.apply(req, { expectedVersion: preview.version, reason: 'user called support' });

    const commits = storage.commits.slice(from);
    const withApplied = commits.filter((cs) => eventTypes(cs).includes('op.applied'));
    expect(withApplied).toHaveLength(1);
    const cs = withApplied[0]!;
    expect(eventTypes(cs)).toContain('interaction.fired');
    expect(cs.transitions).toContainEqual(expect.objectContaining({ taskId: id, field: 'data', actor: 'user', reason: 'interaction.fired' }));
    expect(cs.events!.find((e) => e.type === 'op.applied')!.payload).toEqual({ op: 'fireInteraction', reason: 'user called support', changes: preview.changes });

    // The result still names the stored op.applied event, and the task is left due for whoever drives it.
    expect(result.events.map((e) => e.type)).toEqual(['op.applied']);
    expect(result.events[0]!.seq).toBeGreaterThan(0);
    expect(result.task.data).toMatchObject({ email: 'a@example.com' });
    await engine!.runUntilIdle({ taskId: id });
    expect((await storage.getTask(id))!).toMatchObject({ status: 'complete', currentState: 'done' });
    expect((await storage.readEvents(0, 1000, { taskId: id })).filter((e) => e.type === 'op.applied')).toHaveLength(1);
  });

  it('writes neither the transition nor op.applied when the interaction is refused or its handler fails', async () => {
    const { storage, ops, id } = await waitingRegistration();
    const version = (await storage.getTask(id))!.version;
    const from = storage.commits.length;
    const seqBefore = await storage.lastEventSeq();
    const transitionsBefore = (await storage.listTransitions(id)).length;

    // Refused by its params schema.
    const bad = await refusal(ops.apply({ op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'nope' } }, { expectedVersion: version, reason: 'typo' }));
    expect(bad.code).toBe('INPUT_INVALID');
    // Refused as stale.
    const stale = await refusal(ops.apply({ op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'a@example.com' } }, { expectedVersion: version - 1, reason: 'late' }));
    expect(stale.code).toBe('STALE');
    expect(storage.commits.length).toBe(from);
    // Its handler throws: only the failed attempt is kept for the record.
    const failed = await refusal(ops.apply({ op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'boom@example.com' } }, { expectedVersion: version, reason: 'retry mail' }));
    expect(failed.code).toBe('HANDLER_ERROR');
    const written = storage.commits.slice(from);
    expect(written).toHaveLength(1);
    expect(written[0]!.insertAttempts).toHaveLength(1);
    expect(written[0]!.transitions ?? []).toEqual([]);
    expect(written[0]!.events ?? []).toEqual([]);
    expect(await storage.lastEventSeq()).toBe(seqBefore);
    expect(await storage.listTransitions(id)).toHaveLength(transitionsBefore);
    expect((await storage.getTask(id))!).toMatchObject({ version, currentState: 'wait_for_email' });
  });
});
