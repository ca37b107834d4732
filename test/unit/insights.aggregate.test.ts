import { describe, expect, it } from 'vitest';
import { aggregateInsights, InsightsAccumulator } from '../../core/insights/aggregate.js';
import { percentile, summarize } from '../../core/insights/stats.js';
import { attempt, step, task, T0 } from '../fixtures/storage/records.js';

describe('percentile (nearest rank)', () => {
  it('returns a value that occurred', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 95)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes unsorted durations', () => {
    expect(summarize([30, 10, 20])).toEqual({ count: 3, p50Ms: 20, p95Ms: 30, maxMs: 30, meanMs: 20, totalMs: 60 });
  });
});

const ok = (taskId: string, stepName: string, n: number, ms: number) =>
  attempt(taskId, stepName, n, { outcome: 'success', startedAt: T0, finishedAt: T0 + ms, durationMs: ms });
const failed = (taskId: string, stepName: string, n: number, at: number, message: string, over = {}) =>
  attempt(taskId, stepName, n, { outcome: 'error', startedAt: at - 5, finishedAt: at, durationMs: 5, error: { class: 'GatewayError', message, code: 'HANDLER_ERROR' }, ...over });

describe('aggregateInsights', () => {
  const records = {
    tasks: [
      task('t1', { status: 'complete', createdAt: T0, finishedAt: T0 + 1000 }),
      task('t2', { status: 'error', createdAt: T0 + 10, finishedAt: T0 + 5010 }),
      task('t3', { status: 'running', createdAt: T0 + 20 }),
      task('f1', { kind: 'flow', namespace: 'crm', name: 'lead', templateRef: 'crm/lead@1', status: 'complete', createdAt: T0, finishedAt: T0 + 50 }),
    ],
    steps: [
      step('t1', 'charge', { state: 'complete' }),
      step('t1', 'ship', { state: 'complete' }),
      step('t2', 'charge', { state: 'error' }),
      step('t2', 'ship', { state: 'pending' }),
      step('t3', 'charge', { state: 'running' }),
      step('t3', 'work_0', { templateStep: 'work', dynamic: true, state: 'complete' }),
      step('t3', 'work_1', { templateStep: 'work', dynamic: true, state: 'complete' }),
    ],
    attempts: [
      failed('t1', 'charge', 1, T0 + 100, 'card declined (t1)'),
      ok('t1', 'charge', 2, 40),
      ok('t1', 'ship', 1, 10),
      failed('t2', 'charge', 1, T0 + 300, 'gateway down (t2, later)'),
      failed('t2', 'charge', 2, T0 + 200, 'gateway down (t2, earlier)'),
      attempt('t2', 'charge', 3, { outcome: 'timeout', startedAt: T0 + 150, finishedAt: T0 + 160, durationMs: 10, error: null }),
      attempt('t3', 'charge', 1, { startedAt: T0 + 30 }), // still running
      ok('t3', 'work_0', 1, 1000),
      ok('t3', 'work_1', 1, 3000),
      attempt('t3', 'work_1', 2, { outcome: 'interrupted', startedAt: T0, finishedAt: T0 + 99_999, durationMs: 99_999 }),
      ok('f1', 'check_email', 1, 2),
      ok('f1', 'interaction:provide_email', 1, 1),
      // Records of a task not in the page are ignored.
      ok('elsewhere', 'charge', 1, 1_000_000),
    ],
  };
  const x = aggregateInsights(records, { namespace: 'shop' });

  it('counts tasks by kind and status, steps by state, attempts by outcome', () => {
    expect(x.filter).toEqual({ namespace: 'shop' });
    expect(x.tasks.total).toBe(4);
    expect(x.tasks.byStatus).toEqual([
      { kind: 'flow', status: 'complete', count: 1 },
      { kind: 'workflow', status: 'complete', count: 1 },
      { kind: 'workflow', status: 'error', count: 1 },
      { kind: 'workflow', status: 'running', count: 1 },
    ]);
    expect(x.steps.total).toBe(7);
    expect(x.steps.byState).toEqual([
      { state: 'complete', count: 4 },
      { state: 'error', count: 1 },
      { state: 'pending', count: 1 },
      { state: 'running', count: 1 },
    ]);
    expect(x.attempts.total).toBe(12);
    expect(x.attempts.byOutcome).toEqual([
      { outcome: 'success', count: 6 },
      { outcome: 'error', count: 3 },
      { outcome: 'interrupted', count: 1 },
      { outcome: 'running', count: 1 },
      { outcome: 'timeout', count: 1 },
    ]);
  });

  it('ranks template steps by p95 handler time; batch workers count under their template step; interrupted attempts are not timed', () => {
    expect(x.slowestSteps.map((r) => [r.template, r.step, r.count, r.p50Ms, r.p95Ms, r.maxMs])).toEqual([
      ['shop/order', 'work', 2, 1000, 3000, 3000],
      ['shop/order', 'charge', 5, 5, 40, 40],
      ['shop/order', 'ship', 1, 10, 10, 10],
      ['crm/lead', 'check_email', 1, 2, 2, 2],
      ['crm/lead', 'interaction:provide_email', 1, 1, 1, 1],
    ]);
  });

  it('ranks failing steps by failures, with the rate and the most recent error', () => {
    expect(x.failingSteps).toEqual([
      {
        template: 'shop/order',
        step: 'charge',
        attempts: 5,
        failures: 4,
        failureRate: 0.8,
        stepsInError: 1,
        lastError: { class: 'GatewayError', message: 'gateway down (t2, later)', code: 'HANDLER_ERROR', taskId: 't2', at: T0 + 300 },
      },
    ]);
  });

  it('ranks finished tasks by created → finished', () => {
    expect(x.slowestTasks.map((r) => [r.taskId, r.durationMs, r.status])).toEqual([
      ['t2', 5000, 'error'],
      ['t1', 1000, 'complete'],
      ['f1', 50, 'complete'],
    ]);
  });

  it('limits every ranking to `top` rows', () => {
    const small = aggregateInsights(records, {}, { top: 1 });
    expect([small.slowestSteps.length, small.failingSteps.length, small.slowestTasks.length]).toEqual([1, 1, 1]);
  });

  it('gives the same result fed page by page', () => {
    const acc = new InsightsAccumulator({ namespace: 'shop' });
    for (const ids of [['t1', 'f1'], ['t2'], ['t3']]) {
      const pick = <T extends { taskId: string }>(list: T[]) => list.filter((r) => ids.includes(r.taskId));
      acc.add({ tasks: records.tasks.filter((t) => ids.includes(t.id)), steps: pick(records.steps), attempts: pick(records.attempts) });
    }
    const paged = acc.result();
    expect(paged.slowestSteps).toEqual(x.slowestSteps);
    expect(paged.failingSteps).toEqual(x.failingSteps);
    expect(paged.tasks).toEqual(x.tasks);
  });

  it('lists a step that is in error without failed attempts (e.g. a failed subtask), and a timeout without an error record', () => {
    const y = aggregateInsights({
      tasks: [task('p', { status: 'error' })],
      steps: [step('p', 'child', { type: 'subtask', state: 'error' }), step('p', 'slow', { state: 'error' })],
      attempts: [attempt('p', 'slow', 1, { outcome: 'timeout', startedAt: T0, finishedAt: T0 + 30_000, durationMs: 30_000 })],
    });
    expect(y.failingSteps.map((r) => [r.step, r.failures, r.stepsInError, r.lastError?.class ?? null])).toEqual([
      ['slow', 1, 1, 'TimeoutError'],
      ['child', 0, 1, null],
    ]);
  });

  it('is empty for no records', () => {
    const empty = aggregateInsights({ tasks: [], steps: [], attempts: [] });
    expect(empty).toEqual({
      filter: {},
      tasks: { total: 0, byStatus: [], unreadable: { total: 0, first: [] } },
      steps: { total: 0, byState: [] },
      attempts: { total: 0, byOutcome: [] },
      slowestSteps: [],
      failingSteps: [],
      slowestTasks: [],
    });
  });
});
