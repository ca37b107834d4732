/**
 * The in-process event bus (typed per event type, BullMQ-style). Storage numbers events; the
 * engine publishes them here after the commit that wrote them. Guarantees:
 * - listeners of one event run in subscription order: typed listeners, then `onAny` ones, then
 *   the diagnostics_channel bridge; `onBatch` listeners get each published array once, after
 *   the per-event listeners of its events (live followers take a commit's events at once);
 * - a throwing listener is reported to `onListenerError` and never stops the publisher or the
 *   other listeners;
 * - a listener that publishes while being called does not reorder delivery: its events are queued
 *   and delivered after the current ones, so every listener sees events in publish order.
 * Listeners receive the published objects themselves: they must not mutate them.
 */
import type { EventType, StepwiseEvent } from '../model/events.js';
import { publishToDiagnostics } from './diagnostics.js';
import type { EventBus, Listener } from './types.js';

export interface EventBusOptions {
  /** Also publish on node:diagnostics_channel (`stepwise:<type>`, `stepwise:event`). Default true. */
  diagnostics?: boolean;
  /** Where listener exceptions go. Default: a process warning naming the event. */
  onListenerError?: (error: unknown, event: StepwiseEvent) => void;
}

type AnyListener = (event: StepwiseEvent) => void;
type BatchListener = (events: readonly StepwiseEvent[]) => void;

/** One subscription: `active` turns false when it unsubscribes (also during a dispatch). */
interface Entry<F> {
  fn: F;
  active: boolean;
}

/**
 * Subscribers of one kind, as an array replaced on every change (copy on write): a dispatch
 * iterates the array it started with, so subscribing while dispatching takes effect from the next
 * event, without copying the list for every event.
 */
class Subscribers<F> {
  list: readonly Entry<F>[] = [];
  add(fn: F): () => void {
    const entry = { fn, active: true }; // one entry per subscription: the same function may subscribe twice
    this.list = [...this.list, entry];
    return () => {
      if (!entry.active) return;
      entry.active = false;
      this.list = this.list.filter((e) => e !== entry);
    };
  }
}

function warn(error: unknown, event: StepwiseEvent): void {
  const why = error instanceof Error ? error.message : String(error);
  process.emitWarning(`A Stepwise event listener threw on '${event.type}' (seq ${event.seq}): ${why}`, 'StepwiseListenerWarning');
}

export function createEventBus(options: EventBusOptions = {}): EventBus {
  const typed = new Map<EventType, Subscribers<AnyListener>>();
  const any = new Subscribers<AnyListener>();
  const batches = new Subscribers<BatchListener>();
  const diagnostics = options.diagnostics ?? true;
  const onError = options.onListenerError ?? warn;
  /** Batches published while dispatching, delivered after the current one (publish order). */
  const queue: Array<readonly StepwiseEvent[]> = [];
  let dispatching = false;

  const report = (err: unknown, event: StepwiseEvent): void => {
    try {
      onError(err, event);
    } catch {
      // An error reporter that throws must not break publishing either.
    }
  };

  const call = (subs: Subscribers<AnyListener> | undefined, event: StepwiseEvent): void => {
    if (!subs) return;
    const list = subs.list;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (!entry.active) continue; // unsubscribed by an earlier listener of this event
      try {
        entry.fn(event);
      } catch (err) {
        report(err, event);
      }
    }
  };

  const dispatch = (events: readonly StepwiseEvent[]): void => {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      call(typed.get(event.type), event);
      call(any, event);
      if (diagnostics) publishToDiagnostics(event);
    }
    const list = batches.list;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (!entry.active) continue;
      try {
        entry.fn(events);
      } catch (err) {
        report(err, events[0]!);
      }
    }
  };

  return {
    on<K extends EventType>(type: K, listener: Listener<K>): () => void {
      let subs = typed.get(type);
      if (!subs) typed.set(type, (subs = new Subscribers()));
      return subs.add(listener as AnyListener);
    },
    onAny(listener) {
      return any.add(listener);
    },
    onBatch(listener) {
      return batches.add(listener);
    },
    publish(events) {
      if (events.length === 0) return;
      if (dispatching) {
        queue.push(events);
        return;
      }
      dispatching = true;
      try {
        dispatch(events);
        for (let next = queue.shift(); next; next = queue.shift()) dispatch(next);
      } finally {
        dispatching = false;
        queue.length = 0;
      }
    },
  };
}
