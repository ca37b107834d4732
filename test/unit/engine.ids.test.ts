import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../core/engine/ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a UUIDv7 whose first 48 bits are the given milliseconds', () => {
    const ms = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
    const id = timeOrderedId(ms);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
  });

  it('sorts by time across milliseconds, so id indexes grow at their end', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(1_700_000_000_000 + i * 7));
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps ids of the same millisecond apart (random part), across pool refills', () => {
    const ids = Array.from({ length: 20_000 }, () => timeOrderedId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(UUID_V7);
  });

  it('clamps a clock outside the 48-bit range instead of producing a malformed id', () => {
    expect(timeOrderedId(-5)).toMatch(/^00000000-0000-7/);
    expect(timeOrderedId(2 ** 60)).toMatch(/^ffffffff-ffff-7/);
    expect(timeOrderedId(Number.NaN)).toMatch(UUID_V7);
  });

  it('fills every hex digit of the random part: each byte lands in its own two places', () => {
    const ids = Array.from({ length: 5000 }, () => timeOrderedId(1_700_000_000_000));
    // Positions after the time (first 13 characters) other than the dashes, the version and the variant's top bits.
    for (const at of [15, 16, 17, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]) {
      expect(new Set(ids.map((id) => id[at])).size, `digits seen at ${at}`).toBe(16);
    }
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
