/** Insights on tasks the engine really ran (SQLite), through computeInsights and `stepwise insights`. */
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { computeInsights } from '../../core/insights/insights.js';
import { PermanentError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function capture(): CliIO & { text: () => string; errors: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, text: () => out.join('\n'), errors: () => err.join('\n') };
}

/** fetch (200 ms) → charge (fails twice, 100 ms per attempt, then succeeds) → notify (fails for `fail`). */
async function runOrders(): Promise<{ ok: string; failed: string }> {
  let chargeCalls = 0;
  h = await harness({
    templates: [
      workflow('orders', [
        step('fetch'),
        step('charge', { dependsOn: ['fetch'], retry: { maxAttempts: 3, backoff: 'fixed', backoffBaseMs: 1000 } }),
        step('notify', { dependsOn: ['charge'], retry: { maxAttempts: 1 } }),
      ]),
    ],
    handlers: {
      fetch: () => {
        h!.clock.advance(200);
        return { rows: 3 };
      },
      charge: () => {
        h!.clock.advance(100);
        chargeCalls += 1;
        if (chargeCalls % 3 !== 0) throw new Error(`gateway down (${chargeCalls})`);
        return { charged: true };
      },
      notify: (ctx: StepContext<{ fail: boolean }>) => {
        h!.clock.advance(50);
        if (ctx.input.fail) throw new PermanentError('mail server rejected the message');
        return { sent: true };
      },
    },
  });
  const ids: string[] = [];
  for (const fail of [false, true]) {
    const task = await h.engine.start('orders', { fail });
    ids.push(task.id);
    for (let round = 0; round < 5; round++) {
      await h.engine.runUntilIdle({ taskId: task.id });
      h.clock.advance(1000);
    }
  }
  return { ok: ids[0]!, failed: ids[1]! };
}

describe('insights on tasks run by the engine', () => {
  it('computeInsights reports statuses, retried and failing steps with their last error, and task durations', async () => {
    const { ok, failed } = await runOrders();
    const x = await computeInsights(h!.storage);
    expect(x.tasks.byStatus).toEqual([
      { kind: 'workflow', status: 'complete', count: 1 },
      { kind: 'workflow', status: 'error', count: 1 },
    ]);
    expect(x.steps.byState).toEqual([
      { state: 'complete', count: 5 },
      { state: 'error', count: 1 },
    ]);
    expect(x.slowestSteps.map((r) => [r.step, r.count, r.p50Ms, r.p95Ms])).toEqual([
      ['fetch', 2, 200, 200],
      ['charge', 6, 100, 100],
      ['notify', 2, 50, 50],
    ]);
    expect(x.failingSteps).toEqual([
      { template: 'test/orders', step: 'charge', attempts: 6, failures: 4, failureRate: 4 / 6, stepsInError: 0, lastError: expect.objectContaining({ class: 'Error', message: 'gateway down (5)', taskId: failed }) },
      { template: 'test/orders', step: 'notify', attempts: 2, failures: 1, failureRate: 0.5, stepsInError: 1, lastError: expect.objectContaining({ class: 'PermanentError', message: 'mail server rejected the message', code: 'PERMANENT', taskId: failed }) },
    ]);
    // Each task: 200 + 3 × 100 + 50 of handler time plus two 1 s backoffs (and the rounds' clock steps).
    expect(x.slowestTasks.map((t) => t.taskId).sort()).toEqual([ok, failed].sort());
    for (const t of x.slowestTasks) expect(t.durationMs).toBeGreaterThanOrEqual(2550);
  });

  it('`stepwise insights --json` prints the same object; the text report shows the tables', async () => {
    await runOrders();
    const expected = await computeInsights(h!.storage);
    const json = capture();
    expect(await main(['insights', '--db', h!.file, '--json'], json)).toBe(0);
    expect(JSON.parse(json.text())).toEqual(JSON.parse(JSON.stringify(expected)));

    const text = capture();
    expect(await main(['insights', '--db', h!.file], text)).toBe(0);
    const report = text.text();
    expect(report).toContain('Insights: 2 task(s), 6 step(s), 10 attempt(s)');
    expect(report).toMatch(/test\/orders\s+charge\s+4\s+6\s+67%\s+0\s+Error: gateway down \(5\)/);
    expect(report).toMatch(/test\/orders\s+notify\s+1\s+2\s+50%\s+1\s+PermanentError: mail server rejected the message/);
    expect(report).toMatch(/test\/orders\s+fetch\s+2\s+200ms\s+200ms\s+200ms/);
  });

  it('filters from the command line and refuses bad options', async () => {
    await runOrders();
    const none = capture();
    expect(await main(['insights', '--db', h!.file, '--template', 'other/thing', '--json'], none)).toBe(0);
    expect(JSON.parse(none.text()).tasks.total).toBe(0);
    const recent = capture();
    expect(await main(['insights', '--db', h!.file, '--since', '1h', '--json'], recent)).toBe(0);
    // The tasks were created with the harness clock (2026); "1h before now" is after them.
    expect(JSON.parse(recent.text()).tasks.total).toBe(0);
    const dated = capture();
    expect(await main(['insights', '--db', h!.file, '--since', '2025-12-31', '--top', '1', '--json'], dated)).toBe(0);
    expect(JSON.parse(dated.text()).slowestSteps).toHaveLength(1);

    for (const args of [['--since', 'soon'], ['--top', '0'], ['--db', '/nonexistent/stepwise.db']]) {
      const bad = capture();
      expect(await main(['insights', '--db', h!.file, ...args], bad)).toBe(1);
      expect(bad.errors()).toMatch(/error: (USAGE|NOT_FOUND)/);
    }
  });
});
