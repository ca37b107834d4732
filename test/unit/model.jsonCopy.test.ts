/**
 * copyPlain: the copy a step handler's context is made of. JSON-shaped values are walked; anything
 * else (a Date, a Map, a cycle) is copied by structuredClone, as the whole context used to be.
 */
import { describe, expect, it } from 'vitest';
import { copyPlain } from '../../core/model/jsonCopy.js';

describe('copyPlain', () => {
  it('copies JSON-shaped values deeply: changing the copy leaves the original alone', () => {
    const original = { a: 1, list: [{ b: 'x' }, { b: 'y' }], flags: [null, true], nested: { deep: { n: 2 } }, gone: undefined };
    const copy = copyPlain(original);
    expect(copy).toEqual(original);
    expect('gone' in copy).toBe(true);
    copy.list[0]!.b = 'changed';
    copy.nested.deep.n = 3;
    expect(original.list[0]!.b).toBe('x');
    expect(original.nested.deep.n).toBe(2);
    expect(copyPlain(null)).toBeNull();
    expect(copyPlain('s')).toBe('s');
  });

  it('keeps a "__proto__" key as data, not as the prototype', () => {
    const copy = copyPlain(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('copies what is not plain JSON as structuredClone does: Dates and Maps stay, cycles stay cycles', () => {
    const when = new Date(0);
    const copy = copyPlain({ when, map: new Map([['k', 1]]) });
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(when);
    expect(copy.when.getTime()).toBe(0);
    expect(copy.map.get('k')).toBe(1);
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    const c = copyPlain(cyclic);
    expect(c.self).toBe(c);
    expect(c).not.toBe(cyclic);
  });
});
