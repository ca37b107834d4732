/**
 * `stepwise:handler`: a node:diagnostics_channel TracingChannel around every handler call, in
 * whichever thread runs it (the engine's, or a worker thread of the `threads` executor). Tracers
 * subscribe to its start / end / asyncStart / asyncEnd / error events and may bind an
 * AsyncLocalStorage to its `start` channel: the handler then runs inside that store, so the
 * spans it creates (an HTTP call, a query) nest under the handler's span (docs/tracing.md).
 * Costs one `hasSubscribers` check per call when nobody listens.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import type { Job } from './types.js';

export const HANDLER_CHANNEL = 'stepwise:handler';

/** What the channel's events carry (Node adds `result` or `error` when the call settles). */
export interface HandlerTrace {
  /** `step`: a workflow step attempt; `flow`: a flow handler (see `role`). */
  kind: Job['kind'];
  /** Flow handlers: action | on_timeout | interaction | condition. */
  role?: string;
  handler: string;
  taskId: string;
  /** The step (workflows) or the state (flows) the handler runs for. */
  name: string;
  attempt: number;
  result?: unknown;
  error?: unknown;
}

export const handlerChannel = diagnostics_channel.tracingChannel<unknown, HandlerTrace>(HANDLER_CHANNEL);

function traceOf(job: Job): HandlerTrace {
  return job.kind === 'step'
    ? { kind: 'step', handler: job.handlerName, taskId: job.context.taskId, name: job.context.step.name, attempt: job.context.step.attempt }
    : { kind: 'flow', role: job.role, handler: job.handlerName, taskId: job.context.taskId, name: job.context.state, attempt: job.context.attempt.number };
}

/** Calls the handler through the channel; directly (a sync throw stays sync) when nobody subscribes. */
export function traced<T>(job: Job, call: () => T): T | Promise<T> {
  if (!handlerChannel.hasSubscribers) return call();
  // tracePromise needs a promise: a synchronous handler is wrapped in one.
  return handlerChannel.tracePromise(async () => call(), traceOf(job));
}
