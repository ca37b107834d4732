/** Which keys of a step's results its dependents read, found in their handlers' source (core/host/resultsHint). */
import { describe, expect, it } from 'vitest';
import { keysRead } from '../../core/host/resultsHint.js';

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
