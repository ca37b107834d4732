import { afterEach, describe, expect, it } from 'vitest';
import type { StepContext } from '../../core/model/handlers.js';
import { completionOrder, harness, states, step, workflow, type Harness } from '../fixtures/engine/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A handler that records its context and returns a result naming the step. */
function echo(calls: string[]) {
  return (ctx: StepContext) => {
    calls.push(ctx.step.name);
    return { step: ctx.step.name, saw: Object.keys(ctx.results).sort() };
  };
}

describe('engine happy paths on SQLite', () => {
  it('runs a linear workflow in order and completes the task with the leaf result', async () => {
    const calls: string[] = [];
    const handler = echo(calls);
    h = await harness({
      templates: [workflow('linear', [step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['b'] })])],
      handlers: { a: handler, b: handler, c: handler },
    });
    const task = await h.engine.start('test/linear', {});
    expect(task.status).toBe('running');
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(run.task?.result).toEqual({ c: { step: 'c', saw: ['b'] } });
    expect(await completionOrder(h.storage, task.id)).toEqual(['a', 'b', 'c']);
    const attempts = await h.storage.listAttempts(task.id);
    expect(attempts.map((a) => [a.stepName, a.number, a.outcome])).toEqual([
      ['a', 1, 'success'],
      ['b', 1, 'success'],
      ['c', 1, 'success'],
    ]);
    const types = h.events.filter((e) => e.taskId === task.id).map((e) => e.type);
    expect(types[0]).toBe('task.created');
    expect(types).toContain('step.started');
    expect(types.at(-1)).toBe('task.completed');
    // Persisted log = published events, in order.
    const persisted = await h.storage.readEvents(0, 1000, { taskId: task.id });
    expect(persisted.map((e) => e.seq)).toEqual(h.events.filter((e) => e.taskId === task.id).map((e) => e.seq));
  });

  it('runs a diamond: both branches before the join, which sees both results', async () => {
    const calls: string[] = [];
    const handler = echo(calls);
    h = await harness({
      templates: [
        workflow('diamond', [
          step('start'),
          step('left', { dependsOn: ['start'] }),
          step('right', { dependsOn: ['start'] }),
          step('join', { dependsOn: ['left', 'right'] }),
        ]),
      ],
      handlers: { start: handler, left: handler, right: handler, join: handler },
    });
    const task = await h.engine.start('diamond', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(calls[0]).toBe('start');
    expect(calls.slice(1, 3).sort()).toEqual(['left', 'right']);
    expect(calls[3]).toBe('join');
    expect(run.task?.result).toEqual({ join: { step: 'join', saw: ['left', 'right'] } });
  });

  it('runs a tree: every leaf completes and is in the task result', async () => {
    const calls: string[] = [];
    const handler = echo(calls);
    const names = ['root', 'l', 'r', 'll', 'lr', 'rl', 'rr'];
    h = await harness({
      templates: [
        workflow('tree', [
          step('root'),
          step('l', { dependsOn: ['root'] }),
          step('r', { dependsOn: ['root'] }),
          step('ll', { dependsOn: ['l'] }),
          step('lr', { dependsOn: ['l'] }),
          step('rl', { dependsOn: ['r'] }),
          step('rr', { dependsOn: ['r'] }),
        ]),
      ],
      handlers: Object.fromEntries(names.map((n) => [n, handler])),
    });
    const task = await h.engine.start('tree', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(calls.sort()).toEqual([...names].sort());
    expect(Object.keys(run.task?.result as object).sort()).toEqual(['ll', 'lr', 'rl', 'rr']);
    expect(Object.values(await states(h.storage, task.id)).every((s) => s === 'complete')).toBe(true);
  });

  it('runs a mixed DAG respecting every dependency', async () => {
    const calls: string[] = [];
    const handler = echo(calls);
    const deps: Record<string, string[]> = {
      a: [],
      b: [],
      c: ['a'],
      d: ['a', 'b'],
      e: ['c', 'd'],
      f: ['b'],
      g: ['e', 'f'],
    };
    h = await harness({
      templates: [workflow('mixed', Object.entries(deps).map(([n, d]) => step(n, { dependsOn: d })))],
      handlers: Object.fromEntries(Object.keys(deps).map((n) => [n, handler])),
    });
    const task = await h.engine.start('mixed', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    const order = await completionOrder(h.storage, task.id);
    expect(order.sort()).toEqual(Object.keys(deps).sort());
    const done = await completionOrder(h.storage, task.id);
    for (const [n, d] of Object.entries(deps)) for (const dep of d) expect(done.indexOf(dep)).toBeLessThan(done.indexOf(n));
  });
});

describe('the order_fulfillment example on SQLite', () => {
  it('validates, charges, ships the chosen way and notifies', async () => {
    const { loadWorkspace } = await import('../../core/template/workspace.js');
    const { createHandlerRegistry, createTemplateRegistry } = await import('../../core/template/registry.js');
    const { createEngine } = await import('../../core/engine/engine.js');
    const ws = await loadWorkspace(new URL('../../resources/examples', import.meta.url).pathname);
    h = await harness({ templates: [], handlers: {} });
    const engine = createEngine({
      storage: h.storage,
      clock: h.clock,
      executor: 'pool',
      templates: createTemplateRegistry(ws.templates),
      handlers: createHandlerRegistry(ws.handlers),
    });
    try {
      const items = [{ sku: 'KB-1', quantity: 2, unit_price: 300 }];
      const big = await engine.start('ecommerce/order_fulfillment', { order_id: 1, customer_id: 'c-9', items });
      const small = await engine.start('ecommerce/order_fulfillment', { order_id: 2, customer_id: 'c-8', items: [{ sku: 'P', quantity: 1, unit_price: 9.5 }] });
      await engine.runUntilIdle();
      const bigSteps = await states(h.storage, big.id);
      const smallSteps = await states(h.storage, small.id);
      expect(bigSteps).toMatchObject({ ship_express: 'complete', ship_standard: 'skipped', notify: 'complete' });
      expect(smallSteps).toMatchObject({ ship_express: 'skipped', ship_standard: 'complete', notify: 'complete' });
      expect((await h.storage.getTask(big.id))!.result).toEqual({
        notify: { to: 'c-9', message: 'Order 1 is on its way (EXP-1), arriving in 1 day(s).' },
      });
      expect((await h.storage.getStep(big.id, 'charge_payment'))!.results).toEqual({ payment_id: 'pay_1', amount: 600, currency: 'EUR' });
    } finally {
      await engine.close();
    }
  });
});
