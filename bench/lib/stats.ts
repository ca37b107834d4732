/** Small statistics and timing helpers shared by the benchmarks. */

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Items per second for `count` items done in `ms` milliseconds. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count / ms) * 1000 : 0;
}

/** Rounds to `digits` significant-ish decimals for the report (large numbers to integers). */
export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  if (Math.abs(x) >= 100) return Math.round(x);
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs `fn` `times` times (after `warmups` unmeasured runs) and returns each run's result. */
export async function repeat<T>(times: number, fn: (run: number) => Promise<T>, warmups = 0): Promise<T[]> {
  for (let i = 0; i < warmups; i++) await fn(-1 - i);
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await fn(i));
  return out;
}

/** Milliseconds taken by `fn`. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** A benchmark's repeated runs summarised: the median and the spread. */
export interface Sample {
  runs: number[];
  median: number;
  min: number;
  max: number;
}

export function sample(runs: readonly number[]): Sample {
  return { runs: runs.map((r) => round(r, 3)), median: round(median(runs), 3), min: round(Math.min(...runs), 3), max: round(Math.max(...runs), 3) };
}
