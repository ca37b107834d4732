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

/** How long ago `at` was, in one short unit: "just now", "42 s", "3 min", "5 h", "2 d". */
export function age(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/**
 * A step's attempts against its retry budget. After a manual retry a step can have run more
 * times than its policy allows: say so ("3: the 2 its retry policy allows, then 1 more by
 * hand") instead of "3 of 2".
 */
export function attemptsText(attempts: number, max: number | null | undefined): { short: string; long: string } {
  if (!max) return { short: `×${attempts}`, long: String(attempts) };
  if (attempts <= max) return { short: `×${attempts}/${max}`, long: `${attempts} of ${max} allowed` };
  const extra = attempts - max;
  return { short: `×${max}+${extra}`, long: `${attempts}: the ${max} its retry policy allows, then ${extra} more by hand` };
}
