/** followEvents: backlog then live, no gaps and no duplicates under any interleaving. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../core/events/bus.js';
import { followEventBatches, followEvents, type EventSource } from '../../core/events/log.js';
import type { EventBus } from '../../core/events/types.js';
import type { NewEvent, StepwiseEvent } from '../../core/model/events.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { readyEvent } from '../fixtures/storage/records.js';

const events = (n: number, taskId = 't1'): NewEvent[] => Array.from({ length: n }, (_, i) => readyEvent(taskId, `s${i}`));

async function commit(storage: MemoryStorage, n: number, taskId = 't1'): Promise<StepwiseEvent[]> {
  return (await storage.commit({ events: events(n, taskId) })).events;
}

async function commitAndPublish(storage: MemoryStorage, bus: EventBus, n: number, taskId = 't1'): Promise<StepwiseEvent[]> {
  const published = await commit(storage, n, taskId);
  bus.publish(published);
  return published;
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

function setup() {
  const storage = new MemoryStorage();
  const bus = createEventBus({ diagnostics: false });
  const seen: number[] = [];
  return { storage, bus, seen, collect: (e: StepwiseEvent) => void seen.push(e.seq) };
}

describe('followEvents', () => {
  it('hands over the backlog after the cursor, page by page, then live events', async () => {
    const { storage, bus, seen, collect } = setup();
    await commit(storage, 7);
    const follow = followEvents(storage, bus, 2, collect, { pageSize: 2 });
    await follow.idle();
    expect(seen).toEqual(range(3, 7));
    await commitAndPublish(storage, bus, 2);
    await follow.idle();
    expect(seen).toEqual(range(3, 9));
    expect(follow.cursor).toBe(9);
    follow();
  });

  it('events committed and published while the backlog is being read arrive once, in order', async () => {
    const { storage, bus, seen, collect } = setup();
    await commit(storage, 4);
    let reads = 0;
    const racing: EventSource = {
      lastEventSeq: () => storage.lastEventSeq(),
      readEvents: async (after, limit, filter) => {
        const page = await storage.readEvents(after, limit, filter);
        // Another writer commits and publishes between our read and its result.
        if (reads++ < 2) await commitAndPublish(storage, bus, 3);
        return page;
      },
    };
    const follow = followEvents(racing, bus, 0, collect, { pageSize: 2 });
    await follow.idle();
    expect(seen).toEqual(range(1, 10));
    follow();
  });

  it('backfills from storage when a live event shows a gap (commits that were never published here)', async () => {
    const { storage, bus, seen, collect } = setup();
    const follow = followEvents(storage, bus, 0, collect);
    await follow.idle();
    await commit(storage, 3); // written by another process: no publish on this bus
    await commitAndPublish(storage, bus, 1);
    await follow.idle();
    expect(seen).toEqual([1, 2, 3, 4]);
    follow();
  });

  it('drops duplicate and late publishes and reorders out-of-order ones', async () => {
    const { storage, bus, seen, collect } = setup();
    const follow = followEvents(storage, bus, 0, collect);
    await follow.idle();
    const a = await commit(storage, 2);
    const b = await commit(storage, 2);
    bus.publish(b);
    bus.publish(a);
    bus.publish(b);
    bus.publish([...a, ...b].reverse());
    await follow.idle();
    expect(seen).toEqual([1, 2, 3, 4]);
    follow();
  });

  it('hands over a published event that storage does not have rather than stalling', async () => {
    const { storage, bus, seen, collect } = setup();
    const follow = followEvents(storage, bus, 0, collect);
    await follow.idle();
    bus.publish([{ seq: 5, type: 'step.ready', taskId: 't1', stepName: 'x', at: 0, payload: {} }]);
    await follow.idle();
    expect(seen).toEqual([5]);
    follow();
  });

  it('filters by task while keeping the cursor moving over other tasks', async () => {
    const { storage, bus, collect, seen } = setup();
    await commit(storage, 2, 'a');
    await commit(storage, 2, 'b');
    await commit(storage, 1, 'a');
    const follow = followEvents(storage, bus, 0, collect, { taskId: 'a', pageSize: 1 });
    await follow.idle();
    expect(seen).toEqual([1, 2, 5]);
    expect(follow.cursor).toBe(5);
    await commitAndPublish(storage, bus, 2, 'b');
    await commitAndPublish(storage, bus, 1, 'a');
    await follow.idle();
    expect(seen).toEqual([1, 2, 5, 8]);
    follow();
  });

  it('following live reads storage for the backlog only: contiguous commits are handed over as they are published', async () => {
    const { storage, bus, seen, collect } = setup();
    await commit(storage, 5);
    let reads = 0;
    const counted: EventSource = {
      lastEventSeq: () => (reads++, storage.lastEventSeq()),
      readEvents: (after, limit, filter) => (reads++, storage.readEvents(after, limit, filter)),
    };
    const follow = followEvents(counted, bus, 0, collect);
    await follow.idle();
    const backlogReads = reads;
    for (let i = 0; i < 50; i++) await commitAndPublish(storage, bus, 3);
    // Handed over during publish: nothing left to wait for, no read made.
    expect(seen).toEqual(range(1, 155));
    expect(reads).toBe(backlogReads);
    follow();
  });

  it('followEventBatches hands over a storage page or a published commit at a time', async () => {
    const { storage, bus } = setup();
    await commit(storage, 5);
    const batches: number[][] = [];
    const follow = followEventBatches(storage, bus, 1, (events) => void batches.push(events.map((e) => e.seq)), { pageSize: 3 });
    await follow.idle();
    await commitAndPublish(storage, bus, 4);
    await commitAndPublish(storage, bus, 1, 'other');
    await follow.idle();
    expect(batches).toEqual([[2, 3, 4], [5], [6, 7, 8, 9], [10]]);
    expect(follow.cursor).toBe(10);
    follow();
  });

  it('followEventBatches with a task filter skips batches with nothing of the task but moves the cursor', async () => {
    const { storage, bus } = setup();
    const batches: number[][] = [];
    const follow = followEventBatches(storage, bus, 0, async (events) => void batches.push(events.map((e) => e.seq)), { taskId: 'a' });
    await follow.idle();
    await commitAndPublish(storage, bus, 2, 'b');
    await commitAndPublish(storage, bus, 2, 'a');
    await follow.idle();
    expect(batches).toEqual([[3, 4]]);
    expect(follow.cursor).toBe(4);
    follow();
  });

  it('a handler that throws while following live stops the follower and is reported once', async () => {
    const { storage, bus } = setup();
    const errors: string[] = [];
    const follow = followEvents(
      storage,
      bus,
      0,
      (e) => {
        if (e.seq === 2) throw new Error('handler broke');
      },
      { onError: (err) => errors.push((err as Error).message) },
    );
    await follow.idle();
    await commitAndPublish(storage, bus, 3);
    await commitAndPublish(storage, bus, 1);
    await follow.idle();
    expect(errors).toEqual(['handler broke']);
    expect(follow.cursor).toBe(2);
  });

  it('waits for an async onEvent before the next event, and stops on request', async () => {
    const { storage, bus } = setup();
    await commit(storage, 3);
    const log: string[] = [];
    const follow = followEvents(storage, bus, 0, async (e) => {
      log.push(`start ${e.seq}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${e.seq}`);
      if (e.seq === 2) follow();
    });
    await follow.idle();
    await commitAndPublish(storage, bus, 1);
    await follow.idle();
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('reports a storage failure once and stops', async () => {
    const { bus, seen, collect } = setup();
    const errors: unknown[] = [];
    const failing: EventSource = {
      lastEventSeq: async () => 3,
      readEvents: async () => {
        throw new Error('disk gone');
      },
    };
    const follow = followEvents(failing, bus, 0, collect, { onError: (e) => errors.push((e as Error).message) });
    await follow.idle();
    bus.publish([{ seq: 9, type: 'step.ready', taskId: 't1', stepName: 'x', at: 0, payload: {} }]);
    await follow.idle();
    expect(errors).toEqual(['disk gone']);
    expect(seen).toEqual([]);
  });

  it('property: under any interleaving of commits, publishes and reads, every event arrives exactly once, in order', async () => {
    type Mode = 'publish' | 'late' | 'never' | 'twice' | 'reversed';
    const action = fc.record({
      count: fc.integer({ min: 1, max: 3 }),
      mode: fc.constantFrom<Mode>('publish', 'late', 'never', 'twice', 'reversed'),
      task: fc.constantFrom('a', 'b'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.array(action, { maxLength: 8 }),
        fc.boolean(),
        async (s, backlog, from, pageSize, filtered, actions, batched) => {
          const storage = new MemoryStorage();
          const bus = createEventBus({ diagnostics: false });
          const all = await commit(storage, backlog, 'a');
          const fromSeq = Math.min(from, backlog);
          const source: EventSource = {
            readEvents: s.scheduleFunction((after: number, limit?: number, f?: { taskId?: string }) => storage.readEvents(after, limit, f)),
            lastEventSeq: s.scheduleFunction(() => storage.lastEventSeq()),
          };
          const seen: StepwiseEvent[] = [];
          const opts = { pageSize, ...(filtered ? { taskId: 'a' } : {}) };
          const follow = batched
            ? followEventBatches(source, bus, fromSeq, (events) => void seen.push(...events), opts)
            : followEvents(source, bus, fromSeq, (e) => void seen.push(e), opts);
          for (const act of actions) {
            void s.schedule(Promise.resolve(act)).then(async () => {
              const published = await commit(storage, act.count, act.task);
              all.push(...published);
              if (act.mode === 'publish' || act.mode === 'twice') bus.publish(published);
              if (act.mode === 'reversed') bus.publish([...published].reverse());
              if (act.mode === 'late' || act.mode === 'twice') void s.schedule(Promise.resolve()).then(() => bus.publish(published));
            });
          }
          await s.waitAll();
          // A final published commit makes any never-published ones visible as a gap.
          all.push(...(await commitAndPublish(storage, bus, 1, 'a')));
          const last = all[all.length - 1]!.seq;
          for (let i = 0; i < 200 && follow.cursor < last; i++) {
            await s.waitAll();
            await new Promise((r) => setImmediate(r));
          }
          await s.waitAll();
          await follow.idle();
          follow();
          const expected = all.filter((e) => e.seq > fromSeq && (!filtered || e.taskId === 'a')).map((e) => e.seq);
          expect(seen.map((e) => e.seq)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with watermark storage, waits for a commit numbered earlier instead of skipping past it', async () => {
    // PostgreSQL-like: seq 2 is numbered but its commit still runs; seq 3 committed and was published.
    const log: StepwiseEvent[] = [1, 2, 3].map((seq) => ({ seq, type: 'step.ready', taskId: 't1', stepName: `s${seq}`, at: 0, payload: {} }) as StepwiseEvent);
    let watermark = 1;
    const source: EventSource = {
      eventOrder: 'watermark',
      lastEventSeq: async () => watermark,
      readEvents: async (after, limit = 1000) => log.filter((e) => e.seq > after && e.seq <= watermark).slice(0, limit),
    };
    const bus = createEventBus({ diagnostics: false });
    const seen: number[] = [];
    const follow = followEvents(source, bus, 0, (e) => void seen.push(e.seq));
    await follow.idle();
    expect(seen).toEqual([1]);
    bus.publish([log[2]!]);
    await new Promise((r) => setTimeout(r, 40));
    await follow.idle();
    expect(seen).toEqual([1]);
    expect(follow.cursor).toBe(1);
    watermark = 3; // seq 2's commit ended
    await expect.poll(() => seen).toEqual([1, 2, 3]);
    follow();
  });
});
