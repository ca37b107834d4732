import { describe, expect, it } from 'vitest';
import { ManualClock, MAX_TIMER_MS, offsetClock, systemClock } from '../../core/model/clock.js';

describe('ManualClock timers', () => {
  it('fire in time order while advance moves past them, with the time standing at each', () => {
    const clock = new ManualClock(1000);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    const cancelled = clock.setTimeout(() => fired.push(['never', clock.now()]), 150);
    clock.clearTimeout(cancelled);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(101);
    expect(fired).toEqual([
      ['a', 1100],
      ['b', 1200],
    ]);
    expect(clock.now()).toBe(1200);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs timers set by a firing timer when they fall inside the same advance', () => {
    const clock = new ManualClock(0);
    const at: number[] = [];
    const tick = () => {
      at.push(clock.now());
      if (at.length < 5) clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    expect(at).toEqual([10, 20, 30]);
    expect(clock.nextTimerAt()).toBe(40);
    clock.set(100);
    expect(at).toEqual([10, 20, 30, 40, 50]);
  });
});

describe('the system clock', () => {
  it('chains a timer longer than Node can hold instead of firing it at once', async () => {
    let fired = false;
    const timer = systemClock.setTimeout(() => (fired = true), MAX_TIMER_MS + 1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    systemClock.clearTimeout(timer);
  });

  it('fires ordinary timers and an offset clock reads later', async () => {
    const fired = await new Promise<boolean>((resolve) => systemClock.setTimeout(() => resolve(true), 5));
    expect(fired).toBe(true);
    expect(offsetClock(60_000).now() - Date.now()).toBeGreaterThan(59_000);
  });
});
