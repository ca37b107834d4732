/**
 * Contract: what is stored comes back exactly — JSON as written (key order, `\u0000`), ids ordered
 * byte by byte, records in insertion order whatever their ids or later updates. Each of these
 * fails on a plausible PostgreSQL schema (jsonb, a locale collation, ORDER BY id or physical order).
 */
import { describe, expect, it } from 'vitest';
import { attempt, completedEvent, step, task, transition, T0 } from '../fixtures/storage/records.js';
import { settle, type ContractContext } from './storage.contract.js';

/** Keys in an order jsonb would change (it sorts by length, then bytes), and a NUL in a string. */
const TRICKY = JSON.parse('{"zeta": 1, "b": {"yy": true, "a": null}, "aa": ["\\u0000", "é", "\\ud83d\\ude00"], "a": 0.1, "big": 1e21, "neg": -5.5}');

function keysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysDeep);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, keysDeep(v)]);
  return value;
}

/** Byte-wise (UTF-8) descending, the order of `listTasks` ties. */
function bytewiseDesc(ids: string[]): string[] {
  return [...ids].sort((a, b) => Buffer.compare(Buffer.from(b, 'utf8'), Buffer.from(a, 'utf8')));
}

export function fidelityContract(ctx: ContractContext): void {
  describe('fidelity', () => {
    it('keeps JSON exactly as given: key order, NUL characters, non-ASCII, numbers', async () => {
      await ctx.s.commit({
        insertTasks: [task('t1', { input: TRICKY, data: { list: [TRICKY] }, result: TRICKY })],
        insertSteps: [step('t1', 'a', { results: TRICKY, batch: [TRICKY] })],
        insertAttempts: [attempt('t1', 'a', 1, { output: TRICKY, logs: [{ at: T0, level: 'info', message: 'm\u0000', fields: TRICKY }] })],
        transitions: [transition('t1', 'a', 'pending', 'ready', { details: TRICKY })],
        events: [completedEvent('t1', 'a', TRICKY)],
      });
      await ctx.s.commit({ updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { error: { class: 'E', message: 'x\u0000y', details: TRICKY } as never } }] });
      const t = (await ctx.s.getTask('t1'))!;
      const s = (await ctx.s.getStep('t1', 'a'))!;
      const a = (await ctx.s.listAttempts('t1'))[0]!;
      const tr = (await ctx.s.listTransitions('t1'))[0]!;
      const ev = (await ctx.s.readEvents(0, undefined, { taskId: 't1' }))[0]!;
      for (const got of [t.input, (t.data as { list: unknown[] }).list[0], t.result, s.results, (s.batch as unknown[])[0], a.output, a.logs[0]!.fields, tr.details, (ev.payload as { results: unknown }).results]) {
        expect(keysDeep(got)).toEqual(keysDeep(TRICKY));
      }
      expect(a.logs[0]!.message).toBe('m\u0000');
      expect(s.error).toEqual({ class: 'E', message: 'x\u0000y', details: TRICKY });
      expect(keysDeep((s.error as unknown as { details: unknown }).details)).toEqual(keysDeep(TRICKY));
    });

    it('orders ids byte by byte, not by a locale: list ties, ready tasks, due and expired records', async () => {
      const ids = ['a', 'B', 'b', 'Z', '_', 'é', 'a-b', 'a_b', 'ab', 'A'];
      await ctx.s.commit({
        insertTasks: ids.map((id) => task(id, { status: 'complete', deleteAt: T0 })),
        insertSteps: ids.map((id) => step(id, 's', { id: `${id}:s`, state: 'waiting_for_retry', retryAt: T0 })),
      });
      expect((await ctx.s.listTasks({ limit: 100 })).tasks.map((t) => t.id)).toEqual(bytewiseDesc(ids));
      const asc = bytewiseDesc(ids).reverse();
      expect(await ctx.s.expiredTasks(T0 + 1, 100)).toEqual(asc);
      expect((await ctx.s.dueSteps(T0 + 1, 100)).map((s) => s.id)).toEqual(bytewiseDesc(ids.map((id) => `${id}:s`)).reverse());
      await ctx.s.commit({ updateSteps: ids.map((id) => ({ id: `${id}:s`, expectedVersion: 1, set: { state: 'ready' as const, updatedAt: T0 } })) });
      expect(await ctx.s.tasksWithReadySteps(100)).toEqual(asc);
    });

    it('returns steps and attempts in insertion order, whatever their ids, names or later updates', async () => {
      // Ids and names both sort opposite to insertion order; updates rewrite rows (PostgreSQL moves them).
      await ctx.s.commit({ insertTasks: [task('t1'), task('t2')], insertSteps: [step('t1', 'z', { id: 'id-9' }), step('t1', 'y', { id: 'id-5' })] });
      await ctx.s.commit({ insertSteps: [step('t2', 'x', { id: 'id-3' }), step('t1', 'w', { id: 'id-1' })] });
      for (let v = 1; v <= 3; v++) await ctx.s.commit({ updateSteps: [{ id: 'id-9', expectedVersion: v, set: { attempts: v } }] });
      expect((await ctx.s.getSteps('t1')).map((s) => s.name)).toEqual(['z', 'y', 'w']);
      expect((await ctx.s.getStepsOfTasks(['t2', 't1'])).map((s) => s.name)).toEqual(['z', 'y', 'x', 'w']);

      await ctx.s.commit({ insertAttempts: [attempt('t1', 'z', 2, { id: 'at-9' }), attempt('t1', 'z', 1, { id: 'at-1' })] });
      await ctx.s.commit({ insertAttempts: [attempt('t2', 'x', 1, { id: 'at-0' })] });
      await ctx.s.commit({ updateAttempts: [{ id: 'at-9', set: { outcome: 'error', finishedAt: T0 + 1 } }] });
      expect((await ctx.s.listAttempts('t1')).map((a) => a.id)).toEqual(['at-9', 'at-1']);
      expect((await ctx.s.listAttempts('t1', 'z')).map((a) => a.id)).toEqual(['at-9', 'at-1']);
      expect((await ctx.s.listAttemptsOfTasks(['t2', 't1'])).map((a) => a.id)).toEqual(['at-9', 'at-1', 'at-0']);
    });

    it('an attempt inserted and patched in one commit is stored patched', async () => {
      await ctx.s.commit({ insertTasks: [task('t1')] });
      await ctx.s.commit({
        insertAttempts: [attempt('t1', 'a', 1)],
        updateAttempts: [{ id: 't1:a:1', set: { outcome: 'success', finishedAt: T0 + 2, durationMs: 2 } }],
      });
      expect(await ctx.s.listAttempts('t1')).toEqual([attempt('t1', 'a', 1, { outcome: 'success', finishedAt: T0 + 2, durationMs: 2 })]);
    });

    it('event seqs of one task increase across commits and a global read returns them in order', async () => {
      await ctx.s.commit({ insertTasks: [task('t1'), task('t2')] });
      const seqs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await ctx.s.commit({ events: [completedEvent(i % 2 ? 't1' : 't2', 'a'), completedEvent('t1', 'b')] });
        seqs.push(...r.events.map((e) => e.seq));
      }
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
      await settle(ctx.s);
      expect((await ctx.s.readEvents(0)).map((e) => e.seq)).toEqual(seqs);
      expect(await ctx.s.lastEventSeq()).toBe(seqs.at(-1));
    });
  });
}
