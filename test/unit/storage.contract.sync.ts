/**
 * Contract: `Storage.sync`, for storage that offers it (memory, SQLite). The same checks, refusals,
 * writes and answers as the asynchronous calls, at once; refusals thrown, not rejected; what a
 * commit is given is handed over, reads still copies; absent while the asynchronous methods
 * are intercepted. Storage without it (PostgreSQL) skips these.
 */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { Storage, SyncStorage } from '../../core/storage/storage.js';
import { attempt, completedEvent, task, transition, T0 } from '../fixtures/storage/records.js';
import type { ContractContext } from './storage.contract.js';

function thrown(fn: () => unknown, code: string): StepwiseError {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected a ${code} refusal`).toBeInstanceOf(StepwiseError);
  expect((err as StepwiseError).code).toBe(code);
  return err as StepwiseError;
}

export function syncContract(ctx: ContractContext): void {
  const syncOf = (s: Storage): SyncStorage | null => s.sync ?? null;

  describe('sync (synchronous calls, where offered)', () => {
    it('commits and reads as the asynchronous calls do, answering at once', async () => {
      const sync = syncOf(ctx.s);
      if (!sync) return;
      const r = sync.commit({ insertTasks: [task('t1', { kind: 'flow', data: { n: 1 } })], transitions: [transition('t1', null, null, 'running')], events: [completedEvent('t1', 'a')] });
      expect(r).not.toBeInstanceOf(Promise);
      expect(r.transitionSeqs).toHaveLength(1);
      expect(r.events.map((e) => e.seq)).toEqual([await ctx.s.lastEventSeq()]);
      expect(sync.lastEventSeq()).toBe(await ctx.s.lastEventSeq());
      expect(sync.getTask('t1')).toEqual(await ctx.s.getTask('t1'));
      expect(sync.getTask('nope')).toBeNull();
      sync.commit({ updateTasks: [{ id: 't1', expectedVersion: 1, set: { data: { n: 2 }, updatedAt: T0 + 1 } }], insertAttempts: [attempt('t1', 'a', 4)] });
      expect((await ctx.s.getTask('t1'))!).toMatchObject({ version: 2, data: { n: 2 }, updatedAt: T0 + 1 });
      expect(sync.maxAttemptNumber('t1', 'a')).toBe(4);
      expect(sync.maxAttemptNumber('t1', 'b')).toBe(0);
      expect(await ctx.s.maxAttemptNumber('t1', 'a')).toBe(4);
      expect((await ctx.s.listTransitions('t1')).map((t) => t.seq)).toEqual(r.transitionSeqs);
    });

    it('throws the same refusals and writes nothing', async () => {
      const sync = syncOf(ctx.s);
      if (!sync) return;
      await ctx.s.commit({ insertTasks: [task('t1')] });
      const seq = sync.lastEventSeq();
      thrown(() => sync.commit({ updateTasks: [{ id: 't1', expectedVersion: 7, set: { status: 'running' } }], events: [completedEvent('t1', 'a')] }), 'STALE');
      thrown(() => sync.commit({ insertTasks: [task('t1')], events: [completedEvent('t1', 'a')] }), 'DUPLICATE');
      thrown(() => sync.commit({ updateTasks: [{ id: 't1', expectedVersion: 1, set: { version: 3 } as never }] }), 'USAGE');
      expect(sync.lastEventSeq()).toBe(seq);
      expect((await ctx.s.getTask('t1'))!).toMatchObject({ version: 1, status: 'pending' });
    });

    it('keeps what a commit was given, and still hands out copies', async () => {
      const sync = syncOf(ctx.s);
      if (!sync) return;
      sync.commit({ insertTasks: [task('t1', { data: { deep: { v: 1 } } })] });
      const read = sync.getTask('t1')!;
      (read.data as { deep: { v: number } }).deep.v = 9;
      expect(sync.getTask('t1')!.data).toEqual({ deep: { v: 1 } });
      const data = { deep: { v: 2 } };
      const [event] = sync.commit({ updateTasks: [{ id: 't1', expectedVersion: 1, set: { data } }], events: [completedEvent('t1', 'a', { r: 1 })] }).events;
      // Read back as committed; what a reader gets is its own copy.
      const [stored] = await ctx.s.readEvents(event!.seq - 1);
      expect(stored!.payload).toEqual({ attempt: 1, results: { r: 1 } });
      (stored!.payload as unknown as { results: { r: number } }).results.r = 5;
      expect((await ctx.s.readEvents(event!.seq - 1))[0]!.payload).toEqual({ attempt: 1, results: { r: 1 } });
      expect((await ctx.s.getTask('t1'))!.data).toEqual({ deep: { v: 2 } });
    });

    it('is absent while commit or a read it answers is intercepted', async () => {
      if (!syncOf(ctx.s)) return;
      const s = ctx.s as unknown as Record<string, unknown>;
      for (const name of ['commit', 'getTask', 'maxAttemptNumber', 'lastEventSeq']) {
        const original = s[name] as (...a: unknown[]) => unknown;
        s[name] = (...a: unknown[]) => original.apply(ctx.s, a);
        expect(ctx.s.sync ?? null, `sync while ${name} is wrapped`).toBeNull();
        delete s[name];
        expect(ctx.s.sync).not.toBeNull();
      }
    });
  });
}
