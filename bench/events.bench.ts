/**
 * Events delivered to an in-process follower (core/events `followEvents`, the way the workbench
 * host follows the log). Run: `npx tsx bench/events.bench.ts [--quick] [--runs N]`.
 *
 * - live: a producer commits events the way the engine does
 *   (storage.commit, then bus.publish of what the commit returned, 24 events per commit: a
 *   fan-out commit of 8 outcomes and 8 claims) on a SQLite file, while a follower started at
 *   seq 0 receives every event; events ÷ time until the follower has the last one. The same
 *   producer alone is timed in the same round (`producerOnly`): the follower's cost is the
 *   difference. `storageReadsWhileLive` counts the follower's storage reads after its backlog:
 *   following live must not read storage at all.
 * - liveMemory: the same on memory storage (the delivery path with the cheapest commit).
 * - delivery (the `eventsLivePerSecond` figure): the follower's own capacity: the commits are made first (not timed), then their
 *   events are published on the bus commit by commit, as the engine publishes them, to a live
 *   follower: events ÷ time until it has the last one.
 * - engine: the engine runs a 2,000-step fan-out on SQLite (pool of 8, no-op handlers) with a
 *   live follower from seq 0, and without one, alternating: events/s the engine produces and
 *   what following costs it.
 * - backlog: a new follower from seq 0 over the finished run's log (storage pages + hand-over).
 * Every run checks that the follower received each event once, in seq order.
 */
import { join } from 'node:path';
import type { NewEvent, StepwiseEvent } from '../core/model/events.js';
import { followEvents, type EventSource } from '../core/events/log.js';
import type { EventBus } from '../core/events/types.js';
import { createEventBus } from '../core/events/bus.js';
import { openStorage, type StorageConfig } from '../core/storage/index.js';
import type { Storage } from '../core/storage/storage.js';
import { parseArgs, runMain, tempDir } from './lib/cli.js';
import { perSecond, repeat, round, sample } from './lib/stats.js';
import { benchEngine, fanOut } from './lib/stepwise.js';

const PER_COMMIT = 24;

/** Resolves once the follower has received seq `last`; checks order and uniqueness. */
function collector() {
  let lastSeq = 0;
  let count = 0;
  let waiting: { upto: number; resolve: () => void } | null = null;
  return {
    onEvent(e: StepwiseEvent) {
      if (e.seq <= lastSeq) throw new Error(`event ${e.seq} after ${lastSeq}: out of order or twice`);
      lastSeq = e.seq;
      count += 1;
      if (waiting && lastSeq >= waiting.upto) waiting.resolve();
    },
    until(upto: number): Promise<void> {
      if (lastSeq >= upto) return Promise.resolve();
      return new Promise((resolve) => (waiting = { upto, resolve }));
    },
    get count() {
      return count;
    },
  };
}

/** A storage that counts the follower's reads. */
function counting(storage: Storage): EventSource & { reads: number } {
  const source = {
    reads: 0,
    lastEventSeq: () => (source.reads++, storage.lastEventSeq()),
    readEvents: (after: number, limit?: number, filter?: { taskId?: string }) => (source.reads++, storage.readEvents(after, limit, filter)),
  };
  return source;
}

function commitEvents(n: number, commit: number): NewEvent[] {
  return Array.from({ length: n }, (_, i) => ({ type: 'step.completed', taskId: 'bench', stepName: `s${(commit * n + i) % 5000}`, at: Date.now(), payload: { attempt: 1, results: null } }) as NewEvent);
}

/** Commits `commits` batches and publishes each after its commit; ms. */
async function produce(storage: Storage, bus: EventBus, commits: number): Promise<number> {
  const start = performance.now();
  for (let c = 0; c < commits; c++) {
    const { events } = await storage.commit({ events: commitEvents(PER_COMMIT, c) });
    bus.publish(events);
  }
  return performance.now() - start;
}

async function liveOnce(config: () => StorageConfig, commits: number) {
  const total = commits * PER_COMMIT;
  // Producer alone.
  const alone = await openStorage(config());
  const aloneMs = await produce(alone, createEventBus(), commits).finally(() => alone.close());
  // Producer with a live follower.
  const storage = await openStorage(config());
  try {
    const bus = createEventBus();
    const live = collector();
    const source = counting(storage);
    const follower = followEvents(source, bus, 0, live.onEvent, { onError: (err) => { throw err; } });
    await follower.idle();
    const backlogReads = source.reads;
    const start = performance.now();
    await produce(storage, bus, commits);
    await live.until(total);
    const ms = performance.now() - start;
    follower();
    if (live.count !== total) throw new Error(`live follower got ${live.count} events, ${total} were committed`);
    return { ms, aloneMs, reads: source.reads - backlogReads };
  } finally {
    await storage.close();
  }
}

