import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import { addDeadline } from '../../core/engine/runtime/deadlines.js';
import { callGuarded, GuardedCallFailed } from '../../core/engine/runtime/guarded.js';

describe('deadlines of short calls', () => {
  it('shares one timer between pending calls and expires each at its own time', () => {
    const clock = new ManualClock(0);
    const expired: string[] = [];
    addDeadline(clock, { at: 100, expire: () => expired.push('a') });
    clock.advance(10);
    addDeadline(clock, { at: 110, expire: () => expired.push('b') });
    expect(clock.pendingTimers).toBe(1);
    clock.advance(90);
    expect(expired).toEqual(['a']);
    clock.advance(9);
    expect(expired).toEqual(['a']);
    clock.advance(1);
    expect(expired).toEqual(['a', 'b']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never expires a cancelled call, and an earlier deadline re-arms the timer', () => {
    const clock = new ManualClock(0);
    const expired: string[] = [];
    const cancelLate = addDeadline(clock, { at: 1000, expire: () => expired.push('late') });
    addDeadline(clock, { at: 50, expire: () => expired.push('early') });
    cancelLate();
    clock.advance(2000);
    expect(expired).toEqual(['early']);
  });

  it('a settled call leaves no work: the timer left armed finds nothing due', () => {
    const clock = new ManualClock(0);
    let fired = 0;
    const cancel = addDeadline(clock, { at: 30_000, expire: () => fired++ });
    cancel();
    clock.advance(60_000);
    expect(fired).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('callGuarded bounds', () => {
  it('fails an asynchronous call that does not settle in time with TIMEOUT, and not one that does', async () => {
    const clock = new ManualClock(0);
    const quick = await callGuarded('quick', async () => 7, { clock, what: 'The quick hook', timeoutMs: 100 });
    expect(quick).toBe(7);
    const hanging = callGuarded('slow', () => new Promise<never>(() => undefined), { clock, what: 'The slow hook', timeoutMs: 100 });
    const outcome = hanging.then(
      () => 'settled',
      (err: unknown) => err,
    );
    await Promise.resolve();
    clock.advance(100);
    const err = await outcome;
    expect(err).toBeInstanceOf(GuardedCallFailed);
    expect((err as GuardedCallFailed).failure.error.code).toBe('TIMEOUT');
    expect((err as GuardedCallFailed).message).toContain('The slow hook did not finish within 0.1s');
  });
});
