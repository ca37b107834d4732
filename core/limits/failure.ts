/**
 * A failure's text is bounded (message, stack, details cut to the limits, noted in `dropped` with
 * their original sizes; toErrorInfo has already made it plain JSON) and stored once, on the attempt that failed. The step's and the task's `error`, the
 * transition reason and the events carry a summary: class, code, the start of the message and
 * `attemptId`, where the whole failure is.
 */
import type { ErrorInfo } from '../model/errors.js';
import { jsonBytes } from './json.js';
import { formatSize, type Limits } from './limits.js';

/** Characters of the message a summary repeats. */
export const FAILURE_SUMMARY_CHARS = 500;
/** Details a summary repeats only when this small (the step name a task error names, a code). */
const SUMMARY_DETAILS_BYTES = 1024;

function cut(text: string, max: number, what: string, limitName: string): string {
  return `${text.slice(0, max)}… [${what} cut: it was ${text.length.toLocaleString('en-US')} characters; limits.${limitName} is ${max.toLocaleString('en-US')}]`;
}

/** `info` within the limits; unchanged (the same object) when it already is. */
export function boundError(info: ErrorInfo, limits: Limits): ErrorInfo {
  const message = typeof info.message === 'string' ? info.message : String(info.message);
  const overMessage = message.length > limits.errorMessageChars;
  const overStack = typeof info.stack === 'string' && info.stack.length > limits.errorStackChars;
  const detailBytes = info.details === undefined ? 0 : jsonBytes(info.details);
  const overDetails = detailBytes > limits.errorDetailsBytes;
  if (!overMessage && !overStack && !overDetails && message === info.message) return info;
  const out: ErrorInfo = { ...info, message };
  const dropped = [...(info.dropped ?? [])];
  if (overMessage) {
    out.message = cut(message, limits.errorMessageChars, 'message', 'errorMessageChars');
    dropped.push(`message: ${message.length} characters cut to ${limits.errorMessageChars} (limits.errorMessageChars)`);
  }
  if (overStack) {
    out.stack = cut(info.stack!, limits.errorStackChars, 'stack', 'errorStackChars');
    dropped.push(`stack: ${info.stack!.length} characters cut to ${limits.errorStackChars} (limits.errorStackChars)`);
  }
  if (overDetails) {
    const text = JSON.stringify(info.details);
    out.details = {
      cut: `the details were ${formatSize(detailBytes)} as JSON; limits.errorDetailsBytes is ${formatSize(limits.errorDetailsBytes)}`,
      start: text.slice(0, Math.min(limits.errorDetailsBytes, 2048)),
    };
    dropped.push(`details: ${detailBytes} bytes replaced by their start (limits.errorDetailsBytes)`);
  }
  if (dropped.length > 0) out.dropped = dropped;
  return out;
}

/**
 * What the step, the task, transition reasons and events keep of a failure recorded on attempt
 * `attemptId`: no stack, the message's start, small details only, the first cause's class and message.
 */
export function summarizeFailure(info: ErrorInfo, attemptId: string | null): ErrorInfo {
  const out: ErrorInfo = { class: info.class, message: info.message };
  if (info.code !== undefined) out.code = info.code;
  if (info.retryable !== undefined) out.retryable = info.retryable;
  if (info.details !== undefined && jsonBytes(info.details) <= SUMMARY_DETAILS_BYTES) out.details = info.details;
  if (info.message.length > FAILURE_SUMMARY_CHARS) {
    out.message = `${info.message.slice(0, FAILURE_SUMMARY_CHARS)}… (${attemptId ? 'the whole message is on the attempt' : 'message shortened'})`;
  }
  // The first cause, named: often the real reason (a network error under a fetch failure).
  if (info.cause) out.cause = { class: info.cause.class, message: info.cause.message.slice(0, FAILURE_SUMMARY_CHARS), ...(info.cause.code !== undefined ? { code: info.cause.code } : {}) };
  if (attemptId) out.attemptId = attemptId;
  return out;
}
