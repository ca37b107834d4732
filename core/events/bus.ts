/**
 * The in-process event bus (typed per event type, BullMQ-style). Storage numbers events; the
 * engine publishes them here after the commit that wrote them. Guarantees:
 * - listeners of one event run in subscription order: typed listeners, then `onAny` ones, then
 *   the diagnostics_channel bridge;
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

function warn(error: unknown, event: StepwiseEvent): void {
  const why = error instanceof Error ? error.message : String(error);
  process.emitWarning(`A Stepwise event listener threw on '${event.type}' (seq ${event.seq}): ${why}`, 'StepwiseListenerWarning');
}

export function createEventBus(options: EventBusOptions = {}): EventBus {
  const typed = new Map<EventType, Set<{ fn: AnyListener }>>();
  const any = new Set<{ fn: AnyListener }>();
  const diagnostics = options.diagnostics ?? true;
  const onError = options.onListenerError ?? warn;
  const queue: StepwiseEvent[] = [];
  let dispatching = false;

  const subscribe = (set: Set<{ fn: AnyListener }>, fn: AnyListener): (() => void) => {
    const entry = { fn }; // one entry per subscription, so the same function may subscribe twice
    set.add(entry);
    return () => void set.delete(entry);
  };

  const call = (set: Set<{ fn: AnyListener }> | undefined, event: StepwiseEvent): void => {
    if (!set || set.size === 0) return;
    for (const entry of [...set]) {
      if (!set.has(entry)) continue; // unsubscribed by an earlier listener of this event
      try {
        entry.fn(event);
      } catch (err) {
        try {
          onError(err, event);
        } catch {
          // An error reporter that throws must not break publishing either.
        }
      }
    }
  };

  return {
    on<K extends EventType>(type: K, listener: Listener<K>): () => void {
      let set = typed.get(type);
      if (!set) typed.set(type, (set = new Set()));
      return subscribe(set, listener as AnyListener);
    },
    onAny(listener) {
      return subscribe(any, listener);
    },
    publish(events) {
      queue.push(...events);
      if (dispatching) return;
      dispatching = true;
      try {
        for (let event = queue.shift(); event; event = queue.shift()) {
          call(typed.get(event.type), event);
          call(any, event);
          if (diagnostics) publishToDiagnostics(event);
        }
      } finally {
        dispatching = false;
        queue.length = 0;
      }
    },
  };
}
