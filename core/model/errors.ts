/**
 * The closed error hierarchy. Every error Stepwise throws on purpose is a StepwiseError with a
 * stable `code` (for programs) and a message that says what was wrong and what to do (for people).
 * Codes never change once released; add new ones instead.
 */
import { isErrorLike, safeString, toBoundedJson, truncateText } from './boundedJson.js';

export type ErrorCode =
  | 'TEMPLATE_INVALID'
  | 'TEMPLATE_NOT_FOUND'
  | 'WORKSPACE_INVALID'
  | 'HANDLER_NOT_FOUND'
  | 'INPUT_INVALID'
  | 'ILLEGAL_TRANSITION'
  | 'STALE'
  | 'CONCURRENCY_LIMIT'
  | 'DUPLICATE'
  | 'SCHEMA_TOO_NEW'
  /** A read-only open of a database whose schema this Stepwise would first have to upgrade. */
  | 'SCHEMA_TOO_OLD'
  /** A stored row does not decode (bad JSON, wrong shape): its task is marked unreadable. */
  | 'ROW_UNREADABLE'
  /** A graph too large to draw as SVG (node limit, SVG size); DOT output has no limit. */
  | 'GRAPH_TOO_LARGE'
  /** A database file that is not Stepwise's (another program's tables, or not SQLite). */
  | 'NOT_STEPWISE_DATABASE'
  | 'NOT_FOUND'
  | 'INVALID_STATE'
  | 'NO_DECISION'
  | 'UNDECLARED_TARGET'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'PERMANENT'
  | 'RETRYABLE'
  | 'HANDLER_ERROR'
  | 'CONFIRMATION_REQUIRED'
  | 'STORAGE_ERROR'
  | 'PROTOCOL_ERROR'
  | 'UNAUTHORIZED'
  /** A handler returned a value over `limits.resultBytes` (or one JSON cannot store). */
  | 'RESULT_TOO_LARGE'
  | 'INSTALL_FAILED'
  | 'USAGE';

export class StepwiseError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Whether `err` is a Stepwise error with this code, narrowed so `err.code` and `err.details` are
 * typed, without a cast:
 *
 *   try { await ops.apply(request, { expectedVersion }); }
 *   catch (err) { if (hasCode(err, 'STALE')) return reload(); throw err; }
 */
export function hasCode<C extends ErrorCode>(err: unknown, code: C): err is StepwiseError & { readonly code: C } {
  return err instanceof StepwiseError && err.code === code;
}

/** Thrown by a handler: the step fails at once, without retries. */
export class PermanentError extends StepwiseError {
  readonly retryable = false;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('PERMANENT', message, details);
  }
}

/** Thrown by a handler: retry, optionally after the delay the remote side asked for. */
export class RetryableError extends StepwiseError {
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryAfterMs?: number; details?: Record<string, unknown> } = {}) {
    super('RETRYABLE', message, options.details ?? {});
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** An optimistic-concurrency refusal: something changed the record since it was read. */
export class StaleError extends StepwiseError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('STALE', message, details);
  }
}

export class IllegalTransitionError extends StepwiseError {
  constructor(machine: string, from: string, to: string, details: Record<string, unknown> = {}) {
    super(
      'ILLEGAL_TRANSITION',
      `${machine}: cannot go from '${from}' to '${to}'. This is a bug in the caller: every state change must follow core/model's transition table.`,
      { machine, from, to, ...details },
    );
  }
}

export class NotFoundError extends StepwiseError {
  constructor(what: string, id: string, hint = '') {
    super('NOT_FOUND', `${what} '${id}' was not found.${hint ? ' ' + hint : ''}`, { what, id });
  }
}

/** Serialisable description of any thrown value, as stored on attempts and tasks. Plain, bounded JSON. */
export interface ErrorInfo {
  class: string;
  message: string;
  code?: string;
  stack?: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
  /** The error's `cause` (Node's fetch puts the network error there), a few levels deep. */
  cause?: ErrorInfo;
  /** What had to be dropped or replaced to store the error (cycles, BigInts, size), with paths. */
  dropped?: string[];
  /** A summary (on a step, a task, an event): the whole failure is stored on this attempt. */
  attemptId?: string;
}

