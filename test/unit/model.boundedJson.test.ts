import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { toBoundedJson } from '../../core/model/boundedJson.js';
import { PermanentError, toErrorInfo } from '../../core/model/errors.js';

/** What storing does: the value must survive a JSON round trip unchanged. */
function stored(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('toBoundedJson', () => {
  it('keeps plain JSON as it is and reports nothing dropped', () => {
    const value = { a: 1, b: ['x', true, null], c: { d: 'e' } };
    expect(toBoundedJson(value)).toEqual({ value, dropped: [] });
  });

  it('replaces a cycle by a marker naming where it points, and says so', () => {
    const details: Record<string, unknown> = { name: 'order' };
    details.self = details;
    details.list = [details];
    const r = toBoundedJson(details, 'details');
    expect(r.value).toEqual({ name: 'order', self: '[Circular → details]', list: ['[Circular → details]'] });
    expect(r.dropped).toEqual(['details.self: circular reference to details', 'details.list[0]: circular reference to details']);
    expect(stored(r.value)).toEqual(r.value);
  });

  it('keeps a shared (non-circular) reference twice, as JSON would', () => {
    const shared = { id: 1 };
    expect(toBoundedJson({ a: shared, b: shared })).toEqual({ value: { a: { id: 1 }, b: { id: 1 } }, dropped: [] });
  });

  it('turns BigInt, non-finite numbers, functions and symbols into visible markers', () => {
    const r = toBoundedJson({ big: 12345678901234567890n, nan: NaN, inf: -Infinity, fn: function handle() {}, sym: Symbol('k'), gone: undefined });
    expect(r.value).toEqual({ big: '[BigInt 12345678901234567890]', nan: '[NaN]', inf: '[-Infinity]', fn: '[Function handle]', sym: '[Symbol(k)]' });
    expect(r.dropped).toEqual([
      'value.big: BigInt stored as a string',
      'value.nan: NaN is not a JSON number',
      'value.inf: -Infinity is not a JSON number',
      'value.fn: function dropped',
      'value.sym: symbol dropped',
    ]);
  });

  it('stores class instances as their own fields, naming the class; Dates through toJSON; Maps and Sets as lists', () => {
    class Connection {
      host = 'db';
      port = 5432;
      get url(): string {
        return 'not stored';
      }
    }
    const r = toBoundedJson({ conn: new Connection(), at: new Date(0), tags: new Set(['a']), index: new Map([['k', 1]]), bytes: Buffer.from('abc') });
    expect(r.value).toEqual({
      conn: { host: 'db', port: 5432 },
      at: '1970-01-01T00:00:00.000Z',
      tags: ['a'],
      index: [['k', 1]],
      bytes: '[Buffer 3 bytes]',
    });
    expect(r.dropped).toContain('value.conn: instance of Connection stored as its own enumerable properties');
    expect(r.dropped).toContain('value.bytes: binary data dropped');
  });

  it('summarises what is nested too deep, and cuts long strings, wide objects and long arrays', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    const r = toBoundedJson({ deep, wide, long: 'x'.repeat(20_000), many: Array.from({ length: 250 }, (_, i) => i) });
    const v = r.value as Record<string, unknown>;
    expect(JSON.stringify(v.deep)).toContain('"[Object with 1 keys]"');
    expect(Object.keys(v.wide as object)).toHaveLength(101);
    expect((v.wide as Record<string, unknown>)['…']).toBe('[50 more keys]');
    expect((v.long as string).length).toBeLessThan(10_100);
    expect(v.long).toMatch(/… \[10000 more characters\]$/);
    expect(v.many).toHaveLength(101);
    expect((v.many as unknown[])[100]).toBe('[150 more items]');
    expect(r.dropped).toEqual([
      'value.deep.next.next.next.next.next.next.next: nested deeper than 8 levels; replaced by a summary',
      'value.wide: 50 of 150 keys dropped',
      'value.long: string of 20000 characters cut to 10000',
      'value.many: 150 of 250 items dropped',
    ]);
  });

  it('bounds shared references that would grow exponentially as JSON', () => {
    let node: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 7; i++) node = { a: node, b: node, c: node, d: node };
    const r = toBoundedJson(node, 'value', { maxNodes: 1000 });
    expect(JSON.stringify(r.value).length).toBeLessThan(100_000);
    expect(r.dropped).toEqual(['value.a.a.b.c.c.c.d: more than 1000 values; the rest were dropped']);
  });

  it('survives throwing getters, hostile Proxies and toJSON that throws', () => {
    const getter = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('no access'); } });
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    const badJson = { toJSON: () => { throw new Error('cannot'); } };
    const r = toBoundedJson({ getter, proxy, badJson });
    expect(r.value).toEqual({ getter: { boom: '[Getter threw: no access]' }, proxy: '[Unreadable: trap]', badJson: '[Unreadable: cannot]' });
  });

  it('keeps a key named __proto__ as data, without changing any prototype', () => {
    const r = toBoundedJson(JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.keys(r.value as object)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('toErrorInfo on hostile errors', () => {
  it('stores an error with cyclic, BigInt details, naming what was dropped', () => {
    const details: Record<string, unknown> = { amount: 10n };
    details.order = { details };
    const info = toErrorInfo(new PermanentError('card declined', details));
    expect(info).toMatchObject({ class: 'PermanentError', code: 'PERMANENT', message: 'card declined', details: { amount: '[BigInt 10]', order: { details: '[Circular → details]' } } });
    expect(info.dropped).toEqual(['details.amount: BigInt stored as a string', 'details.order.details: circular reference to details']);
    expect(stored(info)).toEqual(info);
  });

  it('keeps the cause chain (bounded) and numeric codes as strings', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const info = toErrorInfo(new TypeError('fetch failed', { cause: root }));
    expect(info).toMatchObject({ class: 'TypeError', message: 'fetch failed', cause: { class: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' } });
    const loop = new Error('loop') as Error & { cause?: unknown };
    const other = new Error('other', { cause: loop });
    loop.cause = other;
    const chained = toErrorInfo(loop);
    expect(chained.cause?.cause?.cause?.cause).toBeUndefined();
    expect(chained.cause?.cause?.cause?.dropped).toEqual(['cause: more than 3 nested causes; the rest were dropped']);
    expect(toErrorInfo(Object.assign(new Error('x'), { code: 42 })).code).toBe('42');
  });

  it('describes errors from another realm, errors whose fields throw, and huge messages', () => {
    const foreign = runInNewContext('new RangeError("from a vm")') as unknown;
    expect(toErrorInfo(foreign)).toMatchObject({ class: 'RangeError', message: 'from a vm' });

    const hostile = new Error('hostile');
    Object.defineProperty(hostile, 'details', { get: () => { throw new Error('nope'); } });
    Object.defineProperty(hostile, 'name', { get: () => ({ toString: () => { throw new Error('no name'); } }) });
    const info = toErrorInfo(hostile);
    expect(info.message).toBe('hostile');
    expect(info.class).toMatch(/^\[unprintable object/);
    // V8 formats the stack lazily, with the name: its getter throws too.
    expect(info.dropped).toEqual(['stack: reading it threw (no name)', 'details: reading it threw (nope)']);

    const huge = toErrorInfo(new Error('m'.repeat(50_000)));
    expect(huge.message.length).toBeLessThan(10_100);
    expect(huge.dropped).toContain('message: 50000 characters cut to 10000');
  });

  it('describes thrown non-errors of any kind as JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    expect(toErrorInfo(cyclic)).toEqual({ class: 'NonError', message: '{"me":"[Circular → thrown]"}', details: { thrown: { me: '[Circular → thrown]' } }, dropped: ['thrown.me: circular reference to thrown'] });
    expect(toErrorInfo(5n)).toMatchObject({ class: 'NonError', message: '"[BigInt 5]"' });
    expect(toErrorInfo(undefined)).toEqual({ class: 'NonError', message: 'null' });
  });
});
