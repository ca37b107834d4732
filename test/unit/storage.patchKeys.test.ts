import { describe, expect, it } from 'vitest';
import { patchKeys } from '../../core/storage/fields.js';
import { ATTEMPTS, STEPS, checkedUpdateSql, patchColumns, updateSql } from '../../core/storage/sqlite/codec.js';

describe('patchKeys', () => {
  it('returns the defined keys sorted, ignoring undefined values and keeping nulls', () => {
    expect(patchKeys('step', { state: 'running', attempts: 1, results: undefined, error: null })).toEqual(['attempts', 'error', 'state']);
    expect(patchKeys('attempt', {})).toEqual([]);
    expect(patchKeys('attempt', { output: undefined })).toEqual([]);
  });

  it('hands every patch of one shape the same frozen list, whatever the values', () => {
    const a = patchKeys('step', { state: 'running', attempts: 1, leaseOwner: 'a' });
    const b = patchKeys('step', { state: 'complete', attempts: 2, leaseOwner: null });
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    // Another order of the same keys: the same sorted list (maybe another array).
    expect(patchKeys('step', { leaseOwner: 'a', attempts: 1, state: 'running' })).toEqual(a);
    // An undefined value is no key: the shape of the patch without it.
    expect(patchKeys('step', { state: 'running', attempts: 1, leaseOwner: 'a', error: undefined })).toBe(a);
    // Kinds do not share lists: `error` is a field of both.
    expect(patchKeys('attempt', { error: null })).not.toBe(patchKeys('step', { error: null }));
  });

  it('names the first bad key, before and after the shape was seen', () => {
    for (let i = 0; i < 2; i++) {
      expect(patchKeys('step', { state: 'ready', nope: 1 })).toEqual({ bad: 'nope', why: "'nope' is not a field of a step" });
      expect(patchKeys('step', { state: 'ready', version: 3 })).toEqual({ bad: 'version', why: "'version' of a step cannot be changed by a patch" });
      expect(patchKeys('task', { idempotencyKey: 'k' })).toEqual({ bad: 'idempotencyKey', why: "'idempotencyKey' of a task cannot be changed by a patch" });
      expect(patchKeys('attempt', { number: 2, output: 1 })).toEqual({ bad: 'number', why: "'number' of a attempt cannot be changed by a patch" });
    }
    // An undefined bad key is ignored, as every undefined value.
    expect(patchKeys('step', { state: 'ready', nope: undefined })).toEqual(['state']);
  });

  it('still answers, uncached, once a kind has seen very many key orders', () => {
    // Every order of 7 task fields: 5,040 orders, more nodes than the trie keeps.
    const fields = ['status', 'data', 'error', 'result', 'updatedAt', 'finishedAt', 'deleteAt'];
    const orders: string[][] = [];
    const permute = (rest: string[], acc: string[]): void => {
      if (rest.length === 0) orders.push(acc);
      rest.forEach((f, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, f]));
    };
    permute(fields, []);
    const sorted = [...fields].sort();
    for (const order of orders) expect(patchKeys('task', Object.fromEntries(order.map((f) => [f, 1])))).toEqual(sorted);
    expect(patchKeys('task', { currentState: 'x', nope: 1 })).toEqual({ bad: 'nope', why: "'nope' is not a field of a task" });
  });
});

describe('SQLite patch statements', () => {
  it('are built per table and key list, in the list order', () => {
    const keys = patchKeys('step', { state: 'running', leaseOwner: 'a' }) as readonly string[];
    expect(updateSql(STEPS, keys, false)).toBe('UPDATE steps SET lease_owner = ?, state = ? WHERE id = ?');
    expect(updateSql(STEPS, keys, true)).toBe('UPDATE steps SET lease_owner = ?, state = ?, version = ? WHERE id = ?');
    expect(checkedUpdateSql(STEPS, keys, 'task_id')).toBe('UPDATE steps SET lease_owner = ?, state = ?, version = ? WHERE id = ? AND version = ? RETURNING task_id');
    expect(checkedUpdateSql(STEPS, keys, null, 'x IS NULL')).toBe('UPDATE steps SET lease_owner = ?, state = ?, version = ? WHERE id = ? AND version = ? AND x IS NULL');
    expect(checkedUpdateSql(STEPS, keys, 'task_id', 'x IS NULL')).toBe(
      'UPDATE steps SET lease_owner = ?, state = ?, version = ? WHERE id = ? AND version = ? AND x IS NULL RETURNING task_id',
    );
    expect(patchColumns(STEPS, keys).map((c) => c.column)).toEqual(['lease_owner', 'state']);
    // A list made elsewhere (not patchKeys') with other keys gets its own statement.
    expect(updateSql(ATTEMPTS, ['output'], false)).toBe('UPDATE attempts SET output = ? WHERE id = ?');
    expect(updateSql(ATTEMPTS, ['logs', 'output'], false)).toBe('UPDATE attempts SET logs = ?, output = ? WHERE id = ?');
  });
});
