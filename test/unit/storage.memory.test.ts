import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../core/storage/memory.js';
import { storageContract } from './storage.contract.js';
import { task, transition } from '../fixtures/storage/records.js';

storageContract('memory', async () => new MemoryStorage());

describe('MemoryStorage copies', () => {
  it('keeps a JSON "__proto__" key as data and shares no nested object with callers', async () => {
    const s = new MemoryStorage();
    const data = JSON.parse('{"__proto__": {"polluted": true}, "list": [{"n": 1}, null, "x"], "u": null}') as Record<string, unknown>;
    const t = task('t1', { data } as never);
    await s.commit({ insertTasks: [t] });
    (data.list as Array<{ n: number }>)[0]!.n = 2;
    const read = (await s.getTask('t1'))!;
    const stored = read.data as Record<string, unknown>;
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(Object.keys(stored)).toEqual(['__proto__', 'list', 'u']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(stored.list).toEqual([{ n: 1 }, null, 'x']);
    (stored.list as Array<{ n: number }>)[0]!.n = 3;
    expect(((await s.getTask('t1'))!.data as { list: Array<{ n: number }> }).list[0]!.n).toBe(1);
  });

  it('a patched task and the transitions of a commit stay as committed whatever the caller does with what it passed or got back', async () => {
    const s = new MemoryStorage();
    await s.commit({ insertTasks: [task('t1')] });
    const data = { profile: { email: 'a@example.com' }, tags: ['x'] };
    const details = { conditions: { ok: true } };
    await s.commit({ updateTasks: [{ id: 't1', expectedVersion: 1, set: { data } }], transitions: [transition('t1', null, 'a', 'b', { details })] });
    data.profile.email = 'changed';
    data.tags.push('y');
    details.conditions.ok = false;
    const got = (await s.getTask('t1'))!;
    (got.data as typeof data).profile.email = 'mutated';
    const [moved] = await s.listTransitions('t1');
    (moved!.details as typeof details).conditions.ok = false;
    expect((await s.getTask('t1'))!.data).toEqual({ profile: { email: 'a@example.com' }, tags: ['x'] });
    expect((await s.listTransitions('t1'))[0]!.details).toEqual({ conditions: { ok: true } });
    expect((await s.listTransitions('t1'))[0]!.seq).toBe(1);
  });
});
