import { describe, expect, it } from 'vitest';
import { copyKeepingLazy, defineLazy } from '../../core/executor/lazyField.js';

describe('lazy context fields', () => {
  it('computes on the first read only, then holds a plain value', () => {
    let calls = 0;
    const o = defineLazy({ a: 1 } as { a: number; big?: number[] }, 'big', () => {
      calls += 1;
      return [1, 2, 3];
    });
    expect(calls).toBe(0);
    expect(o.big).toEqual([1, 2, 3]);
    expect(o.big).toBe(o.big);
    expect(calls).toBe(1);
    expect(Object.getOwnPropertyDescriptor(o, 'big')).toMatchObject({ writable: true, enumerable: true });
  });

  it('can be assigned before it is read (a handler replacing its context field), without computing', () => {
    let calls = 0;
    const o = defineLazy({} as { big?: unknown }, 'big', () => (calls += 1));
    o.big = 'mine';
    expect(o.big).toBe('mine');
    expect(calls).toBe(0);
  });

  it('is read like a data field by structured clone (a worker thread), spread and JSON', () => {
    const make = () => defineLazy({ a: 1 }, 'big', () => ({ s0: 'x' }));
    expect(structuredClone(make())).toEqual({ a: 1, big: { s0: 'x' } });
    expect({ ...make() }).toEqual({ a: 1, big: { s0: 'x' } });
    expect(JSON.parse(JSON.stringify(make()))).toEqual({ a: 1, big: { s0: 'x' } });
  });

  it('stays lazy through copyKeepingLazy, and the copy computes for itself', () => {
    let calls = 0;
    const o = defineLazy({ a: 1 } as { a: number; big?: number }, 'big', () => (calls += 1));
    const copy = copyKeepingLazy(o);
    expect(calls).toBe(0);
    expect(copy.big).toBe(1);
    expect(Object.getOwnPropertyDescriptor(o, 'big')?.get).toBeTypeOf('function');
    copy.a = 2;
    expect(o.a).toBe(1);
  });
});
