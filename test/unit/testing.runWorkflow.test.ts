/**
 * runWorkflow / createWorkflowTestEnv: a workflow end to end in one call on memory storage,
 * skipping clock time to due retries and timed waits, and the step matchers with messages that
 * say what was expected and what was found.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../core/model/errors.js';
import { createWorkflowTestEnv, loadTestWorkspace, runWorkflow, stepwiseMatchers } from '../../core/testing/index.js';
import { step, workflow } from '../fixtures/engine/harness.js';

beforeAll(() => {
  expect.extend(stepwiseMatchers);
});

const EXAMPLES = path.join(import.meta.dirname, '..', '..', 'resources', 'examples');
const ENGINE_WS = path.join(import.meta.dirname, '..', 'fixtures', 'engine', 'workspace');

function failureOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the expectation passed');
}

describe('runWorkflow', () => {
  it('runs the example order workflow from its YAML and handlers to the end', async () => {
    const ws = await loadTestWorkspace(EXAMPLES);
    const run = await runWorkflow(ws.workflow('order_fulfillment'), { order_id: 7, customer_id: 'c-1', items: [{ sku: 'A', quantity: 2, unit_price: 300 }] }, { handlers: ws.handlers });
    expect(run).toBeCompleted();
    expect(run).toHaveStep('charge_payment', { state: 'complete', attempts: 1, results: { amount: 600, currency: 'EUR' } });
    expect(run).toHaveStep('ship_express', 'complete');
    expect(run).toHaveStep('ship_standard', 'skipped');
    expect(run).toHaveCompletedInOrder(['validate_order', 'charge_payment', 'choose_shipping', 'ship_express', 'notify']);
    expect(run.logs.map((l) => l.message)).toContain('order validated');
    expect(run.skippedMs).toBe(0);
  });

  it('skips the clock ahead to due retries: a flaky step succeeds on its third attempt in one call', async () => {
    let calls = 0;
    const flaky = workflow('flaky', [step('fetch', { retry: { maxAttempts: 3, backoff: 'exponential', backoffBaseMs: 60_000, maxBackoffMs: 600_000 } }), step('save', { dependsOn: ['fetch'] })]);
    const run = await runWorkflow(flaky, {}, {
      handlers: {
        fetch: () => {
          calls += 1;
          if (calls < 3) throw new Error(`gateway timeout #${calls}`);
          return { rows: 3 };
        },
        save: (ctx) => ({ saved: (ctx.results.fetch as { rows: number }).rows }),
      },
    });
    expect(run).toBeCompleted();
    expect(run).toHaveStep('fetch', { state: 'complete', attempts: 3 });
    expect(run).toHaveStep('save', { results: { saved: 3 } });
    expect(run.attempts.filter((a) => a.stepName === 'fetch').map((a) => a.outcome)).toEqual(['error', 'error', 'success']);
    expect(run.skippedMs).toBeGreaterThanOrEqual(60_000);
  });

  it('with skipUpToMs: 0 leaves a retry waiting, and says so', async () => {
    const once = workflow('once', [step('fetch', { retry: { maxAttempts: 2, backoffBaseMs: 1000 } })]);
    const run = await runWorkflow(once, {}, { handlers: { fetch: () => { throw new Error('down'); } }, skipUpToMs: 0 });
    expect(run.status).toBe('waiting');
    expect(run).toHaveStep('fetch', { state: 'waiting_for_retry', attempts: 1, error: 'down' });
    expect(run.skippedMs).toBe(0);
  });

  it('ends failed on a permanent error, the step matcher naming its code', async () => {
    const strict = workflow('strict', [step('charge'), step('ship', { dependsOn: ['charge'] })]);
    const run = await runWorkflow(strict, {}, { handlers: { charge: () => { throw new PermanentError('card declined'); }, ship: () => 1 } });
    expect(run).toBeFailed('PERMANENT');
    expect(run).toHaveStep('charge', { state: 'error', error: 'card declined' });
    expect(run).toHaveStep('ship', 'pending');
  });
});

describe('createWorkflowTestEnv', () => {
  it('runs to a wait step, then a signal completes it and the rest runs', async () => {
    const ws = await loadTestWorkspace(ENGINE_WS);
    const env = createWorkflowTestEnv([ws.workflow('approval')], { handlers: ws.handlers, skipUpToMs: 0 });
    try {
      const waiting = await env.run('approval', { amount: 40 });
      expect(waiting).toHaveStep('approve', 'waiting');
      const done = await env.signal(waiting.id, 'approve', { by: 'Grace' });
      expect(done).toBeCompleted();
      expect(done).toHaveStep('apply', { results: { applied: true, approval: { by: 'Grace' } } });
    } finally {
      await env.close();
    }
  });

  it('skips to a timed wait\'s timeout when nobody signals', async () => {
    const ws = await loadTestWorkspace(ENGINE_WS);
    const run = await runWorkflow(ws.workflow('approval'), { amount: 40 }, { handlers: ws.handlers });
    expect(run).toHaveStep('approve', 'error');
    expect(run.skippedMs).toBe(24 * 3_600_000);
  });
});

describe('the step matchers', () => {
  const diamond = workflow('diamond', [step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['a'] }), step('d', { dependsOn: ['b', 'c'] })]);
  const handlers = { a: () => ({ n: 1 }), b: () => ({ n: 2 }), c: () => ({ n: 3 }), d: () => ({ n: 4 }) };

  it('say what was expected and what was found', async () => {
    const run = await runWorkflow(diamond, {}, { handlers });
    expect(failureOf(() => expect(run).toHaveStep('e'))).toBe('expected a step "e", but there is none; the steps are a, b, c, d');
    expect(failureOf(() => expect(run).toHaveStep('b', { state: 'error', results: { n: 5 } }))).toBe(
      'expected step "b" to have state error, results containing {"n":5}, but it is complete after 1 attempt, results {"n":2}',
    );
    expect(failureOf(() => expect(run).not.toHaveStep('b', 'complete'))).toContain('expected step "b" not to be there with state complete, but it is: complete');
    expect(failureOf(() => expect(run).toHaveCompletedInOrder(['d', 'a']))).toMatch(/^expected d → a to complete in this order, but the steps completed a → (b → c|c → b) → d$/);
    expect(failureOf(() => expect({ id: 'x' }).toHaveStep('a'))).toMatch(/^toHaveStep expects the result of runWorkflow\(\)/);
  });

  it('accept completion order with other steps in between', async () => {
    const run = await runWorkflow(diamond, {}, { handlers });
    expect(run).toHaveCompletedInOrder(['a', 'd']);
    expect(run).not.toHaveCompletedInOrder(['d', 'a']);
  });
});
