/**
 * Values now or later (core/engine/runtime/maybe.ts) and the task lock's synchronous fast path
 * (TaskLocks.runNow): synchronous while nothing waited for is a promise, the same results and
 * errors as async code once something is, and the lock's order kept either way.
 */
import { describe, expect, it } from 'vitest';
import { drive, after, type Steps } from '../../core/engine/runtime/maybe.js';
import { TaskLocks } from '../../core/engine/runtime/lock.js';

function* add(a: unknown, b: unknown): Steps<number> {
  const x = (yield a) as number;
  const y = (yield b) as number;
  return x + y;
}

describe('drive', () => {
  it('answers synchronously while every yielded value is a plain value', () => {
    const r = drive(add(1, 2));
    expect(r).toBe(3);
  });

  it('becomes a promise from the first promise on, with the same result', async () => {
    const r = drive(add(1, Promise.resolve(2)));
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe(3);
  });

  it('throws a rejection into the generator, where its try/catch sees it as await would', async () => {
    function* guarded(): Steps<string> {
      try {
        yield Promise.reject(new Error('boom'));
        return 'not reached';
      } catch (err) {
        const more = (yield 'x') as string;
        return `caught ${(err as Error).message} then ${more}`;
      }
    }
    expect(await drive(guarded())).toBe('caught boom then x');
  });

  it('throws a synchronous error at once and rejects an asynchronous one', async () => {
    function* fails(later: boolean): Steps<never> {
      if (later) yield Promise.resolve(1);
      throw new Error('bad');
    }
    expect(() => drive(fails(false))).toThrow('bad');
    await expect(drive(fails(true))).rejects.toThrow('bad');
  });

  it('runs nested generators (yield*) without leaving the synchronous path', () => {
    function* outer(): Steps<number> {
      return (yield* add(1, 2)) * (yield* add(3, 4));
    }
    expect(drive(outer())).toBe(21);
  });

  it('after applies at once to a value and after resolution to a promise', async () => {
    expect(after(2, (x) => x * 2)).toBe(4);
    expect(await after(Promise.resolve(2), (x) => x * 2)).toBe(4);
  });
});

describe('TaskLocks.runNow', () => {
  it('runs at once and answers synchronously when nothing holds the lock', () => {
    const locks = new TaskLocks();
    expect(locks.runNow('t', () => 7)).toBe(7);
    expect(locks.isHeld('t')).toBe(false);
  });

  it('holds the lock while it runs: a caller asking meanwhile queues behind it', async () => {
    const locks = new TaskLocks();
    const order: string[] = [];
    let queued: Promise<void> | null = null;
    locks.runNow('t', () => {
      expect(locks.isHeld('t')).toBe(true);
      // Re-entrant: waits for the holder, as behind any holder.
      queued = locks.run('t', async () => void order.push('second'));
      order.push('first');
      return null;
    });
    await queued;
    expect(order).toEqual(['first', 'second']);
    expect(locks.isHeld('t')).toBe(false);
  });

  it('queues behind an earlier holder and keeps the lock until an asynchronous run settles', async () => {
    const locks = new TaskLocks();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = locks.run('t', async () => {
      await gate;
      order.push('first');
    });
    const second = locks.runNow('t', () => (order.push('second'), 2));
    expect(second).toBeInstanceOf(Promise);
    const third = locks.runNow('t', () => (order.push('third'), 3));
    release();
    await first;
    expect(await second).toBe(2);
    expect(await third).toBe(3);
    expect(order).toEqual(['first', 'second', 'third']);
    let done!: () => void;
    const slow = locks.runNow('u', () => new Promise<number>((r) => (done = () => r(4))));
    expect(locks.isHeld('u')).toBe(true);
    done();
    expect(await slow).toBe(4);
    expect(locks.isHeld('u')).toBe(false);
  });

  it('lets go of the lock when the holder throws, synchronously or not', async () => {
    const locks = new TaskLocks();
    expect(() =>
      locks.runNow('t', () => {
        throw new Error('sync');
      }),
    ).toThrow('sync');
    expect(locks.isHeld('t')).toBe(false);
    await expect(locks.runNow('t', () => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(locks.isHeld('t')).toBe(false);
    expect(locks.runNow('t', () => 1)).toBe(1);
  });
});
