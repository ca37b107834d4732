import { describe, expect, it } from 'vitest';
import { baseDelayMs, retryDelayMs } from '../../core/engine/runtime/backoff.js';

const policy = { backoff: 'exponential' as const, backoffBaseMs: 1000, maxBackoffMs: 30_000, jitter: false };

describe('backoff', () => {
  it('computes exponential, linear, fixed and none delays from the attempt number', () => {
    expect([1, 2, 3, 4].map((n) => baseDelayMs('exponential', 100, n))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3].map((n) => baseDelayMs('linear', 100, n))).toEqual([100, 200, 300]);
    expect([1, 5].map((n) => baseDelayMs('fixed', 100, n))).toEqual([100, 100]);
    expect(baseDelayMs('none', 100, 3)).toBe(0);
  });

  it('caps the delay at max_backoff_ms', () => {
    expect(retryDelayMs(policy, 10)).toBe(30_000);
  });

  it('jitters between 50% and 100% of the delay with the injected random source', () => {
    const jittered = { ...policy, jitter: true };
    expect(retryDelayMs(jittered, 2, { random: () => 0 })).toBe(1000);
    expect(retryDelayMs(jittered, 2, { random: () => 0.5 })).toBe(1500);
    expect(retryDelayMs(jittered, 2, { random: () => 0.999999 })).toBe(2000);
  });

  it('lets a server-requested delay win, unjittered, capped by max_backoff_ms', () => {
    expect(retryDelayMs({ ...policy, jitter: true }, 1, { retryAfterMs: 4321, random: () => 0 })).toBe(4321);
    expect(retryDelayMs(policy, 1, { retryAfterMs: 120_000 })).toBe(30_000);
    expect(retryDelayMs(policy, 1, { retryAfterMs: -5 })).toBe(0);
  });
});
