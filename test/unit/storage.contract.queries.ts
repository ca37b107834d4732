/** Contract: list/pagination filters, scheduling queries, concurrency count, heartbeats. */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import { step, task, T0 } from '../fixtures/storage/records.js';
import type { ContractContext } from './storage.contract.js';

export function queryContract(ctx: ContractContext): void {
  describe('listTasks', () => {
    const seedTasks = async (): Promise<void> => {
      await ctx.s.commit({
        insertTasks: [
          task('a', { createdAt: T0 + 1, status: 'running', participants: ['order:1'] }),
          task('b', { createdAt: T0 + 2, status: 'complete', templateRef: 'shop/refund@1', name: 'refund' }),
          task('c', { createdAt: T0 + 2, status: 'error', parentTaskId: 'a', participants: ['order:1', 'user:2'] }),
          task('d', { createdAt: T0 + 3, kind: 'flow', status: 'waiting', namespace: 'crm', name: 'lead', templateRef: 'crm/lead@1' }),
          task('e', { createdAt: T0 + 4, status: 'running', parentTaskId: 'a' }),
        ],
      });
    };
    const ids = async (q: Parameters<ContractContext['s']['listTasks']>[0]) => (await ctx.s.listTasks(q)).tasks.map((t) => t.id);

    it('lists newest first (ties by id descending) with a total', async () => {
      await seedTasks();
      const page = await ctx.s.listTasks();
      expect(page.tasks.map((t) => t.id)).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(page.total).toBe(5);
      expect(page.nextCursor).toBeNull();
    });

    it('filters by status, kind, namespace, name, template, parent and participant', async () => {
      await seedTasks();
      expect(await ids({ status: 'running' })).toEqual(['e', 'a']);
      expect(await ids({ status: ['error', 'complete'] })).toEqual(['c', 'b']);
      expect(await ids({ status: [] })).toEqual([]);
      expect(await ids({ kind: 'flow' })).toEqual(['d']);
      expect(await ids({ namespace: 'crm' })).toEqual(['d']);
      expect(await ids({ name: 'refund' })).toEqual(['b']);
      expect(await ids({ templateRef: 'shop/order@1.0.0' })).toEqual(['e', 'c', 'a']);
      expect(await ids({ parentTaskId: 'a' })).toEqual(['e', 'c']);
      expect(await ids({ participant: 'order:1' })).toEqual(['c', 'a']);
      expect(await ids({ participant: 'order:1', status: 'running' })).toEqual(['a']);
      expect((await ctx.s.listTasks({ parentTaskId: 'a', limit: 1 })).total).toBe(2);
    });

    it('follows a participant change made by a patch', async () => {
      await seedTasks();
      await ctx.s.commit({ updateTasks: [{ id: 'a', expectedVersion: 1, set: { participants: ['user:2'] } }] });
      expect(await ids({ participant: 'order:1' })).toEqual(['c']);
      expect(await ids({ participant: 'user:2' })).toEqual(['c', 'a']);
    });

    it('pages with keyset cursors without skipping or repeating, even across createdAt ties', async () => {
      await seedTasks();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await ctx.s.listTasks({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.total).toBe(5);
        seen.push(...page.tasks.map((t) => t.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(seen).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(pages).toBe(3);
      // A task inserted after paging started, newer than the cursor, does not shift later pages.
      const first = await ctx.s.listTasks({ limit: 2 });
      await ctx.s.commit({ insertTasks: [task('z', { createdAt: T0 + 10 })] });
      expect(await ids({ limit: 2, cursor: first.nextCursor! })).toEqual(['c', 'b']);
    });

    it('refuses a cursor it did not issue and a negative limit', async () => {
      for (const q of [{ cursor: 'garbage' }, { limit: -1 }]) {
        const err = await ctx.s.listTasks(q).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StepwiseError);
        expect((err as StepwiseError).code).toBe('USAGE');
      }
    });
  });

  describe('scheduling queries', () => {
    it('tasksWithReadySteps: tasks with a ready step, longest-waiting first, limited', async () => {
      await ctx.s.commit({
        insertTasks: [task('t1'), task('t2'), task('t3'), task('t4')],
        insertSteps: [
          step('t1', 'a', { state: 'ready', updatedAt: T0 + 5 }),
          step('t1', 'b', { state: 'ready', updatedAt: T0 + 1 }),
          step('t2', 'a', { state: 'ready', updatedAt: T0 + 3 }),
          step('t3', 'a', { state: 'running' }),
          step('t4', 'a', { state: 'ready', updatedAt: T0 + 1 }),
        ],
      });
      expect(await ctx.s.tasksWithReadySteps()).toEqual(['t1', 't4', 't2']);
      expect(await ctx.s.tasksWithReadySteps(2)).toEqual(['t1', 't4']);
    });

    it('dueSteps: retries and waits whose time has come, earliest first', async () => {
      await ctx.s.commit({
        insertTasks: [task('t1')],
        insertSteps: [
          step('t1', 'retry-due', { state: 'waiting_for_retry', retryAt: T0 + 10 }),
          step('t1', 'retry-later', { state: 'waiting_for_retry', retryAt: T0 + 100 }),
          step('t1', 'wait-due', { state: 'waiting', wakeAt: T0 + 5 }),
          step('t1', 'wait-no-time', { state: 'waiting', wakeAt: null }),
          step('t1', 'wait-exact', { state: 'waiting', wakeAt: T0 + 20 }),
          step('t1', 'ready-with-retryAt', { state: 'ready', retryAt: T0 }),
        ],
      });
      expect((await ctx.s.dueSteps(T0 + 20)).map((s) => s.name)).toEqual(['wait-due', 'retry-due', 'wait-exact']);
      expect((await ctx.s.dueSteps(T0 + 20, 1)).map((s) => s.name)).toEqual(['wait-due']);
      expect(await ctx.s.dueSteps(T0)).toEqual([]);
    });

    it('expiredLeases: running steps whose lease ran out', async () => {
      await ctx.s.commit({
        insertTasks: [task('t1')],
        insertSteps: [
          step('t1', 'dead', { state: 'running', leaseOwner: 'e1', leaseExpiresAt: T0 + 10 }),
          step('t1', 'dead-earlier', { state: 'running', leaseOwner: 'e1', leaseExpiresAt: T0 + 1 }),
          step('t1', 'alive', { state: 'running', leaseOwner: 'e2', leaseExpiresAt: T0 + 1000 }),
          step('t1', 'done', { state: 'complete', leaseExpiresAt: T0 }),
        ],
      });
      const expired = await ctx.s.expiredLeases(T0 + 10);
      expect(expired.map((s) => s.name)).toEqual(['dead-earlier', 'dead']);
      expect(expired[0]!.leaseOwner).toBe('e1');
    });

    it('expiredTaskLeases: unfinished tasks (flows running an action) whose lease ran out', async () => {
      await ctx.s.commit({
        insertTasks: [
          task('dead', { kind: 'flow', status: 'running', leaseOwner: 'e1', leaseExpiresAt: T0 + 10, stateAttempts: 2 }),
          task('dead-earlier', { kind: 'flow', status: 'running', leaseOwner: 'e1', leaseExpiresAt: T0 + 1 }),
          task('alive', { kind: 'flow', status: 'running', leaseOwner: 'e2', leaseExpiresAt: T0 + 1000 }),
          task('finished', { kind: 'flow', status: 'complete', leaseOwner: 'e1', leaseExpiresAt: T0 }),
          task('no-lease', { kind: 'flow', status: 'running' }),
        ],
      });
      const expired = await ctx.s.expiredTaskLeases(T0 + 10);
      expect(expired.map((t) => t.id)).toEqual(['dead-earlier', 'dead']);
      expect(expired[1]).toMatchObject({ leaseOwner: 'e1', leaseExpiresAt: T0 + 10, stateAttempts: 2 });
      expect((await ctx.s.expiredTaskLeases(T0 + 10, 1)).map((t) => t.id)).toEqual(['dead-earlier']);
      // Patching the lease is an ordinary task patch.
      await ctx.s.commit({ updateTasks: [{ id: 'dead', expectedVersion: 1, set: { leaseOwner: null, leaseExpiresAt: null, stateAttempts: 0 } }] });
      expect((await ctx.s.expiredTaskLeases(T0 + 10)).map((t) => t.id)).toEqual(['dead-earlier']);
      expect(await ctx.s.getTask('dead')).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, stateAttempts: 0, version: 2 });
    });

    it('dueTasks: waiting tasks to wake and unfinished tasks past their timeout', async () => {
      await ctx.s.commit({
        insertTasks: [
          task('wake', { kind: 'flow', status: 'waiting', wakeAt: T0 + 5 }),
          task('wake-later', { kind: 'flow', status: 'waiting', wakeAt: T0 + 50 }),
          task('timeout', { status: 'running', timeoutAt: T0 + 3 }),
          task('z-both', { kind: 'flow', status: 'waiting', wakeAt: T0 + 9, timeoutAt: T0 + 2 }),
          task('finished', { status: 'complete', timeoutAt: T0 + 1 }),
          task('active-with-wake', { kind: 'flow', status: 'running', wakeAt: T0 + 1 }),
        ],
      });
      expect((await ctx.s.dueTasks(T0 + 10)).map((t) => t.id)).toEqual(['z-both', 'timeout', 'wake']);
      expect((await ctx.s.dueTasks(T0 + 10, 2)).map((t) => t.id)).toEqual(['z-both', 'timeout']);
    });

    it('expiredTasks: finished tasks past deleteAt', async () => {
      await ctx.s.commit({
        insertTasks: [
          task('old', { status: 'complete', deleteAt: T0 + 5 }),
          task('older', { kind: 'flow', status: 'error', deleteAt: T0 + 1 }),
          task('young', { status: 'complete', deleteAt: T0 + 500 }),
          task('running', { status: 'running', deleteAt: T0 }),
        ],
      });
      expect(await ctx.s.expiredTasks(T0 + 10)).toEqual(['older', 'old']);
    });

    it('counts running steps per concurrency key across tasks', async () => {
      await ctx.s.commit({
        insertTasks: [task('t1'), task('t2')],
        insertSteps: [
          step('t1', 'a', { state: 'running', concurrencyKey: 'api' }),
          step('t2', 'a', { state: 'running', concurrencyKey: 'api' }),
          step('t2', 'b', { state: 'ready', concurrencyKey: 'api' }),
          step('t2', 'c', { state: 'running', concurrencyKey: 'db' }),
        ],
      });
      expect(await ctx.s.countRunningWithConcurrencyKey('api')).toBe(2);
      expect(await ctx.s.countRunningWithConcurrencyKey('none')).toBe(0);
      await ctx.s.commit({ updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { state: 'complete' } }] });
      expect(await ctx.s.countRunningWithConcurrencyKey('api')).toBe(1);
    });
  });
}
