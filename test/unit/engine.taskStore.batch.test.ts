/**
 * TaskStore batches the changes of one task that queue while its lock is held into one commit.
 * What must hold: each change's records, transitions and events as if committed one by one (in
 * order), a throwing plan fails only its own change, and a commit refused for one change does not
 * take the others with it.
 */
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../core/events/bus.js';
import { ManualClock } from '../../core/model/clock.js';
import { TaskStore } from '../../core/engine/runtime/taskStore.js';
import type { EngineContext } from '../../core/engine/context.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { step, task } from '../fixtures/storage/records.js';

async function setup() {
  const storage = new MemoryStorage();
  await storage.commit({
    insertTasks: [task('t1', { status: 'running' })],
    insertSteps: ['a', 'b', 'c'].map((n) => step('t1', n, { state: 'ready' })),
  });
  const commits: ChangeSet[] = [];
  const commit = storage.commit.bind(storage);
  storage.commit = (c) => {
    commits.push(c);
    return commit(c);
  };
  const ctx = { storage, clock: new ManualClock(), bus: createEventBus(), owner: 'test', leaseMs: 1000 } as unknown as EngineContext;
  return { storage, commits, store: new TaskStore(ctx) };
}

describe('TaskStore batching', () => {
  it('commits changes queued together once, each with its transition and event, in order', async () => {
    const { storage, commits, store } = await setup();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((n) => store.change('t1', (d) => (d.moveStep(n, 'cancelled', `cancel ${n}`), n))),
    );
    expect(results.map((r) => r?.value)).toEqual(['a', 'b', 'c']);
    expect(commits).toHaveLength(1);
    const moves = (await storage.listTransitions('t1')).slice(-3).map((t) => `${t.stepName}:${t.to}`);
    expect(moves).toEqual(['a:cancelled', 'b:cancelled', 'c:cancelled']);
    const events = (await storage.readEvents(0)).filter((e) => e.type === 'step.cancelled').map((e) => e.stepName);
    expect(events).toEqual(['a', 'b', 'c']);
  });

  it('fails only the change whose plan threw; the others commit', async () => {
    const { storage, commits, store } = await setup();
    const outcomes = await Promise.allSettled([
      store.change('t1', (d) => d.moveStep('a', 'cancelled', 'x')),
      store.change('t1', () => {
        throw new Error('plan b failed');
      }),
      store.change('t1', (d) => d.moveStep('c', 'cancelled', 'x')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('plan b failed');
    expect(commits).toHaveLength(1);
    expect((await storage.getSteps('t1')).map((s) => s.state)).toEqual(['cancelled', 'ready', 'cancelled']);
  });

  it('retries change by change when the batch commit is refused, so only the bad change fails', async () => {
    const { storage, store } = await setup();
    const outcomes = await Promise.allSettled([
      store.change('t1', (d) => d.moveStep('a', 'cancelled', 'x')),
      store.change('t1', (d) => {
        d.moveStep('b', 'cancelled', 'x');
        d.extra = { insertTasks: [task('t1')] }; // a duplicate id: refused by storage
      }),
      store.change('t1', (d) => d.moveStep('c', 'cancelled', 'x')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.code).toBe('DUPLICATE');
    expect((await storage.getSteps('t1')).map((s) => s.state)).toEqual(['cancelled', 'ready', 'cancelled']);
  });

  it('commits separately what different actors changed', async () => {
    const { commits, store, storage } = await setup();
    await Promise.all([
      store.change('t1', (d) => d.moveStep('a', 'cancelled', 'x'), 'engine'),
      store.change('t1', (d) => d.moveStep('b', 'cancelled', 'x'), 'user'),
    ]);
    expect(commits).toHaveLength(2);
    expect((await storage.listTransitions('t1')).slice(-2).map((t) => t.actor)).toEqual(['engine', 'user']);
  });
});
