/**
 * Contract: what the workbench's cluster view reads — heartbeats (with the engine's machine,
 * start, version and interval; pruning) and the holds of every engine (Storage.listHolds).
 */
import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../core/storage/storage.js';
import { step, task, T0 } from '../fixtures/storage/records.js';
import type { ContractContext } from './storage.contract.js';

const beat = (owner: string, over: Partial<Heartbeat> = {}): Heartbeat => ({
  owner,
  pid: 100,
  at: T0,
  kind: 'runner',
  host: 'node-1.internal',
  startedAt: T0 - 60_000,
  version: '1.2.3',
  everyMs: 5000,
  ...over,
});

export function clusterContract(ctx: ContractContext): void {
  describe('heartbeats', () => {
    it('keeps one heartbeat per owner with every field, sorted by owner, and removes them', async () => {
      await ctx.s.beat(beat('runner-b', { pid: 2 }));
      await ctx.s.beat(beat('host-a', { pid: 1, kind: 'host', host: 'laptop', version: '2.0.0-beta.1', everyMs: 250 }));
      await ctx.s.beat(beat('runner-b', { pid: 3, at: T0 + 5, host: 'node-2', startedAt: T0 }));
      expect(await ctx.s.heartbeats()).toEqual([
        beat('host-a', { pid: 1, kind: 'host', host: 'laptop', version: '2.0.0-beta.1', everyMs: 250 }),
        beat('runner-b', { pid: 3, at: T0 + 5, host: 'node-2', startedAt: T0 }),
      ]);
      await ctx.s.removeHeartbeat('host-a');
      await ctx.s.removeHeartbeat('never-there');
      expect((await ctx.s.heartbeats()).map((h) => h.owner)).toEqual(['runner-b']);
    });

    it('prunes heartbeats last written before a time, and only those', async () => {
      await ctx.s.beat(beat('old', { at: T0 - 1 }));
      await ctx.s.beat(beat('edge', { at: T0 }));
      await ctx.s.beat(beat('new', { at: T0 + 1 }));
      expect(await ctx.s.pruneHeartbeats(T0)).toBe(1);
      expect((await ctx.s.heartbeats()).map((h) => h.owner)).toEqual(['edge', 'new']);
      expect(await ctx.s.pruneHeartbeats(T0)).toBe(0);
    });
  });

  describe('holds', () => {
    it('lists running steps by lease owner, flows under a lease, and live reservations', async () => {
      const far = Date.now() + 600_000;
      await ctx.s.commit({
        insertTasks: [
          task('w1'),
          task('w2', { templateRef: 'shop/refund@2.0.0' }),
          task('f1', { kind: 'flow', templateRef: 'acct/onboard@1.0.0', currentState: 'send_welcome', leaseOwner: 'eng-a', leaseExpiresAt: T0 + 30_000 }),
          task('f2', { kind: 'flow', currentState: 'wait_here' }),
        ],
        insertSteps: [
          step('w1', 'b', { state: 'running', leaseOwner: 'eng-b', leaseExpiresAt: T0 + 1 }),
          step('w1', 'a', { state: 'running', leaseOwner: 'eng-b', leaseExpiresAt: T0 + 2 }),
          step('w2', 'a', { state: 'running', leaseOwner: 'eng-a', leaseExpiresAt: null }),
          step('w2', 'z', { state: 'ready' }),
          step('w2', 'done', { state: 'complete', leaseOwner: 'eng-a' }),
        ],
      });
      await ctx.s.reserveTasks('eng-a', { limit: 1, ttlMs: 600_000, now: Date.now() });
      const holds = await ctx.s.listHolds(Date.now());
      expect(holds.steps).toEqual([
        { taskId: 'w2', templateRef: 'shop/refund@2.0.0', stepName: 'a', owner: 'eng-a', leaseExpiresAt: null },
        { taskId: 'w1', templateRef: 'shop/order@1.0.0', stepName: 'a', owner: 'eng-b', leaseExpiresAt: T0 + 2 },
        { taskId: 'w1', templateRef: 'shop/order@1.0.0', stepName: 'b', owner: 'eng-b', leaseExpiresAt: T0 + 1 },
      ]);
      expect(holds.flows).toEqual([{ taskId: 'f1', templateRef: 'acct/onboard@1.0.0', state: 'send_welcome', owner: 'eng-a', leaseExpiresAt: T0 + 30_000 }]);
      expect(holds.reservations).toHaveLength(1);
      expect(holds.reservations[0]).toMatchObject({ taskId: 'w2', templateRef: 'shop/refund@2.0.0', owner: 'eng-a' });
      expect(holds.reservations[0]!.expiresAt).toBeGreaterThan(Date.now());
      expect(holds.reservations[0]!.expiresAt).toBeLessThanOrEqual(far + 5000);
    });

    it('leaves out expired reservations and released ones, and honours the limit', async () => {
      await ctx.s.commit({
        insertTasks: [task('t1'), task('t2')],
        insertSteps: [
          step('t1', 'a', { state: 'ready' }),
          step('t2', 'a', { state: 'ready' }),
          step('t2', 'b', { state: 'running', leaseOwner: 'x', leaseExpiresAt: T0 }),
          step('t2', 'c', { state: 'running', leaseOwner: 'y', leaseExpiresAt: T0 }),
        ],
      });
      await ctx.s.reserveTasks('short', { limit: 1, ttlMs: 1, now: Date.now() });
      await ctx.s.reserveTasks('long', { limit: 1, ttlMs: 600_000, now: Date.now() });
      await new Promise((r) => setTimeout(r, 20));
      expect((await ctx.s.listHolds(Date.now())).reservations.map((r) => r.owner)).toEqual(['long']);
      await ctx.s.releaseTasks('long');
      expect((await ctx.s.listHolds(Date.now())).reservations).toEqual([]);
      expect((await ctx.s.listHolds(Date.now(), 1)).steps.map((s) => s.owner)).toEqual(['x']);
    });

    it('filters by owner and by a part of the task id (case-insensitive), on every kind of hold', async () => {
      await ctx.s.commit({
        insertTasks: [task('order-AB12'), task('order-cd34'), task('flow-ab99', { kind: 'flow', currentState: 'act', leaseOwner: 'y', leaseExpiresAt: T0 + 30_000 })],
        insertSteps: [
          step('order-AB12', 'a', { state: 'running', leaseOwner: 'x', leaseExpiresAt: T0 }),
          step('order-AB12', 'b', { state: 'running', leaseOwner: 'y', leaseExpiresAt: T0 }),
          step('order-cd34', 'a', { state: 'running', leaseOwner: 'x', leaseExpiresAt: T0 }),
          step('order-cd34', 'r', { state: 'ready' }),
        ],
      });
      await ctx.s.reserveTasks('x', { limit: 1, ttlMs: 600_000, now: Date.now() });
      const keys = (h: Awaited<ReturnType<typeof ctx.s.listHolds>>) => [
        ...h.steps.map((s) => `step ${s.owner} ${s.taskId}/${s.stepName}`),
        ...h.flows.map((f) => `flow ${f.owner} ${f.taskId}`),
        ...h.reservations.map((r) => `reserved ${r.owner} ${r.taskId}`),
      ];
      expect(keys(await ctx.s.listHolds(Date.now(), 200, { owner: 'x' }))).toEqual(['step x order-AB12/a', 'step x order-cd34/a', 'reserved x order-cd34']);
      expect(keys(await ctx.s.listHolds(Date.now(), 200, { taskId: 'ab' }))).toEqual(['step x order-AB12/a', 'step y order-AB12/b', 'flow y flow-ab99']);
      expect(keys(await ctx.s.listHolds(Date.now(), 200, { owner: 'y', taskId: 'AB1' }))).toEqual(['step y order-AB12/b']);
      expect(keys(await ctx.s.listHolds(Date.now(), 200, { owner: 'nobody' }))).toEqual([]);
      // A search is text, not a pattern.
      expect(keys(await ctx.s.listHolds(Date.now(), 200, { taskId: '%' }))).toEqual([]);
    });
  });
}
