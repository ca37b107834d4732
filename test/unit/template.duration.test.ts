import { describe, expect, it } from 'vitest';
import { formatDuration, humanDuration, parseDuration } from '../../core/template/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m', 60_000],
    ['24h', 86_400_000],
    ['90d', 90 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1.5s', 1500],
    ['250', 250],
    [1500, 1500],
    [0, 0],
  ])('%s → %i ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });

  it.each([['soon'], ['24 hours'], ['1mo'], ['-5s'], [''], ['5 s x'], [-1], [Number.NaN], [true], [null], [{}]])('refuses %s', (input) => {
    const r = parseDuration(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [90_000, '1m30s'],
    [86_400_000, '1d'],
    [90 * 86_400_000, '90d'],
  ])('%i → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });
});

describe('humanDuration (the one display format: CLI, insights, workbench)', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [999.4, '999ms'],
    [999.6, '1.00s'],
    [1234, '1.23s'],
    [9_994, '9.99s'],
    [9_996, '10.0s'],
    [12_345, '12.3s'],
    [59_949, '59.9s'],
    [59_960, '1m00s'],
    [95_000, '1m35s'],
    [3_599_400, '59m59s'],
    [3_599_600, '1h00m'],
    [7_380_000, '2h03m'],
    [273_600_000, '3d04h'],
    [-1500, '-1.50s'],
    [Number.NaN, '-'],
    [Number.POSITIVE_INFINITY, '-'],
  ])('%d → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it("never shows a unit's upper bound (no 60.0s, 60m, 24h)", () => {
    for (let ms = 0; ms < 100 * 86_400_000; ms = ms * 1.01 + 7) {
      expect(humanDuration(ms), String(ms)).not.toMatch(/(^|\D)(1000ms|60\.0s|60m|24h)/);
    }
  });
});
