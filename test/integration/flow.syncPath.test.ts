/**
 * The flow driver's synchronous path: on storage that answers synchronously (memory, Storage.sync)
 * a flow's pure steps, their commits and their events happen in the call itself, with no promise
 * in between; on storage whose calls are intercepted (or asynchronous) the same flow gives the
 * same records. What the storage keeps (handed over) never reaches callers: they get copies.
 */
import { describe, expect, it } from 'vitest';
import { createFlowDriver } from '../../core/engine/flow/driver.js';
import type { StepwiseEvent } from '../../core/model/events.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import type { Storage } from '../../core/storage/storage.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { decision, interaction, result, waitUntil } from '../../core/template/flowBuilders.js';
import { createTestContext } from '../../core/testing/context.js';
import { RecordingStorage } from '../fixtures/storage/recordingStorage.js';

const review = defineFlow({
  name: 'sync_review',
  namespace: 'test',
  startsWith: 'wait_for_score',
  delay: '1m',
  states: {
    wait_for_score: waitUntil({ condition: (ctx) => typeof ctx.data.score === 'number', goTo: 'grade' }),
    grade: decision({ condition: (ctx) => Number(ctx.data.score) >= 50, ifTrue: 'passed', ifFalse: 'failed' }),
    passed: result(),
    failed: result(),
  },
  interactions: {
    give_score: interaction({ when: 'wait_for_score' }, (ctx, params) => {
      ctx.data.score = (params as { score: number }).score;
      ctx.data.notes = { by: 'reviewer' };
    }),
  },
});

function env(storage: Storage) {
  const ctx = createTestContext({ templates: [review], storage });
  const events: StepwiseEvent[] = [];
  ctx.bus.onAny((e) => events.push(e));
  return { driver: createFlowDriver(ctx), storage, events };
}

/** What a flow left in storage, ids and times aside. */
async function history(storage: Storage, taskId: string) {
  const task = await storage.getTask(taskId);
  const transitions = (await storage.listTransitions(taskId)).map((t) => `${t.field}:${t.from ?? ''}→${t.to}:${t.reason}`);
  const attempts = (await storage.listAttempts(taskId)).map((a) => `${a.stepName}#${a.number}:${a.outcome}`);
  const events = (await storage.readEvents(0, 1000, { taskId })).map((e) => e.type);
  return { status: task?.status, state: task?.currentState, data: task?.data, version: task?.version, transitions, attempts, events };
}

/** Storage that answers synchronously: memory, and a SQLite file (better-sqlite3 is synchronous). */
const synchronous: [string, () => Storage][] = [
  ['memory', () => new MemoryStorage()],
  ['SQLite', () => new SqliteStorage({ file: ':memory:' })],
];

describe('flow driver on synchronous storage', () => {
  it.each(synchronous)('runs an interaction and the pure steps after it within the call: stored and published before the call returns (%s)', async (_name, open) => {
    const { driver, storage, events } = env(open());
    const started = await driver.start(review, {});
    expect(started).toMatchObject({ status: 'waiting', currentState: 'wait_for_score' });
    const seen = events.length;
    const answer = driver.fireInteraction(started.id, 'give_score', { score: 70 });
    // Nothing awaited yet: the commit of the interaction, the wait's re-check, the decision and
    // the result are stored, and their events published, already.
    expect(storage.sync!.getTask(started.id)).toMatchObject({ status: 'complete', currentState: 'passed' });
    expect(events.slice(seen).map((e) => e.type)).toContain('task.completed');
    expect(await answer).toMatchObject({ status: 'complete', currentState: 'passed', data: { score: 70, notes: { by: 'reviewer' } } });
    await storage.close();
  });

  it.each(synchronous)('leaves the same records as the asynchronous path (a storage whose commit is intercepted) (%s)', async (_name, open) => {
    const fast = env(open());
    const slow = env(new RecordingStorage());
    expect(fast.storage.sync).not.toBeNull();
    expect(slow.storage.sync).toBeNull();
    for (const e of [fast, slow]) {
      const t = await e.driver.start(review, {});
      await e.driver.fireInteraction(t.id, 'give_score', { score: 10 });
    }
    const [a] = (await fast.storage.listTasks()).tasks;
    const [b] = (await slow.storage.listTasks()).tasks;
    expect(await history(fast.storage, a!.id)).toEqual(await history(slow.storage, b!.id));
    expect(await history(fast.storage, a!.id)).toMatchObject({ status: 'complete', state: 'failed', data: { score: 10 } });
    expect(fast.events.map((e) => e.type)).toEqual(slow.events.map((e) => e.type));
    await fast.storage.close();
  });

  it('hands callers copies: changing what the driver returned changes nothing stored', async () => {
    const { driver, storage } = env(new MemoryStorage());
    const t = await driver.start(review, {});
    const done = await driver.fireInteraction(t.id, 'give_score', { score: 80 });
    (done.data as { notes: { by: string } }).notes.by = 'someone else';
    done.participants.push('x:1');
    const stored = (await storage.getTask(t.id))!;
    expect(stored.data).toEqual({ score: 80, notes: { by: 'reviewer' } });
    expect(stored.participants).toEqual([]);
    const [dataChanged] = (await storage.readEvents(0, 1000, { taskId: t.id })).filter((e) => e.type === 'flow.data_changed');
    expect(dataChanged!.payload).toEqual({ data: { score: 80, notes: { by: 'reviewer' } } });
  });
});
