/**
 * Running flow handler code inside one recorded attempt (conditions, interaction bodies,
 * on_timeout handlers; actions run on the executor instead): builds the FlowContext (a private
 * copy of the data, the abort signal, a log captured into the attempt, progress, sub-tasks),
 * runs the body under the process guards with a bounded time (../runtime/guarded.ts), and
 * returns the outcome with a finished AttemptRecord. Nothing is written here: the
 * attempt goes into the same commit as the state change it caused.
 */
import { timeOrderedId } from '../ids.js';
import { openAttemptRecord } from '../runtime/records.js';
import { callGuarded, GuardedCallFailed } from '../runtime/guarded.js';
import { StepwiseError, toErrorInfo, type ErrorInfo } from '../../model/errors.js';
import { attemptLogSink, boundError, DEFAULT_LIMITS, formatSize, type Limits } from '../../limits/index.js';
import type { Clock } from '../../model/clock.js';
import type { FlowContext, HandlerLog, SubtaskSummary } from '../../model/handlers.js';
import type { AttemptRecord, JsonObject, LogLine, TaskRecord } from '../../model/runtime.js';
import { copyJson } from '../../model/jsonCopy.js';
import { makeFlowContext } from '../../executor/flowContext.js';
import type { Maybe } from '../runtime/maybe.js';

/** What the driver gives handlers for sub-tasks of the running task. */
export interface SubtaskApi {
  start(template: string, input?: JsonObject): Promise<{ id: string }>;
  list(): Promise<SubtaskSummary[]>;
}

export interface AttemptEnv {
  task: TaskRecord;
  /** State name, `interaction:<name>` or `on_timeout`. */
  stepName: string;
  /** What runs, for errors: "The conditions of state 'wait'", "Interaction 'approve'". */
  what: string;
  state: string;
  number: number;
  clock: Clock;
  /** Cancellation: `signal` is made only if the handler reads it (see LazyAbort). */
  abort: AbortSource;
  subtasks: SubtaskApi;
  onProgress?(fraction: number, message?: string): void;
  /** Size limits on the data, output, failure and log of the attempt (default: DEFAULT_LIMITS). */
  limits?: Limits;
}

export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  readonly signal: AbortSignal;
}

export type AttemptResult<T> =
  | { ok: true; value: T; data: JsonObject; /** JSON.stringify(data) */ dataText: string; attempt: AttemptRecord }
  | { ok: false; error: unknown; info: ErrorInfo; attempt: AttemptRecord };

function captureLog(clock: Clock, lines: LogLine[], limits: Limits): HandlerLog {
  const sink = attemptLogSink(lines, limits, () => clock.now());
  const at = (level: LogLine['level']) => (message: string, fields?: JsonObject) => {
    sink(fields === undefined ? { level, message: String(message) } : { level, message: String(message), fields });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A JSON copy and its text: handlers may leave Dates or undefined in data; what is stored is plain JSON. */
function toJsonObject(value: unknown, what: string): { data: JsonObject; text: string } {
  const text = JSON.stringify(value);
  const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError(`${what} must stay a JSON object`);
  return { data: parsed as JsonObject, text };
}

export function buildContext(env: AttemptEnv, data: JsonObject, logs: LogLine[]): FlowContext {
  return makeFlowContext(env.task.id, env.state, data, {
    signal: () => env.abort.signal,
    log: () => captureLog(env.clock, logs, env.limits ?? DEFAULT_LIMITS),
    ...(env.onProgress ? { progress: env.onProgress } : {}),
    subtasks: env.subtasks,
  });
}

/**
 * Runs `body` with a fresh context and records it as one attempt. Never throws (nor rejects).
 * Synchronous while the body is: a body that returns a plain value costs no promise.
 */
export function runAttempt<T>(env: AttemptEnv, body: (ctx: FlowContext) => Promise<T> | T): Maybe<AttemptResult<T>> {
  const logs: LogLine[] = [];
  const startedAt = env.clock.now();
  const attempt = openAttemptRecord({ id: timeOrderedId(startedAt), taskId: env.task.id, stepName: env.stepName, number: env.number, startedAt, logs });
  const close = () => {
    attempt.finishedAt = env.clock.now();
    attempt.durationMs = attempt.finishedAt - startedAt;
  };
  const failed = (error: unknown): AttemptResult<T> => {
    close();
    const info = boundError(error instanceof GuardedCallFailed ? error.failure.error : toErrorInfo(error), env.limits ?? DEFAULT_LIMITS);
    attempt.outcome = env.abort.aborted ? 'cancelled' : 'error';
    attempt.error = info;
    return { ok: false, error, info, attempt };
  };
  const succeeded = (ctx: FlowContext, value: T): AttemptResult<T> => {
    try {
      if (env.abort.aborted) throw env.abort.reason ?? new Error('aborted');
      const { data, text } = toJsonObject(ctx.data, 'data');
      const limits = env.limits ?? DEFAULT_LIMITS;
      if (Buffer.byteLength(text) > limits.resultBytes) {
        throw new StepwiseError('RESULT_TOO_LARGE', `The handler left the flow's data at ${formatSize(Buffer.byteLength(text))} as JSON, over the limit of ${formatSize(limits.resultBytes)} (limits.resultBytes). Store large data elsewhere and keep a reference to it.`);
      }
      close();
      attempt.outcome = 'success';
      return { ok: true, value, data, dataText: text, attempt };
    } catch (error) {
      return failed(error);
    }
  };
  try {
    const ctx = buildContext(env, copyJson(env.task.data), logs);
    // In this process, under the process guards, with a bounded time (../runtime/guarded.ts).
    const called = callGuarded(env.stepName, () => body(ctx), { clock: env.clock, what: env.what });
    if (called instanceof Promise) return called.then((value: T) => succeeded(ctx, value), failed);
    return succeeded(ctx, called as T);
  } catch (error) {
    return failed(error);
  }
}

/** A JSON copy of a handler's return value for `attempt.output`; null when it is not JSON. */
export function jsonOutput(value: unknown, limits: Limits = DEFAULT_LIMITS): import('../../model/runtime.js').Json {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined && text.length > limits.resultBytes) {
      return { cut: `the return value was ${formatSize(Buffer.byteLength(text))} as JSON, over limits.resultBytes (${formatSize(limits.resultBytes)}); it was not kept` };
    }
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
