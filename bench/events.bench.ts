/**
 * Events delivered to an in-process subscriber (core/events followEvents, the way the
 * workbench host follows the log). Run: `npx tsx bench/events.bench.ts [--quick] [--runs N]`.
 *
 * - live: the engine runs a 2,000-step fan-out on SQLite (pool of 8, no-op handlers) while a
 *   follower started at seq 0 receives every event; events ÷ time until the follower has the
 *   last one. Bound by how fast the engine produces events.
 * - backlog: a new follower from seq 0 over the finished run's log (storage pages + hand-over);
 *   the delivery capacity.
 * Every run checks that the follower received each event once, in seq order.
 */
import type { StepwiseEvent } from '../core/model/events.js';
import { followEvents } from '../core/events/log.js';
import type { EventSource } from '../core/events/log.js';
import type { EventBus } from '../core/events/types.js';
import { createEventBus } from '../core/events/bus.js';
import { parseArgs, runMain, tempDir } from './lib/cli.js';
import { perSecond, repeat, round, sample } from './lib/stats.js';
import { benchEngine, fanOut } from './lib/stepwise.js';

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

async function once(dir: string, run: number, steps: number) {
  const template = fanOut(steps);
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
    return { events: last, liveMs, backlogMs };
  } finally {
    await b.close();
  }
}

async function main() {
  const args = parseArgs();
  const dir = tempDir('events');
  const steps = args.quick ? 500 : 2000;
  const runs = await repeat(args.runs, (i) => once(dir, i, steps), 1);
  const events = runs[0]!.events;
  const live = sample(runs.map((r) => r.liveMs));
  const backlog = sample(runs.map((r) => r.backlogMs));
  return {
    bench: 'events',
    workload: `${steps}-step fan-out on SQLite, follower from seq 0`,
    events,
    live: { ms: live, eventsPerSecond: round(perSecond(events, live.median)) },
    backlog: { ms: backlog, eventsPerSecond: round(perSecond(events, backlog.median)) },
  };
}

runMain(main);
