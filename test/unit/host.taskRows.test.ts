/** Short ids from the random tail, the task list's input summary and its search (core/model/taskId, core/host/taskRows). */
import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../core/model/runtime.js';
import { shortTaskId, taskIdMatches } from '../../core/model/taskId.js';
import { inputSummary, taskMatches } from '../../core/host/taskRows.js';

// Two ids of one millisecond: the same time prefix, different random tails.
const a = '019a1b2c-3d4e-7f00-8123-456789abcdef';
const b = '019a1b2c-3d4e-7a11-9fed-cba987654321';

describe('shortTaskId', () => {
  it('is the end of the random tail, so tasks of one millisecond differ', () => {
    expect(shortTaskId(a)).toBe('89abcdef');
    expect(shortTaskId(b)).toBe('87654321');
    expect(a.slice(0, 8)).toBe(b.slice(0, 8));
  });
});

describe('taskIdMatches', () => {
  it('accepts the whole id, any prefix (dashes optional), and the short id', () => {
    expect(taskIdMatches(a, a)).toBe(true);
    expect(taskIdMatches(a, '019a1b2c-3d4e-7f')).toBe(true);
    expect(taskIdMatches(a, '019a1b2c3d4e7f')).toBe(true);
    expect(taskIdMatches(a, '89ABCDEF')).toBe(true);
    expect(taskIdMatches(b, '89abcdef')).toBe(false);
    // A short fragment of the tail is not an id (it would match too much).
    expect(taskIdMatches(a, 'cdef')).toBe(false);
    expect(taskIdMatches(a, '  ')).toBe(false);
  });
});

describe('inputSummary', () => {
  it('names each field with a short value, and cuts a long input to one line', () => {
    expect(inputSummary({ order_id: 42, customer_id: 'c-7', items: [{ sku: 'x' }, { sku: 'y' }], meta: { a: 1 } })).toBe('order_id 42 · customer_id c-7 · items [2] · meta {1}');
    const long = inputSummary(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field_${i}`, 'a value that is long enough to cut'])));
    expect(long.length).toBeLessThan(130);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('taskMatches', () => {
  const task = {
    id: a,
    templateRef: 'billing/invoice_sync@1.0.0',
    status: 'error',
    currentState: null,
    input: { account_id: 'ACME-42' },
    error: { class: 'LedgerOffline', message: 'Ledger acme-books is offline' },
  } as unknown as TaskRecord;
  it('finds a task by its short id, template, input or error text', () => {
    for (const q of ['89abcdef', 'invoice_sync', 'acme-42', 'offline', 'LedgerOffline', '']) expect(taskMatches(task, q), q).toBe(true);
    expect(taskMatches(task, 'order_fulfillment')).toBe(false);
  });
});
