/**
 * Following the persisted event log from a cursor: first the backlog from storage, page by page,
 * then live events from the bus, with no gaps and no duplicates. This is how a workbench client
 * that reconnects with "the last seq I saw" resumes.
 *
 * How: the follower subscribes to the bus BEFORE reading the backlog and buffers live events.
 * It keeps one cursor (every seq <= cursor has been handled) and hands events over strictly in
 * seq order. A live event that is not cursor + 1 means something in between was committed but not
 * (yet) published here (another process, or commits finishing out of order), so it reads storage
 * after the cursor before going on. Duplicates (seq <= cursor) are dropped.
 *
 * Requires of storage: `lastEventSeq()` is a watermark (every event numbered at or below it is
 * readable). SQLite and memory number events in commit order, so a published event is always at
 * or below it; PostgreSQL (`eventOrder: 'watermark'`) numbers events before commit and its
 * watermark stops at the oldest commit still running, so a published event may be above it for a
 * moment: the follower then waits for the watermark (re-reading storage with a short backoff)
 * instead of skipping ahead.
 */
import type { StepwiseEvent } from '../model/events.js';
import type { Storage } from '../storage/storage.js';
import type { EventBus } from './types.js';

export type EventSource = Pick<Storage, 'readEvents' | 'lastEventSeq' | 'eventOrder'>;

export interface FollowOptions {
  /** Only hand over events of this task (the cursor still moves over the others). */
  taskId?: string;
  /** Events per storage read. Default 500. */
  pageSize?: number;
  /**
   * Called once if reading storage or `onEvent` fails; the follower has then stopped. Resume with
   * a new follower from the last seq `onEvent` received. Default: a process warning.
   */
  onError?: (error: unknown) => void;
}

/** Stops following. Also tells where the follower is, and when it has nothing left to do. */
export interface EventFollower {
  (): void;
  /** Every event with seq <= cursor has been handed over (or filtered out). */
  readonly cursor: number;
  /** Resolves once the backlog and all buffered live events have been handed over. */
  idle(): Promise<void>;
}

function warn(error: unknown): void {
  const why = error instanceof Error ? error.message : String(error);
  process.emitWarning(`Stepwise stopped following the event log: ${why}`, 'StepwiseFollowWarning');
}

const isPromise = (x: unknown): x is Promise<unknown> => typeof (x as { then?: unknown } | null)?.then === 'function';

/** True when `events` are seqs cursor + 1, cursor + 2, ... with nothing missing. */
function continues(events: readonly StepwiseEvent[], cursor: number): boolean {
  for (let i = 0; i < events.length; i++) if (events[i]!.seq !== cursor + 1 + i) return false;
  return events.length > 0;
}

/**
 * What the follower hands events to: one event at a time (`followEvents`: the cursor moves
 * before each call) or a batch at a time (`followEventBatches`: the cursor moves to the batch's
 * last seq before the call). A promise returned makes the follower wait before the next one.
 */
type Sink = (events: readonly StepwiseEvent[], moveTo: (seq: number) => void, stopped: () => boolean) => void | Promise<void>;

/**
 * Hands every event with seq > fromSeq to `onEvent`, in seq order, exactly once, until stopped.
 * `onEvent` may be async: the next event waits for it.
 */
export function followEvents(
  storage: EventSource,
  bus: EventBus,
  fromSeq: number,
  onEvent: (event: StepwiseEvent) => void | Promise<void>,
  options: FollowOptions = {},
): EventFollower {
  const rest = async (events: readonly StepwiseEvent[], from: number, moveTo: (seq: number) => void, stopped: () => boolean): Promise<void> => {
    for (let i = from; i < events.length && !stopped(); i++) {
      moveTo(events[i]!.seq);
      await onEvent(events[i]!);
    }
  };
  return follow(storage, bus, fromSeq, options, (events, moveTo, stopped) => {
    // Synchronous handlers take the whole batch in one loop; the first promise makes the rest wait for it.
    for (let i = 0; i < events.length && !stopped(); i++) {
      moveTo(events[i]!.seq);
      const r = onEvent(events[i]!);
      if (isPromise(r)) return r.then(() => rest(events, i + 1, moveTo, stopped));
    }
  });
}

/**
 * Like `followEvents`, but hands events over in batches: a page read from storage, or what one
 * commit published (the events of one commit arrive together), each non-empty, in seq order.
 */
export function followEventBatches(
  storage: EventSource,
  bus: EventBus,
  fromSeq: number,
  onBatch: (events: readonly StepwiseEvent[]) => void | Promise<void>,
  options: FollowOptions = {},
): EventFollower {
  return follow(storage, bus, fromSeq, options, (events, moveTo) => {
    moveTo(events[events.length - 1]!.seq);
    return onBatch(events);
  });
}