/** Characters kept of an error's message and of its stack. */
export const ERROR_TEXT_LIMITS = { message: 10_000, stack: 16_000 } as const;
const MAX_CAUSES = 3;

/**
 * Normalise anything thrown (Errors of any realm, strings, plain objects, hostile values) into
 * an ErrorInfo that is plain JSON and bounded in size. Never throws.
 */
export function toErrorInfo(err: unknown): ErrorInfo {
  try {
    return describeThrown(err, 0);
  } catch (failure) {
    return { class: 'Error', message: `an error that could not be described (${safeString(isErrorLike(failure) ? failure.message : failure)})` };
  }
}

function describeThrown(err: unknown, causes: number): ErrorInfo {
  if (!isErrorLike(err)) {
    if (typeof err === 'string') return withTruncation({ class: 'Error', message: err }, []);
    const thrown = toBoundedJson(err, 'thrown');
    const info: ErrorInfo = { class: 'NonError', message: compactJson(thrown.value) };
    if (thrown.value !== null && typeof thrown.value === 'object') info.details = { thrown: thrown.value };
    return withTruncation(info, thrown.dropped);
  }
  const e = err as Error & { code?: unknown; retryable?: unknown; details?: unknown; cause?: unknown };
  const dropped: string[] = [];
  const info: ErrorInfo = { class: readString(e, 'name', dropped) || constructorName(e) || 'Error', message: readString(e, 'message', dropped) };
  const code = read(e, 'code', dropped);
  if (typeof code === 'string' || typeof code === 'number') info.code = String(code);
  const stack = read(e, 'stack', dropped);
  if (typeof stack === 'string' && stack) info.stack = stack;
  const retryable = read(e, 'retryable', dropped);
  if (typeof retryable === 'boolean') info.retryable = retryable;
  const details = read(e, 'details', dropped);
  if (details !== undefined && details !== null) {
    const bounded = toBoundedJson(details, 'details');
    info.details = bounded.value !== null && typeof bounded.value === 'object' && !Array.isArray(bounded.value) ? bounded.value : { value: bounded.value };
    dropped.push(...bounded.dropped);
  }
  const cause = read(e, 'cause', dropped);
  if (cause !== undefined && cause !== err) {
    if (causes < MAX_CAUSES) info.cause = describeThrown(cause, causes + 1);
    else dropped.push(`cause: more than ${MAX_CAUSES} nested causes; the rest were dropped`);
  }
  return withTruncation(info, dropped);
}

function withTruncation(info: ErrorInfo, dropped: string[]): ErrorInfo {
  if (info.message.length > ERROR_TEXT_LIMITS.message) {
    dropped.push(`message: ${info.message.length} characters cut to ${ERROR_TEXT_LIMITS.message}`);
    info.message = truncateText(info.message, ERROR_TEXT_LIMITS.message);
  }
  if (info.stack && info.stack.length > ERROR_TEXT_LIMITS.stack) {
    dropped.push(`stack: ${info.stack.length} characters cut to ${ERROR_TEXT_LIMITS.stack}`);
    info.stack = truncateText(info.stack, ERROR_TEXT_LIMITS.stack);
  }
  if (dropped.length > 0) info.dropped = dropped;
  return info;
}

/** A property read that survives throwing getters and Proxies (noted in `dropped`). */
function read(e: object, key: string, dropped: string[]): unknown {
  try {
    return (e as Record<string, unknown>)[key];
  } catch (err) {
    dropped.push(`${key}: reading it threw (${safeString(isErrorLike(err) ? err.message : err)})`);
    return undefined;
  }
}

function readString(e: object, key: string, dropped: string[]): string {
  const value = read(e, key, dropped);
  return value === undefined || value === null ? '' : safeString(value);
}

function constructorName(e: object): string {
  try {
    return (e.constructor as { name?: unknown } | undefined)?.name === undefined ? '' : safeString(e.constructor.name);
  } catch {
    return '';
  }
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return safeString(value);
  }
}

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
