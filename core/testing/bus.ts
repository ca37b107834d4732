/** A minimal synchronous event bus, used until/unless a real one is supplied. */
import type { EventBus } from '../events/types.js';
import type { StepwiseEvent } from '../model/events.js';

export function simpleBus(): EventBus {
  const listeners = new Set<(e: StepwiseEvent) => void>();
  return {
    on(type, listener) {
      const l = (e: StepwiseEvent) => {
        if (e.type === type) (listener as (e: StepwiseEvent) => void)(e);
      };
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    onAny(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    publish(events) {
      for (const e of events) for (const l of [...listeners]) l(e);
    },
  };
}