function follow(storage: EventSource, bus: EventBus, fromSeq: number, options: FollowOptions, sink: Sink): EventFollower {
  const pageSize = options.pageSize ?? 500;
  const waitsForWatermark = storage.eventOrder === 'watermark';
  const filter = options.taskId === undefined ? {} : { taskId: options.taskId };
  const onError = options.onError ?? warn;
  let cursor = fromSeq;
  let stopped = false;
  let caughtUp = false;
  let running: Promise<void> | null = null;
  /** Live events not handled yet from `head` on: sorted by seq, without duplicates. */
  let pending: StepwiseEvent[] = [];
  let head = 0;
  const moveTo = (seq: number): void => {
    cursor = seq;
  };
  const isStopped = (): boolean => stopped;

  /** Hands over contiguous `events` (all after the cursor), filtered by task; the cursor moves over all. */
  const handOver = (events: readonly StepwiseEvent[]): void | Promise<void> => {
    const mine = options.taskId === undefined ? events : events.filter((e) => e.taskId === options.taskId);
    if (mine.length === 0) {
      cursor = events[events.length - 1]!.seq;
      return;
    }
    return settle(sink(mine, moveTo, isStopped), events[events.length - 1]!.seq);
  };

  /** Once the sink is done with a batch, the cursor is past all of it (filtered-out events too). */
  const settle = (r: void | Promise<void>, last: number): void | Promise<void> => {
    const done = (): void => {
      if (!stopped && last > cursor) cursor = last;
    };
    if (!r) return done();
    return r.then(done);
  };

  /** Adds published events to `pending`, keeping it sorted and free of duplicates and handled seqs. */
  const buffer = (events: readonly StepwiseEvent[]): void => {
    const last = head < pending.length ? pending[pending.length - 1]!.seq : cursor;
    if (continues(events, last)) {
      // The usual case: the next commit's events, in order.
      for (const e of events) pending.push(e);
      return;
    }
    const merged = new Map<number, StepwiseEvent>();
    for (let i = head; i < pending.length; i++) merged.set(pending[i]!.seq, pending[i]!);
    for (const e of events) if (e.seq > cursor && !merged.has(e.seq)) merged.set(e.seq, e);
    pending = [...merged.values()].sort((a, b) => a.seq - b.seq);
    head = 0;
  };

  /** Drops handled events from the front of `pending`. */
  const trim = (): void => {
    while (head < pending.length && pending[head]!.seq <= cursor) head++;
    if (head === pending.length) {
      pending = [];
      head = 0;
    } else if (head > 1024 && head * 2 > pending.length) {
      pending = pending.slice(head);
      head = 0;
    }
  };

  /** Reads storage after the cursor until it has nothing more. */
  /** Reads storage after the cursor until it has nothing more; returns the watermark it read to. */
  const catchUp = async (): Promise<number> => {
    const watermark = await storage.lastEventSeq();
    for (;;) {
      if (stopped) return watermark;
      const page = await storage.readEvents(cursor, pageSize, filter);
      const fresh = page.filter((e) => e.seq > cursor);
      if (fresh.length > 0) {
        const r = settle(sink(fresh, moveTo, isStopped), fresh[fresh.length - 1]!.seq);
        if (r) await r;
      }
      if (page.length < pageSize) break;
    }
    // Seqs up to the watermark that we did not see belong to other tasks (filter) or never existed.
    if (watermark > cursor && !stopped) cursor = watermark;
    return watermark;
  };

  const drain = async (): Promise<void> => {
    if (!caughtUp) {
      await catchUp();
      caughtUp = true;
    }
    while (!stopped) {
      trim();
      if (head >= pending.length) return;
      const first = pending[head]!;
      if (first.seq === cursor + 1) {
        // The longest run without a hole, handed over at once.
        let end = head + 1;
        while (end < pending.length && pending[end]!.seq === pending[end - 1]!.seq + 1) end++;
        const run = head === 0 && end === pending.length ? pending : pending.slice(head, end);
        head = end;
        const r = handOver(run);
        if (r) await r;
        continue;
      }
      const watermark = await catchUp();
      trim();
      if (!stopped && pending[head] === first && first.seq > cursor + 1 && waitsForWatermark && first.seq > watermark) {
        // Published but not readable yet: a commit numbered before it is still running (PostgreSQL
        // numbers events before commit). Handing it over now would move the cursor past that
        // commit's events; read storage again shortly instead.
        waitForWatermark();
        return;
      }
      // Still a hole below a published event after reading storage: that event is not persisted
      // (or its predecessors never will be); hand it over rather than wait forever.
      if (!stopped && pending[head] === first && first.seq > cursor + 1) {
        head++;
        const r = handOver([first]);
        if (r) await r;
      }
    }
  };

  let retryTimer: NodeJS.Timeout | null = null;
  let retryMs = 0;
  /** Runs the loop again after a short, growing delay (5 ms doubling to 500 ms). */
  const waitForWatermark = (): void => {
    if (retryTimer || stopped) return;
    retryMs = Math.min(Math.max(retryMs * 2, 5), 500);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      kick();
    }, retryMs);
  };

  const fail = (err: unknown): void => {
    if (stopped) return;
    stop();
    onError(err);
  };

  const track = (work: Promise<void>): void => {
    running = work.catch(fail).finally(() => {
      running = null;
      if (retryTimer !== null) return; // waiting for the watermark: the timer runs the loop
      retryMs = 0;
      // An event may have arrived after the loop saw an empty buffer and before this ran.
      if (!stopped && head < pending.length && pending[pending.length - 1]!.seq > cursor) kick();
    });
  };

  const kick = (): void => {
    if (running || stopped || retryTimer !== null) return;
    track(drain());
  };

  const unsubscribe = bus.onBatch((events) => {
    if (stopped || events.length === 0) return;
    // Following live, caught up, nothing buffered, and this commit's events come next: hand them
    // over now, without a storage read, a copy or a promise (unless the handler returns one).
    if (!running && caughtUp && head >= pending.length && continues(events, cursor)) {
      try {
        const r = handOver(events);
        if (r) track(r);
      } catch (err) {
        fail(err);
      }
      return;
    }
    buffer(events);
    kick();
  });

  function stop(): void {
    stopped = true;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    pending = [];
    head = 0;
    unsubscribe();
  }

  const follower = stop as EventFollower;
  Object.defineProperty(follower, 'cursor', { get: () => cursor });
  follower.idle = async () => {
    while (running) await running;
  };
  kick();
  return follower;
}
