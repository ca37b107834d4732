/**
 * The bus the host's event followers listen to: the engine's own events, plus events other
 * processes commit to the same database (a `stepwise runner`, a `stepwise run` in a terminal),
 * which no in-process bus ever sees. Those are found by polling the end of the log (at once
 * when the storage announces a commit: PostgreSQL's LISTEN/NOTIFY hints); the
 * follower (core/events/log.ts) reads anything it has not seen from storage, in order, so
 * relaying an event twice or out of order is harmless.
 */
import { createEventBus } from '../events/bus.js';
import type { EventBus } from '../events/types.js';
import type { Storage } from '../storage/storage.js';

export interface RelayBus {
  bus: EventBus;
  /** One poll now (tests); the timer calls it every `intervalMs`. */
  poll(): Promise<void>;
  /** Stops polling and waits for a poll in flight (call before closing the storage). */
  stop(): Promise<void>;
}

export async function relayForeignEvents(
  storage: Pick<Storage, 'lastEventSeq' | 'readEvents' | 'eventOrder' | 'subscribe'>,
  engineBus: EventBus,
  options: { intervalMs?: number; onError?: (err: unknown) => void } = {},
): Promise<RelayBus> {
  // No diagnostics_channel here: the engine's bus already publishes its own events there.
  const relay = createEventBus({ diagnostics: false });
  let seen = await storage.lastEventSeq();
  // One relay per commit (the engine publishes a commit's events together): followers take it at once.
  // With commit-ordered seqs our own events mark how far the log is known; on PostgreSQL a
  // foreign commit numbered below ours may still be running, so only storage moves `seen`.
  const ownEventsAdvance = storage.eventOrder !== 'watermark';
  const unsubscribe = engineBus.onBatch((events) => {
    if (ownEventsAdvance) for (const e of events) if (e.seq > seen) seen = e.seq;
    relay.publish(events);
  });
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const poll = (): Promise<void> => (inFlight ??= pollOnce().finally(() => (inFlight = null)));
  const pollOnce = async (): Promise<void> => {
    try {
      while (!stopped && (await storage.lastEventSeq()) > seen) {
        const events = await storage.readEvents(seen, 500);
        if (events.length === 0) break;
        seen = Math.max(seen, events[events.length - 1]!.seq);
        relay.publish(events);
      }
    } catch (err) {
      if (!stopped) options.onError?.(err);
    }
  };
  const timer = setInterval(() => void poll(), options.intervalMs ?? 500);
  timer.unref();
  // Where the storage announces commits (PostgreSQL NOTIFY), poll at once instead of at the next tick.
  const unlisten = storage.subscribe?.('events', () => void poll());
  return {
    bus: relay,
    poll,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      unlisten?.();
      await inFlight;
    },
  };
}
