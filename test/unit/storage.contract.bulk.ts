/** Contract: bulk reads of many tasks' steps and attempts (what insights reads). */
import { describe, expect, it } from 'vitest';
import { attempt, step, task, T0 } from '../fixtures/storage/records.js';
import type { ContractContext } from './storage.contract.js';

export function bulkContract(ctx: ContractContext): void {
  describe('getStepsOfTasks / listAttemptsOfTasks', () => {
    const seed = async (): Promise<void> => {
      await ctx.s.commit({
        insertTasks: [task('t1'), task('t2'), task('t3')],
        insertSteps: [step('t2', 'z'), step('t1', 'a'), step('t3', 'x')],
        insertAttempts: [attempt('t2', 'z', 1), attempt('t1', 'a', 1), attempt('t3', 'x', 1)],
      });
      // Inserted later, across tasks: insertion order interleaves the tasks.
      await ctx.s.commit({
        insertSteps: [step('t1', 'b', { state: 'ready' })],
        insertAttempts: [attempt('t2', 'z', 2, { outcome: 'error', finishedAt: T0 + 5, durationMs: 5, error: { class: 'E', message: 'm' } })],
      });
    };

    it('reads the records of the named tasks only, in insertion order across them', async () => {
      await seed();
      expect((await ctx.s.getStepsOfTasks(['t1', 't2'])).map((s) => s.id)).toEqual(['t2:z', 't1:a', 't1:b']);
      expect((await ctx.s.listAttemptsOfTasks(['t1', 't2'])).map((a) => a.id)).toEqual(['t2:z:1', 't1:a:1', 't2:z:2']);
      const [last] = (await ctx.s.listAttemptsOfTasks(['t2'])).slice(-1);
      expect(last).toEqual(attempt('t2', 'z', 2, { outcome: 'error', finishedAt: T0 + 5, durationMs: 5, error: { class: 'E', message: 'm' } }));
      expect(await ctx.s.getStepsOfTasks(['t1'])).toEqual([...(await ctx.s.getSteps('t1'))]);
    });

    it('ignores unknown ids and reads nothing for an empty list', async () => {
      await seed();
      expect(await ctx.s.getStepsOfTasks([])).toEqual([]);
      expect(await ctx.s.listAttemptsOfTasks([])).toEqual([]);
      expect((await ctx.s.getStepsOfTasks(['nope', 't3', "it's"])).map((s) => s.id)).toEqual(['t3:x']);
      expect(await ctx.s.listAttemptsOfTasks(['nope'])).toEqual([]);
    });

    it('forgets deleted tasks and returns copies', async () => {
      await seed();
      await ctx.s.commit({ deleteTasks: ['t2'] });
      expect((await ctx.s.listAttemptsOfTasks(['t1', 't2'])).map((a) => a.id)).toEqual(['t1:a:1']);
      const steps = await ctx.s.getStepsOfTasks(['t1']);
      steps[0]!.state = 'complete';
      expect((await ctx.s.getStepsOfTasks(['t1']))[0]!.state).toBe('pending');
    });

    it('handles more ids than SQL allows bound variables', async () => {
      await seed();
      const ids = [...Array.from({ length: 40_000 }, (_, i) => `missing-${i}`), 't3'];
      expect((await ctx.s.getStepsOfTasks(ids)).map((s) => s.id)).toEqual(['t3:x']);
    });
  });
}