async function deliveryOnce(dir: string, run: number, commits: number) {
  const storage = await openStorage({ kind: 'sqlite', file: join(dir, `delivery-${run}.db`) });
  try {
    const bus = createEventBus();
    const live = collector();
    const source = counting(storage);
    const follower = followEvents(source, bus, 0, live.onEvent, { onError: (err) => { throw err; } });
    await follower.idle();
    const backlogReads = source.reads;
    const batches: StepwiseEvent[][] = [];
    for (let c = 0; c < commits; c++) batches.push((await storage.commit({ events: commitEvents(PER_COMMIT, c) })).events);
    const total = commits * PER_COMMIT;
    const start = performance.now();
    for (const batch of batches) bus.publish(batch);
    await live.until(total);
    const ms = performance.now() - start;
    follower();
    if (live.count !== total) throw new Error(`live follower got ${live.count} events, ${total} were published`);
    return { ms, reads: source.reads - backlogReads };
  } finally {
    await storage.close();
  }
}

async function engineOnce(dir: string, run: number, steps: number) {
  const template = fanOut(steps);
  // Without a follower (the engine's own rate), then with one.
  const plain = await benchEngine([template], { kind: 'sqlite', dir, name: `plain-${run}` });
  let plainMs: number;
  try {
    const t0 = performance.now();
    const task = await plain.engine.start(template.name);
    await plain.engine.runUntilIdle({ taskId: task.id });
    plainMs = performance.now() - t0;
  } finally {
    await plain.close();
  }
  const b = await benchEngine([template], { kind: 'sqlite', dir, name: `events-${run}` });
  try {
    const live = collector();
    const follower = followEvents(b.storage, b.engine.bus, 0, live.onEvent, { onError: (err) => { throw err; } });
    const start = performance.now();
    const task = await b.engine.start(template.name);
    await b.engine.runUntilIdle({ taskId: task.id });
    const last = await b.storage.lastEventSeq();
    await live.until(last);
    const liveMs = performance.now() - start;
    follower();
    if (live.count !== last) throw new Error(`live follower got ${live.count} events, the log has ${last}`);

    // Backlog: nothing is published any more, so everything comes from storage.
    const quiet: EventBus = createEventBus({ diagnostics: false });
    const replay = collector();
    const t0 = performance.now();
    const f2 = followEvents(b.storage as EventSource, quiet, 0, replay.onEvent);
    await replay.until(last);
    const backlogMs = performance.now() - t0;
    f2();
    return { events: last, liveMs, plainMs, backlogMs };
  } finally {
    await b.close();
  }
}

async function main() {
  const args = parseArgs();
  const dir = tempDir('events');
  const commits = args.quick ? 1000 : 5000;
  const total = commits * PER_COMMIT;
  let file = 0;
  const sqlite = () => ({ kind: 'sqlite' as const, file: join(dir, `live-${file++}.db`) });
  const memory = () => ({ kind: 'memory' as const });
  const liveRuns = await repeat(args.runs, () => liveOnce(sqlite, commits), 1);
  const memoryRuns = await repeat(args.runs, () => liveOnce(memory, commits), 1);
  const deliveryRuns = await repeat(args.runs, (i) => deliveryOnce(dir, i, commits), 1);
  const delivery = sample(deliveryRuns.map((r) => r.ms));
  const steps = args.quick ? 500 : 2000;
  const engineRuns = await repeat(args.runs, (i) => engineOnce(dir, i, steps), 1);

  const live = sample(liveRuns.map((r) => r.ms));
  const alone = sample(liveRuns.map((r) => r.aloneMs));
  const mem = sample(memoryRuns.map((r) => r.ms));
  const memAlone = sample(memoryRuns.map((r) => r.aloneMs));
  const events = engineRuns[0]!.events;
  const withFollower = sample(engineRuns.map((r) => r.liveMs));
  const withoutFollower = sample(engineRuns.map((r) => r.plainMs));
  const backlog = sample(engineRuns.map((r) => r.backlogMs));
  return {
    bench: 'events',
    workload: `${commits.toLocaleString('en-US')} commits of ${PER_COMMIT} events, committed then published as the engine does, follower from seq 0`,
    events: total,
    live: {
      storage: 'sqlite file',
      ms: live,
      eventsPerSecond: round(perSecond(total, live.median)),
      producerOnly: { ms: alone, eventsPerSecond: round(perSecond(total, alone.median)) },
      storageReadsWhileLive: Math.max(...liveRuns.map((r) => r.reads)),
    },
    liveMemory: {
      storage: 'memory',
      ms: mem,
      eventsPerSecond: round(perSecond(total, mem.median)),
      producerOnly: { ms: memAlone, eventsPerSecond: round(perSecond(total, memAlone.median)) },
      storageReadsWhileLive: Math.max(...memoryRuns.map((r) => r.reads)),
    },
    delivery: {
      ms: delivery,
      eventsPerSecond: round(perSecond(total, delivery.median)),
      storageReadsWhileLive: Math.max(...deliveryRuns.map((r) => r.reads)),
    },
    engine: {
      workload: `${steps}-step fan-out on SQLite, pool of 8`,
      events,
      withFollower: { ms: withFollower, eventsPerSecond: round(perSecond(events, withFollower.median)) },
      withoutFollower: { ms: withoutFollower, eventsPerSecond: round(perSecond(events, withoutFollower.median)) },
    },
    backlog: { events, ms: backlog, eventsPerSecond: round(perSecond(events, backlog.median)) },
  };
}

runMain(main);
