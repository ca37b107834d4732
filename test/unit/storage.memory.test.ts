import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../core/storage/memory.js';
import { storageContract } from './storage.contract.js';
import { task } from '../fixtures/storage/records.js';

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
});
