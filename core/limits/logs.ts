/**
 * Log lines captured from a handler into its attempt, within the limits: a long line is cut, and
 * past the per-attempt line or byte budget lines are counted instead of kept, in one closing
 * line that says how many were dropped.
 */
import type { JsonObject, LogLine } from '../model/runtime.js';
import { formatSize, type Limits } from './limits.js';

export type LogSink = (line: Omit<LogLine, 'at'>) => void;

function fieldsWithin(fields: JsonObject, max: number): { fields: JsonObject; bytes: number } {
  let text: string;
  try {
    text = JSON.stringify(fields);
  } catch (err) {
    const reason = `the fields could not be stored as JSON: ${(err as Error).message}`;
    return { fields: { cut: reason }, bytes: reason.length };
  }
  if (text.length <= max) return { fields, bytes: text.length };
  return { fields: { cut: `the fields were ${formatSize(Buffer.byteLength(text))} as JSON; limits.logLineChars is ${max}`, start: text.slice(0, 512) }, bytes: 600 };
}

/** Appends bounded lines to `lines` (the attempt's `logs`), stamping them with `now()`. */
export function attemptLogSink(lines: LogLine[], limits: Limits, now: () => number): LogSink {
  let bytes = 0;
  let dropped: { line: LogLine; count: number; bytes: number } | null = null;
  return (line) => {
    const message = String(line.message);
    const size = message.length + (line.fields ? 64 : 0);
    if (dropped) {
      dropped.count++;
      dropped.bytes += size;
      dropped.line.message = `${dropped.count} more log line(s) (about ${formatSize(dropped.bytes)}) were not kept: an attempt keeps ${limits.attemptLogLines} lines and ${formatSize(limits.attemptLogBytes)} (limits.attemptLogLines, limits.attemptLogBytes)`;
      return;
    }
    const kept: LogLine = {
      at: now(),
      level: line.level,
      message: message.length > limits.logLineChars ? `${message.slice(0, limits.logLineChars)}… [line cut: it was ${message.length.toLocaleString('en-US')} characters; limits.logLineChars is ${limits.logLineChars}]` : message,
    };
    let total = kept.message.length;
    if (line.fields !== undefined) {
      const f = fieldsWithin(line.fields, limits.logLineChars);
      kept.fields = f.fields;
      total += f.bytes;
    }
    if (lines.length >= limits.attemptLogLines || bytes + total > limits.attemptLogBytes) {
      dropped = { line: { at: kept.at, level: 'warn', message: '' }, count: 0, bytes: 0 };
      lines.push(dropped.line);
      dropped.count = 1;
      dropped.bytes = total;
      dropped.line.message = `1 more log line (about ${formatSize(total)}) was not kept: an attempt keeps ${limits.attemptLogLines} lines and ${formatSize(limits.attemptLogBytes)} (limits.attemptLogLines, limits.attemptLogBytes)`;
      return;
    }
    bytes += total;
    lines.push(kept);
  };
}
