/** Small order statistics for insights: nearest-rank percentiles over sorted durations. */

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at least
 * `p`% of the values at or below it. Always a value that occurred (no interpolation), so a
 * p95 of a few attempts is one of their real durations. NaN for an empty list.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface DurationSummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  totalMs: number;
}

export function summarize(values: readonly number[]): DurationSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const totalMs = sorted.reduce((sum, v) => sum + v, 0);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    meanMs: sorted.length > 0 ? Math.round(totalMs / sorted.length) : Number.NaN,
    totalMs,
  };
}
