import { describe, expect, it } from 'vitest';
import { runAttempt, type AttemptEnv } from '../../core/engine/flow/attempt.js';
import { ManualClock } from '../../core/model/clock.js';
import { task } from '../fixtures/storage/records.js';

function env(progress: Array<[number, string | undefined]>): AttemptEnv {
  const clock = new ManualClock(0);
  const controller = new AbortController();
  return {
    task: task('t1', { kind: 'flow', data: { n: 1 } }),
    stepName: 'check',
    what: "The conditions of state 'check'",
    state: 'check',
    number: 1,
    clock,
    abort: { aborted: false, reason: undefined, signal: controller.signal },
    subtasks: { start: async () => ({ id: 'child' }), list: async () => [{ id: 'c1', templateRef: 'x', status: 'complete', result: null, data: {} }] },
    onProgress: (fraction, message) => progress.push([fraction, message]),
  };
}

describe('the context of a flow hook', () => {
  it('works destructured, keeps the engine out of sight, and records what the hook logs and changes', async () => {
    const progress: Array<[number, string | undefined]> = [];
    const result = await runAttempt(env(progress), async (ctx) => {
      const { log, progress: report, completedSubtasks, data, taskId, state, signal } = ctx;
      log.info('checking', { n: data.n as number });
      report(0.5, 'half');
      data.n = 2;
      return { taskId, state, aborted: signal.aborted, keys: Object.keys(ctx).sort(), done: (await completedSubtasks()).map((s) => s.id) };
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({ taskId: 't1', state: 'check', aborted: false, keys: ['data', 'state', 'taskId'], done: ['c1'] });
    expect(result.data).toEqual({ n: 2 });
    expect(result.attempt.logs).toEqual([expect.objectContaining({ level: 'info', message: 'checking', fields: { n: 1 } })]);
    expect(progress).toEqual([[0.5, 'half']]);
  });

  it('gives the hook a private copy of the data: the task is left as it was', async () => {
    const e = env([]);
    const result = await runAttempt(e, (ctx) => {
      ctx.data.n = 5;
      return true;
    });
    expect(result.ok && result.data).toEqual({ n: 5 });
    expect(e.task.data).toEqual({ n: 1 });
  });
});
