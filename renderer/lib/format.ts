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
/** A changed field as people say it (the preview's column; the record's name stays in data-change-field). */
const FIELD_WORDS: Readonly<Record<string, string>> = {
  maxAttempts: 'attempts allowed',
  retryAt: 'retry at',
  wakeAt: 'wakes at',
  timeoutAt: 'times out at',
  currentState: 'current state',
};
export function fieldLabel(field: string): string {
  return FIELD_WORDS[field] ?? field;
}

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
 * hand") instead of "3 of 2". After a reset for retry or a rerun its allowance is larger than
 * the policy's (`policy`, when known): say where the rest came from.
 */
/** The attempts a step's retry policy allows, from its graph node (see core/export/runtimeGraph annotate). */
export function policyAttempts(meta: Readonly<Record<string, unknown>>): number | null {
  const n = meta.policyAttempts ?? meta.maxAttempts;
  return typeof n === 'number' ? n : null;
}

export function attemptsText(attempts: number, max: number | null | undefined, policy?: number | null): { short: string; long: string } {
  if (!max) return { short: `×${attempts}`, long: String(attempts) };
  const given = policy && max > policy ? `a reset or rerun renewed its budget; its retry policy allows ${policy}` : null;
  if (attempts <= max) return { short: `×${attempts}/${max}`, long: `${attempts} of ${max} allowed${given ? ` (${given})` : ''}` };
  const extra = attempts - max;
  return { short: `×${max}+${extra}`, long: given ? `${attempts}: the ${max} allowed (${given}), then ${extra} more by hand` : `${attempts}: the ${max} its retry policy allows, then ${extra} more by hand` };
}
