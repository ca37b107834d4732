/** The timeline's axis with idle time cut out (renderer/lib/timeScale). */
import { describe, expect, it } from 'vitest';
import { BREAK_PX, idleCutScale, placeAxisMarks } from '../../renderer/lib/timeScale.js';

describe('idleCutScale', () => {
  it('gives two 50 ms attempts 11 minutes apart most of the width, the wait one narrow break', () => {
    const t0 = 0;
    const t1 = 11 * 60_000 + 100;
    const busy = [[0, 50], [t1 - 50, t1]] as const;
    const s = idleCutScale(busy, t0, t1, 600);
    expect(s.breaks).toHaveLength(1);
    expect(s.breaks[0]).toMatchObject({ from: 50, to: t1 - 50 });
    // Linear, each attempt would be 600 * 50 / 660100 ≈ 0.05 px; here each gets half the rest.
    expect(s.x(50) - s.x(0)).toBeCloseTo((600 - BREAK_PX) / 2, 5);
    expect(s.x(t1) - s.x(t1 - 50)).toBeCloseTo((600 - BREAK_PX) / 2, 5);
    expect(s.x(t1)).toBeCloseTo(600, 5);
    // Monotonic, and t() inverts x() outside the break.
    for (const t of [0, 10, 49, t1 - 40, t1]) expect(s.t(s.x(t))).toBeCloseTo(t, 5);
    expect(s.x(1000)).toBeGreaterThan(s.x(50));
    expect(s.x(t1 - 50)).toBeGreaterThan(s.x(1000));
  });

  it('stays linear when nothing is idle for long', () => {
    const s = idleCutScale([[0, 400], [450, 1000]], 0, 1000, 500);
    expect(s.breaks).toEqual([]);
    expect(s.x(500)).toBeCloseTo(250, 5);
    expect(s.t(250)).toBeCloseTo(500, 5);
  });

  it('cuts several waits, and instants (transitions) count as busy', () => {
    const s = idleCutScale([[0, 0], [100, 100], [10_000, 10_100], [50_000, 50_000]], 0, 50_000, 400);
    expect(s.breaks.map((b) => [b.from, b.to])).toEqual([[100, 10_000], [10_100, 50_000]]);
    const xs = [0, 100, 10_000, 10_100, 50_000].map(s.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
    expect(xs[4]).toBeCloseTo(400, 5);
  });
});

describe('placeAxisMarks', () => {
  it('keeps marks clear of the axis labels and of each other', () => {
    // Labels at 150–230 and 520–600; marks 8 px wide.
    const kept = placeAxisMarks([160, 240, 244, 300, 400, 515, 590], 8, [
      [150, 230],
      [520, 600],
    ]);
    expect(kept.sort((a, b) => a - b)).toEqual([1, 3, 4]);
  });
  it('keeps every mark when nothing is in the way', () => {
    expect(placeAxisMarks([10, 30, 50], 8, [])).toEqual([0, 1, 2]);
  });
});
