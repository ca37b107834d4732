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
 * readable). SQLite and memory number events in commit order, so this holds.
 */
import type { StepwiseEvent } from '../model/events.js';
import type { Storage } from '../storage/storage.js';
import type { EventBus } from './types.js';

export type EventSource = Pick<Storage, 'readEvents' | 'lastEventSeq'>;

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
  const pageSize = options.pageSize ?? 500;
  const filter = options.taskId === undefined ? {} : { taskId: options.taskId };
  const onError = options.onError ?? warn;
  let cursor = fromSeq;
  let stopped = false;
  let caughtUp = false;
  let running: Promise<void> | null = null;
  /** Live events not handled yet, sorted by seq, without duplicates. */
  const pending: StepwiseEvent[] = [];

  const handOver = async (event: StepwiseEvent): Promise<void> => {
    cursor = event.seq;
    if (options.taskId === undefined || event.taskId === options.taskId) await onEvent(event);
  };

  /** Reads storage after the cursor until it has nothing more. */
  const catchUp = async (): Promise<void> => {
    const watermark = await storage.lastEventSeq();
    for (;;) {
      if (stopped) return;
      const page = await storage.readEvents(cursor, pageSize, filter);
      for (const event of page) {
        if (stopped) return;
        if (event.seq > cursor) await handOver(event);
      }
      if (page.length < pageSize) break;
    }
    // Seqs up to the watermark that we did not see belong to other tasks (filter) or never existed.
    if (watermark > cursor) cursor = watermark;
  };

  const drain = async (): Promise<void> => {
    if (!caughtUp) {
      await catchUp();
      caughtUp = true;
    }
    while (!stopped) {
      while (pending.length > 0 && pending[0]!.seq <= cursor) pending.shift();
      const next = pending[0];
      if (!next) return;
      if (next.seq === cursor + 1) {
        pending.shift();
        await handOver(next);
        continue;
      }
      await catchUp();
      // Still a hole below a published event after reading storage: that event is not persisted
      // (or its predecessors never will be); hand it over rather than wait forever.
      if (pending[0] === next && next.seq > cursor + 1 && !stopped) {
        pending.shift();
        await handOver(next);
      }
    }
  };

  const kick = (): void => {
    if (running || stopped) return;
    running = drain()
      .catch((err: unknown) => {
        if (stopped) return;
        stop();
        onError(err);
      })
      .finally(() => {
        running = null;
        // An event may have arrived after the loop saw an empty buffer and before this ran.
        if (!stopped && pending.length > 0 && pending[pending.length - 1]!.seq > cursor) kick();
      });
  };

  const unsubscribe = bus.onAny((event) => {
    if (stopped || event.seq <= cursor) return;
    let i = pending.length;
    while (i > 0 && pending[i - 1]!.seq > event.seq) i--;
    if (i > 0 && pending[i - 1]!.seq === event.seq) return;
    pending.splice(i, 0, event);
    kick();
  });

  function stop(): void {
    stopped = true;
    pending.length = 0;
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
