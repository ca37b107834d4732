/** Small display helpers for times, durations and JSON. PURE. */
import { humanDuration } from '../../core/template/duration.js';

export function clock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The one display format of durations (core's humanDuration); a dash for none. */
export function duration(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? '—' : humanDuration(ms);
}

/** "in 3.2 s" / "2 s ago" relative to `now`. */
export function relative(at: number | null, now: number): string {
  if (at === null) return '—';
  const d = at - now;
  return d >= 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

export function shortJson(value: unknown, max = 80): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** A change's value for the preview table: times (fields named `...At`) as a local date and clock. */
export function changeValue(field: string, value: unknown, max = 40): string {
  if (/At$/.test(field) && typeof value === 'number' && Number.isFinite(value)) {
    const d = new Date(value);
    return `${d.toLocaleDateString()} ${clock(value)}`;
  }
  return shortJson(value, max);
}
