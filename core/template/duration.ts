/**
 * Durations in templates: `500ms`, `30s`, `1m`, `24h`, `90d`, `2w`, compounds such as `1h30m`,
 * and bare numbers (or numeric strings), which are milliseconds.
 */

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;

export const DURATION_HINT = 'write a number of milliseconds or a number with a unit: 500ms, 30s, 1m, 24h, 90d, 2w (or a compound like 1h30m)';

/** Parse a template duration into milliseconds. Never throws. */
export function parseDuration(value: unknown): DurationResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, message: `${value} is not a duration: it must be a finite number of milliseconds ≥ 0` };
    return { ok: true, ms: Math.round(value) };
  }
  if (typeof value !== 'string') return { ok: false, message: `a duration must be a string like "30s" or a number of milliseconds, got ${describe(value)}` };
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return { ok: true, ms: Math.round(Number(text)) };
  let total = 0;
  let matched = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(text); m !== null; m = PART.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = PART.lastIndex;
    // Allow spaces between parts ("1h 30m").
    while (text[PART.lastIndex] === ' ') PART.lastIndex += 1;
  }
  if (text === '' || matched !== text.length) return { ok: false, message: `"${value}" is not a duration` };
  return { ok: true, ms: Math.round(total) };
}

/** The shortest exact spelling of a duration, e.g. 90_000 → "1m30s"; used in messages and exports. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value)}`;
}
