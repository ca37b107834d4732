/** The in-process event bus contract (implemented in ./bus.ts). */
import type { EventType, EventOf, StepwiseEvent } from '../model/events.js';

export type Listener<K extends EventType> = (event: EventOf<K>) => void;

export interface EventBus {
  /** Subscribe to one event type; returns an unsubscribe function. */
  on<K extends EventType>(type: K, listener: Listener<K>): () => void;
  /** Subscribe to every event. */
  onAny(listener: (event: StepwiseEvent) => void): () => void;
  /**
   * Subscribe to every published batch: one call per `publish` with its array as published (the
   * engine publishes the events of one commit, in seq order), after the per-event listeners of
   * those events ran. Listeners must not change the array or the events.
   */
  onBatch(listener: (events: readonly StepwiseEvent[]) => void): () => void;
  /**
   * Deliver persisted events (already numbered by storage) to listeners, in order. The engine
   * calls it once per commit, after the commit, with the events storage returned.
   */
  publish(events: readonly StepwiseEvent[]): void;
}
