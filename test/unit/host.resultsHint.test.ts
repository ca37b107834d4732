/** What Mark complete prefills (core/host/resultsHint): the keys dependents read, found in their handlers' source, and an example built from a step's result_schema. */
import { describe, expect, it } from 'vitest';
import { exampleOf, keysRead } from '../../core/host/resultsHint.js';

describe('keysRead', () => {
  it('finds destructured keys, member reads and bracket reads of one step', () => {
    const source = `async function mark_synced(ctx) {
      const { pushed, ledger: name, count = 0, ...rest } = ctx.results.push_to_ledger;
      const total = ctx.results?.push_to_ledger?.total + ctx.results['push_to_ledger']['currency'];
      const other = ctx.results.fetch_invoices.invoices;
      return { pushed, name, total, other, rest, count };
    }`;
    expect(keysRead(source, 'push_to_ledger').sort()).toEqual(['count', 'currency', 'ledger', 'pushed', 'total']);
    expect(keysRead(source, 'fetch_invoices')).toEqual(['invoices']);
  });

  it('finds nothing when the handler reads the whole results or another step only', () => {
    expect(keysRead('function f(ctx) { return ctx.results.push_to_ledger; }', 'push_to_ledger')).toEqual([]);
    expect(keysRead('function f(ctx) { return ctx.results.push_to_ledger_v2.pushed; }', 'push_to_ledger')).toEqual([]);
    expect(keysRead('', 'push_to_ledger')).toEqual([]);
  });
});

describe('exampleOf', () => {
  it('builds an object with every property, from its examples, defaults, consts and enums first', () => {
    const schema = {
      type: 'object',
      properties: {
        ledger: { type: 'string', examples: ['acme-books'] },
        pushed: { type: 'array', items: { type: 'string' } },
        count: { type: 'integer', default: 3 },
        mode: { enum: ['full', 'delta'] },
        kind: { const: 'sync' },
        ok: { type: ['null', 'boolean'] },
        meta: { properties: { at: { type: 'number' } } },
        either: { anyOf: [{ type: 'string', example: 'x' }, { type: 'number' }] },
      },
    };
    expect(exampleOf(schema)).toEqual({ ledger: 'acme-books', pushed: [''], count: 3, mode: 'full', kind: 'sync', ok: false, meta: { at: 0 }, either: 'x' });
  });

  it('merges allOf objects, keeps a whole example, and stops on a self-nesting schema', () => {
    expect(exampleOf({ allOf: [{ properties: { a: { type: 'string' } } }, { properties: { b: { type: 'boolean' } } }] })).toEqual({ a: '', b: false });
    expect(exampleOf({ type: 'object', example: { pushed: ['INV-1'] } })).toEqual({ pushed: ['INV-1'] });
    const deep: Record<string, unknown> = { type: 'object', properties: {} };
    (deep.properties as Record<string, unknown>).next = deep;
    expect(JSON.stringify(exampleOf(deep))).toContain('null');
    expect(exampleOf({})).toBeNull();
  });
});
