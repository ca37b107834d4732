/**
 * The closed error hierarchy. Every error Stepwise throws on purpose is a StepwiseError with a
 * stable `code` (for programs) and a message that says what was wrong and what to do (for people).
 * Codes never change once released; add new ones instead.
 */
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

/** Serialisable description of any thrown value, as stored on attempts and tasks. */
export interface ErrorInfo {
  class: string;
  message: string;
  code?: string;
  stack?: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

/** Normalise anything thrown (strings, plain objects, Errors) into an ErrorInfo. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; retryable?: unknown; details?: unknown };
    const info: ErrorInfo = { class: e.name || e.constructor?.name || 'Error', message: e.message };
    if (typeof e.code === 'string') info.code = e.code;
    if (e.stack) info.stack = e.stack;
    if (typeof e.retryable === 'boolean') info.retryable = e.retryable;
    if (e.details && typeof e.details === 'object') info.details = e.details as Record<string, unknown>;
    return info;
  }
  if (typeof err === 'string') return { class: 'Error', message: err };
  let message: string;
  try {
    message = JSON.stringify(err);
  } catch {
    message = String(err);
  }
  return { class: 'NonError', message };
}

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
