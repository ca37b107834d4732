/**
 * Bridge from the event bus to node:diagnostics_channel, so APM tools and tracers can subscribe
 * without a reference to the engine:
 *
 *   import diagnostics_channel from 'node:diagnostics_channel';
 *   diagnostics_channel.subscribe('stepwise:step.failed', (event) => ...);
 *   diagnostics_channel.subscribe('stepwise:event', (event) => ...);   // every event
 *
 * Publishing is one `hasSubscribers` check per channel when nobody listens. Note Node's rule: an
 * exception thrown by a diagnostics_channel subscriber is re-thrown on process.nextTick (an
 * uncaught exception), so subscribers must not throw.
 */
import diagnostics_channel, { type Channel } from 'node:diagnostics_channel';
import { EVENT_TYPES, type EventType, type StepwiseEvent } from '../model/events.js';

/** The channel that carries every event. */
export const ALL_EVENTS_CHANNEL = 'stepwise:event';

/** The channel of one event type: `stepwise:<type>`, e.g. `stepwise:step.completed`. */
export function diagnosticsChannelName(type: EventType): string {
  return `stepwise:${type}`;
}

// Held strongly here: Node keeps channels weakly, and re-creating them per publish would cost.
const byType = new Map<string, Channel>(EVENT_TYPES.map((t) => [t, diagnostics_channel.channel(diagnosticsChannelName(t))]));
const all = diagnostics_channel.channel(ALL_EVENTS_CHANNEL);

export function publishToDiagnostics(event: StepwiseEvent): void {
  const channel = byType.get(event.type);
  if (channel?.hasSubscribers) channel.publish(event);
  if (all.hasSubscribers) all.publish(event);
}
