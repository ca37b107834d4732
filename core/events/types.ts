/** The in-process event bus contract (implemented in ./bus.ts). */
import type { EventType, EventOf, StepwiseEvent } from '../model/events.js';

export type Listener<K extends EventType> = (event: EventOf<K>) => void;

export interface EventBus {
  /** Subscribe to one event type; returns an unsubscribe function. */
  on<K extends EventType>(type: K, listener: Listener<K>): () => void;
  /** Subscribe to every event. */
  onAny(listener: (event: StepwiseEvent) => void): () => void;
  /** Deliver persisted events (already numbered by storage) to listeners, in order. */
  publish(events: readonly StepwiseEvent[]): void;
}
