/** Events: the typed in-process bus, the diagnostics_channel bridge and the log follower. */
export type { EventBus, Listener } from './types.js';
export { createEventBus, type EventBusOptions } from './bus.js';
export { ALL_EVENTS_CHANNEL, diagnosticsChannelName, publishToDiagnostics } from './diagnostics.js';
export { followEventBatches, followEvents, type EventFollower, type EventSource, type FollowOptions } from './log.js';
