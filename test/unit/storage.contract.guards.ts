/** Contract: concurrency guards (ChangeSet.concurrencyGuards) are checked inside the commit. */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { readyEvent, step, task, transition } from '../fixtures/storage/records.js';
import { settle, type ContractContext } from './storage.contract.js';

async function refusal(p: Promise<unknown>): Promise<StepwiseError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepwiseError);
  return err as StepwiseError;
}

export function guardContract(ctx: ContractContext): void {
  describe('concurrency guards', () => {
    /** t1: a running with key k, b ready with k, x ready with key other; t2: c ready with k. */
    const seed = async (): Promise<void> => {
      await ctx.s.commit({
        insertTasks: [task('t1'), task('t2')],
        insertSteps: [
          step('t1', 'a', { state: 'running', concurrencyKey: 'k' }),
          step('t1', 'b', { state: 'ready', concurrencyKey: 'k' }),
          step('t1', 'x', { state: 'ready', concurrencyKey: 'other' }),
          step('t2', 'c', { state: 'ready', concurrencyKey: 'k' }),
        ],
      });
    };
    const start = (taskId: string, name: string, limit: number, extra: ChangeSet = {}): ChangeSet => ({
      updateSteps: [{ id: `${taskId}:${name}`, expectedVersion: 1, set: { state: 'running' } }, ...(extra.updateSteps ?? [])],
      transitions: [transition(taskId, name, 'ready', 'running')],
      events: [readyEvent(taskId, name)],
      concurrencyGuards: [{ key: 'k', limit }],
    });

    it('lets a claim take a free slot, and refuses the one over the limit with CONCURRENCY_LIMIT, writing nothing', async () => {
      await seed();
      await ctx.s.commit(start('t1', 'b', 2));
      expect(await ctx.s.countRunningWithConcurrencyKey('k')).toBe(2);

      await settle(ctx.s);
      const before = { task: await ctx.s.getTask('t2'), steps: await ctx.s.getSteps('t2'), seq: await ctx.s.lastEventSeq() };
      const err = await refusal(ctx.s.commit(start('t2', 'c', 2)));
      expect(err.code).toBe('CONCURRENCY_LIMIT');
      expect(err.details).toEqual({ key: 'k', limit: 2, running: 2 });
      expect(err.message).toContain("'k'");
      expect(await ctx.s.getTask('t2')).toEqual(before.task);
      expect(await ctx.s.getSteps('t2')).toEqual(before.steps);
      expect(await ctx.s.listTransitions('t2')).toEqual([]);
      expect(await ctx.s.lastEventSeq()).toBe(before.seq);
      expect(await ctx.s.countRunningWithConcurrencyKey('k')).toBe(2);
      // A higher limit lets the same commit through, numbered after the last event (seqs may have gaps).
      const ok = await ctx.s.commit(start('t2', 'c', 3));
      expect(ok.events[0]!.seq).toBeGreaterThan(before.seq);
      expect(await ctx.s.countRunningWithConcurrencyKey('k')).toBe(3);
    });

    it('counts what the commit itself frees and starts: finishing one and starting one at the limit passes', async () => {
      await seed();
      const swap = start('t1', 'b', 1, { updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { state: 'complete' } }] });
      await ctx.s.commit(swap);
      expect((await ctx.s.getSteps('t1')).filter((s) => s.state === 'running').map((s) => s.name)).toEqual(['b']);
      // Two steps started by one commit count twice.
      const both: ChangeSet = {
        updateSteps: [
          { id: 't1:b', expectedVersion: 2, set: { state: 'complete' } },
          { id: 't1:x', expectedVersion: 1, set: { state: 'running', concurrencyKey: 'k' } },
        ],
        insertSteps: [step('t2', 'd', { state: 'running', concurrencyKey: 'k' })],
        concurrencyGuards: [{ key: 'k', limit: 1 }],
      };
      expect((await refusal(ctx.s.commit(both))).details).toEqual({ key: 'k', limit: 1, running: 1 });
      await ctx.s.commit({ ...both, concurrencyGuards: [{ key: 'k', limit: 2 }] });
      expect(await ctx.s.countRunningWithConcurrencyKey('k')).toBe(2);
    });

    it('only counts its own key, passes a commit that starts nothing with it, and the lowest of two limits wins', async () => {
      await seed();
      // x holds another key: k being full does not matter.
      await ctx.s.commit({ ...start('t1', 'x', 1), concurrencyGuards: [{ key: 'k', limit: 1 }, { key: 'other', limit: 1 }] });
      // Over its limit already (1 running, limit 0), but this commit starts nothing with k.
      await ctx.s.commit({ updateSteps: [{ id: 't2:c', expectedVersion: 1, set: { state: 'pending' } }], concurrencyGuards: [{ key: 'k', limit: 0 }] });
      const err = await refusal(ctx.s.commit({ ...start('t1', 'b', 5), concurrencyGuards: [{ key: 'k', limit: 5 }, { key: 'k', limit: 1 }] }));
      expect(err.details).toEqual({ key: 'k', limit: 1, running: 1 });
    });

    it('checks versions first (STALE) and refuses a malformed guard as USAGE', async () => {
      await seed();
      await ctx.s.commit(start('t1', 'b', 5));
      const stale = await refusal(ctx.s.commit({ ...start('t2', 'c', 0), updateTasks: [{ id: 't2', expectedVersion: 99, set: {} }] }));
      expect(stale.code).toBe('STALE');
      for (const bad of [{ key: 'k', limit: -1 }, { key: 'k', limit: 1.5 }, { key: 3, limit: 1 }]) {
        expect((await refusal(ctx.s.commit({ ...start('t2', 'c', 5), concurrencyGuards: [bad as never] }))).code).toBe('USAGE');
      }
      expect((await ctx.s.getStep('t2', 'c'))!.state).toBe('ready');
    });
  });
}
