/**
 * Turning what a handler threw (or returned) into a recordable outcome. Shared by every
 * executor, including the worker-thread side, so classification is the same everywhere.
 */
import { truncateText } from '../model/boundedJson.js';
import { StepwiseError, toErrorInfo, type ErrorInfo } from '../model/errors.js';
import type { Json, JsonObject } from '../model/runtime.js';

export interface HandlerFailure {
  error: ErrorInfo;
  /** false: do not retry (PermanentError, `retryable: false` on the error, a bad return value). */
  retryable: boolean;
  /** RetryableError's server-requested delay. */
  retryAfterMs?: number;
}

export function describeFailure(err: unknown): HandlerFailure {
  const error = toErrorInfo(err);
  const e = (err ?? {}) as { retryable?: unknown; retryAfterMs?: unknown };
  const failure: HandlerFailure = { error, retryable: e.retryable !== false };
  if (typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs)) failure.retryAfterMs = e.retryAfterMs;
  return failure;
}

/** Why a return value is not JSON, or null when it is. Only plain data may be stored as results. */
function notJson(value: unknown, path: string, seen: Set<object>): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}`;
  if (typeof value === 'undefined') return null; // dropped in objects, null in arrays: what JSON.stringify does
  if (typeof value !== 'object') return `${path} is a ${typeof value}`;
  if (seen.has(value)) return `${path} is a circular reference`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null; // Dates and friends
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const why = notJson(value[i], `${path}[${i}]`, seen);
        if (why) return why;
      }
      return null;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return `${path} is a ${proto?.constructor?.name ?? 'class instance'}`;
    for (const [k, v] of Object.entries(value)) {
      const why = notJson(v, `${path}.${k}`, seen);
      if (why) return why;
    }
    return null;
  } finally {
    seen.delete(value);
  }
}

/** A handler's return value as stored JSON, or a non-retryable failure saying what is wrong. */
export function toResults(value: unknown, handlerName: string): { ok: true; value: Json } | { ok: false; failure: HandlerFailure } {
  const why = notJson(value, 'the return value', new Set());
  if (why) {
    const err = new StepwiseError(
      'HANDLER_ERROR',
      `Handler '${handlerName}' returned a value that is not JSON (${why}). Return plain objects, arrays, strings, numbers, booleans or null.`,
      { handler: handlerName },
    );
    return { ok: false, failure: { error: toErrorInfo(err), retryable: false } };
  }
  // Strings, numbers and booleans are their own copy (JSON turns -0 into 0); objects are encoded
  // once, and the text is kept for the size check (encodedJson) instead of encoding them again.
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value !== 'object') return { ok: true, value: Object.is(value, -0) ? 0 : (value as Json) };
  const text = JSON.stringify(value);
  const copy = JSON.parse(text) as Json;
  if (copy !== null && typeof copy === 'object') texts.set(copy, text);
  return { ok: true, value: copy };
}

/** The JSON text of results made by toResults, by the copy it returned. */
const texts = new WeakMap<object, string>();

/** `JSON.stringify(value)`, when `value` is a result toResults made (and encoded); else undefined. */
export function encodedJson(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? texts.get(value) : undefined;
}

/**
 * Whether a commit error refused the content (too large, not serialisable) rather than the
 * storage being unavailable for now (busy, full disk, closed): only the former is worth storing
 * a smaller record instead; the latter is retried by whoever commits.
 */
export function refusedContent(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; details?: { sqliteCode?: unknown } };
  // A lost race (another engine changed the task first) says nothing about the content: storing
  // a fallback failure instead would fail a step that succeeded. The caller's retry handles it.
  if (e.code === 'STALE' || e.code === 'CONCURRENCY_LIMIT') return false;
  if (e.code !== 'STORAGE_ERROR') return true;
  return e.details?.sqliteCode === 'SQLITE_TOOBIG';
}

const FALLBACK_MESSAGE_CHARS = 1_000;

/** The failure to store when `failure` itself could not be stored: its message, cut, and why. */
export function unrecordableFailure(failure: HandlerFailure, storeError: unknown): HandlerFailure {
  const original = truncateText(String(failure.error.message), FALLBACK_MESSAGE_CHARS);
  const why = truncateText(toErrorInfo(storeError).message, FALLBACK_MESSAGE_CHARS);
  return {
    error: {
      class: failure.error.class,
      code: 'FAILURE_NOT_STORED',
      message: `${original} (the full error could not be stored: ${why}; its details, stack and logs were dropped)`,
    },
    retryable: failure.retryable,
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
  };
}

/** The failure to store when a handler's result could not be stored. Not retryable: the same result would be refused again. */
export function unstorableResult(handlerName: string, storeError: unknown): HandlerFailure {
  const why = truncateText(toErrorInfo(storeError).message, FALLBACK_MESSAGE_CHARS);
  return {
    error: { class: 'StepwiseError', code: 'RESULT_NOT_STORED', message: `Handler '${handlerName}' succeeded but its result could not be stored: ${why}` },
    retryable: false,
  };
}

/** A JSON copy of a flow handler's return value, or null when it is not JSON (an action's choice is a string). */
export function jsonValue(value: unknown): Json {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as Json);
  } catch {
    return null;
  }
}

/**
 * A flow handler finished: its return value and the data it left. Handlers may leave Dates or
 * undefined in the data; what is kept is plain JSON, and data that is no JSON object any more
 * (replaced by an array, a cycle) fails the attempt.
 */
export function flowOutcome(
  value: unknown,
  data: unknown,
): { kind: 'success'; value: Json; data: JsonObject; dataText: string } | { kind: 'failure'; failure: HandlerFailure } {
  let parsed: unknown;
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
    parsed = text === undefined ? undefined : JSON.parse(text);
  } catch (err) {
    return { kind: 'failure', failure: describeFailure(new TypeError(`data must stay a JSON object (${(err as Error).message})`)) };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { kind: 'failure', failure: describeFailure(new TypeError('data must stay a JSON object')) };
  }
  return { kind: 'success', value: typeof value === 'string' || typeof value === 'boolean' ? value : jsonValue(value), data: parsed as JsonObject, dataText: text! };
}
