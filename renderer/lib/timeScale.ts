/**
 * The timeline's time axis with idle time cut out. On a linear axis a task that waited 11 minutes
 * between two 50 ms attempts draws them 1 px wide; here every stretch in which nothing ran or
 * moved and that is longer than a tenth of the whole is drawn as a fixed narrow break (marked,
 * with how long it was), and the rest of the width is shared by the busy time. PURE.
 */

export interface TimeScale {
  /** Pixel (from 0) of time `t`. */
  x(t: number): number;
  /** Time at pixel `px` (inverse of `x`; a break maps to its start). */
  t(px: number): number;
  /** The idle stretches cut out: where their break is drawn and how long they were. */
  breaks: Array<{ px: number; from: number; to: number }>;
}

interface Segment {
  from: number;
  to: number;
  px0: number;
  px1: number;
}

export const BREAK_PX = 14;
/** An idle stretch is cut when it is longer than this fraction of the whole span. */
export const MIN_GAP_FRACTION = 0.1;

/** `busy`: [start, end] of what ran (attempts, stays) and [at, at] of each transition. */
export function idleCutScale(busy: ReadonlyArray<readonly [number, number]>, t0: number, t1: number, width: number): TimeScale {
  const span = Math.max(1, t1 - t0);
  // Merge the busy intervals, clamped to the span.
  const sorted = busy.map(([a, b]) => [Math.max(t0, Math.min(a, b)), Math.min(t1, Math.max(a, b))] as [number, number]).sort((p, q) => p[0] - q[0]);
  const merged: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  // The idle stretches long enough to cut.
  const gaps: Array<[number, number]> = [];
  let cursor = t0;
  for (const [a, b] of [...merged, [t1, t1] as [number, number]]) {
    if (a - cursor > MIN_GAP_FRACTION * span) gaps.push([cursor, a]);
    cursor = Math.max(cursor, b);
  }
  const cut = gaps.reduce((sum, [a, b]) => sum + (b - a), 0);
  const kept = span - cut;
  const keptWidth = Math.max(1, width - gaps.length * BREAK_PX);
  const perMs = kept > 0 ? keptWidth / kept : 0;
  // Piecewise-linear segments: kept time at `perMs`, each cut stretch BREAK_PX wide.
  const segments: Segment[] = [];
  const breaks: TimeScale['breaks'] = [];
  let px = 0;
  let from = t0;
  for (const [a, b] of gaps) {
    segments.push({ from, to: a, px0: px, px1: px + (a - from) * perMs });
    px += (a - from) * perMs;
    breaks.push({ px: px + BREAK_PX / 2, from: a, to: b });
    segments.push({ from: a, to: b, px0: px, px1: px + BREAK_PX });
    px += BREAK_PX;
    from = b;
  }
  segments.push({ from, to: Math.max(from, t1), px0: px, px1: kept > 0 ? px + (t1 - from) * perMs : width });
  const x = (t: number): number => {
    if (t <= t0) return 0;
    for (const s of segments) {
      if (t <= s.to) return s.to === s.from ? s.px0 : s.px0 + ((t - s.from) / (s.to - s.from)) * (s.px1 - s.px0);
    }
    return segments[segments.length - 1]!.px1;
  };
  const t = (p: number): number => {
    if (p <= 0) return t0;
    for (const s of segments) {
      if (p <= s.px1) return s.px1 === s.px0 ? s.from : s.from + ((p - s.px0) / (s.px1 - s.px0)) * (s.to - s.from);
    }
    return t1;
  };
  return { x, t, breaks };
}

/**
 * Which marks along the axis can be drawn without touching each other or the text already on
 * it: `xs` are the marks' centres (px), each `width` wide; `taken` are [left, right] spans of
 * the axis labels. A mark that would overlap one is left out (its break line in the lanes and
 * its tooltip-less neighbours still show where time was cut). Returns the indices kept.
 */
export function placeAxisMarks(xs: readonly number[], width: number, taken: ReadonlyArray<readonly [number, number]>, gap = 3): number[] {
  const kept: number[] = [];
  let lastRight = -Infinity;
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  for (const [x, i] of order) {
    const left = x - width / 2;
    const right = x + width / 2;
    if (left < lastRight + gap) continue;
    if (taken.some(([a, b]) => left < b + gap && right > a - gap)) continue;
    kept.push(i);
    lastRight = right;
  }
  return kept;
}
