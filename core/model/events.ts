/**
 * Lifecycle events: persisted with a global sequence number, published on the in-process bus
 * and on node:diagnostics_channel. `EventPayloads` maps each event type to its payload so that
 * `bus.on('step.completed', e => e.payload.results)` is fully typed.
 */
import type { ErrorInfo } from './errors.js';
import type { Json, JsonObject, Actor } from './runtime.js';
import type { StepState, TaskStatus } from './states.js';

export interface EventPayloads {
  'task.created': { templateRef: string; kind: 'workflow' | 'flow'; input: JsonObject; parentTaskId: string | null };
  'task.status_changed': { from: TaskStatus; to: TaskStatus; reason: string };
  'task.completed': { result: Json };
  'task.failed': { error: ErrorInfo | null };
  'task.cancelled': { reason: string };
  'task.deleted': Record<string, never>;
  'step.created': { state: StepState; dynamic: boolean; createdBy: string | null };
  'step.ready': Record<string, never>;
  'step.started': { attempt: number };
  'step.progress': { fraction: number; message?: string };
  'step.completed': { attempt: number; results: Json };
  'step.failed': { attempt: number; error: ErrorInfo };
  'step.retry_scheduled': { attempt: number; retryAt: number; delayMs: number; error: ErrorInfo };
  'step.skipped': { reason: string };
  'step.waiting': { wakeAt: number | null };
  'step.cancelled': { reason: string };
  'step.state_changed': { from: StepState; to: StepState; reason: string; actor: Actor };
  'flow.transitioned': { from: string | null; to: string; reason: string };
  'flow.waiting': { state: string; wakeAt: number | null };
  'flow.data_changed': { data: JsonObject };
  'interaction.fired': { name: string; params: JsonObject; state: string };
  'op.applied': { op: string; reason: string; changes: Json };
  'debug.paused': { reason: string };
  'debug.resumed': Record<string, never>;
}

export type EventType = keyof EventPayloads;

export const EVENT_TYPES = [
  'task.created',
  'task.status_changed',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'task.deleted',
  'step.created',
  'step.ready',
  'step.started',
  'step.progress',
  'step.completed',
  'step.failed',
  'step.retry_scheduled',
  'step.skipped',
  'step.waiting',
  'step.cancelled',
  'step.state_changed',
  'flow.transitioned',
  'flow.waiting',
  'flow.data_changed',
  'interaction.fired',
  'op.applied',
  'debug.paused',
  'debug.resumed',
] as const satisfies readonly EventType[];

// Compile-time check that EVENT_TYPES lists every key of EventPayloads.
type _AllListed = Exclude<EventType, (typeof EVENT_TYPES)[number]> extends never ? true : never;
export const _allEventTypesListed: _AllListed = true;

/** A persisted event. A discriminated union on `type`. */
export type StepwiseEvent = {
  [K in EventType]: {
    seq: number;
    type: K;
    taskId: string;
    stepName: string | null;
    at: number;
    payload: EventPayloads[K];
  };
}[EventType];

export type NewEvent = {
  [K in EventType]: Omit<Extract<StepwiseEvent, { type: K }>, 'seq'>;
}[EventType];

export type EventOf<K extends EventType> = Extract<StepwiseEvent, { type: K }>;
