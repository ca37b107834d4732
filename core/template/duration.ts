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

/**
 * A duration for people to read, at a precision that suits its size — the one display format of
 * the CLI, insights and the workbench: 850 → "850ms", 1234 → "1.23s", 12_345 → "12.3s",
 * 95_000 → "1m35s", 7_380_000 → "2h03m", 273_600_000 → "3d04h". Not finite → "-".
 * (formatDuration above is the exact spelling a template would use.)
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 0) return `-${humanDuration(-ms)}`;
  // Round at the precision shown first, so 999.6 is "1.00s", not "1000ms", and 59_960 is "1m00s".
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const centis = Math.round(ms / 10);
  if (centis < 1000) return `${(centis / 100).toFixed(2)}s`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(ms / 60_000);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
  const h = Math.round(ms / 3_600_000);
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value)}`;
}
