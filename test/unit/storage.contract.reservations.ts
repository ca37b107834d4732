/**
 * Contract: task reservations (Storage.reserveTasks / releaseTasks). Times are real (Date.now())
 * because PostgreSQL measures reservations on the database's clock, not on `now`.
 */
import { describe, expect, it } from 'vitest';
import { step, task, T0 } from '../fixtures/storage/records.js';
import type { ContractContext } from './storage.contract.js';

const TTL = 60_000;

export function reservationContract(ctx: ContractContext): void {
  describe('reservations', () => {
    const seed = async (n: number) => {
      const ids = Array.from({ length: n }, (_, i) => `t${i}`);
      await ctx.s.commit({
        insertTasks: ids.map((id) => task(id)),
        // t0 waited longest, then t1, …
        insertSteps: ids.map((id, i) => step(id, 'a', { state: 'ready', updatedAt: T0 + i })),
      });
      return ids;
    };
    const reserve = (owner: string, limit: number, extra: { renew?: string[]; ttlMs?: number } = {}) =>
      ctx.s.reserveTasks(owner, { limit, ttlMs: extra.ttlMs ?? TTL, now: Date.now(), ...(extra.renew ? { renew: extra.renew } : {}) });

    it('reserves tasks with ready steps, longest-waiting first, up to the limit; others get the rest', async () => {
      await seed(5);
      expect(await reserve('a', 2)).toEqual(['t0', 't1']);
      expect(await reserve('b', 2)).toEqual(['t2', 't3']);
      // Its own reservations come back to their owner (renewed), never to another engine.
      expect(await reserve('a', 10)).toEqual(['t0', 't1', 't4']);
      expect(await reserve('c', 10)).toEqual([]);
      expect(await reserve('b', 10)).toEqual(['t2', 't3']);
    });

    it('skips tasks without ready steps and paused tasks', async () => {
      await ctx.s.commit({
        insertTasks: [task('run'), task('paused', { debug: { paused: true, breakpoints: [] } }), task('ok')],
        insertSteps: [step('run', 'a', { state: 'running' }), step('paused', 'a', { state: 'ready' }), step('ok', 'a', { state: 'ready' })],
      });
      expect(await reserve('a', 10)).toEqual(['ok']);
    });

    it('renews (or takes) the tasks an owner runs steps of, keeping others off them once steps get ready', async () => {
      await ctx.s.commit({ insertTasks: [task('busy'), task('free')], insertSteps: [step('busy', 'a', { state: 'running' }), step('free', 'a', { state: 'running' })] });
      expect(await reserve('a', 10, { renew: ['busy', 'no-such-task'] })).toEqual([]);
      await ctx.s.commit({
        updateSteps: [
          { id: 'busy:a', expectedVersion: 1, set: { state: 'ready' } },
          { id: 'free:a', expectedVersion: 1, set: { state: 'ready' } },
        ],
      });
      expect(await reserve('b', 10)).toEqual(['free']);
      expect(await reserve('a', 10)).toEqual(['busy']);
      // Renewing a task another owner holds does not take it.
      expect(await reserve('a', 10, { renew: ['free'] })).toEqual(['busy']);
      expect(await reserve('b', 10)).toEqual(['free']);
    });

    it('takes the named tasks (flows with work, no ready step) when nobody else holds them, after the ready ones', async () => {
      await ctx.s.commit({ insertTasks: [task('r'), task('f1'), task('f2')], insertSteps: [step('r', 'a', { state: 'ready' })] });
      const take = (owner: string, ids: string[], limit = 0) => ctx.s.reserveTasks(owner, { limit, ttlMs: TTL, now: Date.now(), take: ids });
      expect(await take('a', ['f1', 'no-such-task'], 10)).toEqual(['r', 'f1']);
      // Held by a: b gets the free one only; a gets its own back (renewed).
      expect(await take('b', ['f2', 'f1', 'r'])).toEqual(['f2']);
      expect(await take('a', ['f1', 'f2'])).toEqual(['f1']);
      await ctx.s.releaseTasks('b');
      expect(await take('a', ['f2'])).toEqual(['f2']);
    });

    it('lets another owner take a reservation once it expired', async () => {
      await seed(1);
      expect(await reserve('a', 1, { ttlMs: 150 })).toEqual(['t0']);
      expect(await reserve('b', 1)).toEqual([]);
      await new Promise((r) => setTimeout(r, 400));
      expect(await reserve('b', 1)).toEqual(['t0']);
      expect(await reserve('a', 1)).toEqual([]);
    });

    it('releases the named reservations, or all of an owner, never another owner’s', async () => {
      await seed(3);
      expect(await reserve('a', 2)).toEqual(['t0', 't1']);
      expect(await reserve('b', 1)).toEqual(['t2']);
      await ctx.s.releaseTasks('a', ['t1']);
      await ctx.s.releaseTasks('a', ['t2']);
      expect(await reserve('c', 10)).toEqual(['t1']);
      await ctx.s.releaseTasks('b');
      await ctx.s.releaseTasks('c');
      expect(await reserve('d', 10)).toEqual(['t1', 't2']);
    });

    it('ends every reservation of a task with the commit that finishes it, and never renews or takes a finished task', async () => {
      const ids = ['f1', 'f2', 'f3', 'live'];
      await ctx.s.commit({ insertTasks: ids.map((id) => task(id)), insertSteps: ids.map((id, i) => step(id, 'a', { state: 'ready', updatedAt: T0 + i })) });
      expect(await reserve('a', 2)).toEqual(['f1', 'f2']);
      expect(await reserve('b', 2)).toEqual(['f3', 'live']);
      const held = async () => (await ctx.s.listHolds(Date.now())).reservations.map((r) => `${r.owner} ${r.taskId}`);
      const finish = (id: string, status: 'complete' | 'error' | 'cancelled') =>
        ctx.s.commit({ updateTasks: [{ id, expectedVersion: 2, set: { status } }], updateSteps: [{ id: `${id}:a`, expectedVersion: 1, set: { state: status === 'cancelled' ? 'cancelled' : 'complete' } }] });
      // An unfinished status keeps it; each finished one ends it, the owner's or (an operator's cancel) not.
      await ctx.s.commit({ updateTasks: ['f1', 'f2', 'f3'].map((id) => ({ id, expectedVersion: 1, set: { status: 'running' as const } })) });
      expect(await held()).toEqual(['a f1', 'a f2', 'b f3', 'b live']);
      await finish('f1', 'complete');
      await finish('f2', 'error');
      await finish('f3', 'cancelled');
      expect(await held()).toEqual(['b live']);
      // The engine that ran them renews or takes them no more.
      expect(await ctx.s.reserveTasks('a', { limit: 0, ttlMs: TTL, now: Date.now(), renew: ['f1', 'f2'], take: ['f3'] })).toEqual([]);
      expect(await held()).toEqual(['b live']);
    });

    it('forgets reservations of deleted tasks', async () => {
      await seed(1);
      expect(await reserve('a', 1)).toEqual(['t0']);
      await ctx.s.commit({ deleteTasks: ['t0'] });
      await seed(1);
      expect(await reserve('b', 1)).toEqual(['t0']);
    });

    it('gives owners reserving at the same moment disjoint tasks', async () => {
      await seed(12);
      const owners = ['a', 'b', 'c', 'd'];
      const got = await Promise.all(owners.map((o) => reserve(o, 3)));
      const all = got.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBeGreaterThan(0);
      // Whatever each got, nobody else can reserve it now.
      for (const [i, o] of owners.entries()) expect(await reserve(o, 12)).toEqual(expect.arrayContaining(got[i]!));
      const again = (await Promise.all(owners.map((o) => reserve(o, 12)))).flat();
      expect(new Set(again).size).toBe(again.length);
      expect(again.length).toBe(12);
    });
  });
}
