/** The bundled examples are the first thing a newcomer runs: each one runs to its intended end. */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../core/engine/engine.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { loadWorkspace } from '../../core/template/workspace.js';

const examples = fileURLToPath(new URL('../../resources/examples/', import.meta.url));

describe('example workspace', async () => {
  const ws = await loadWorkspace(examples);
  const storage = new MemoryStorage();
  const engine = createEngine({
    storage,
    templates: createTemplateRegistry(ws.templates, { root: ws.root }),
    handlers: createHandlerRegistry(ws.handlers),
    executor: 'inline',
  });
  afterAll(() => engine.close());

  async function run(ref: string, input: Record<string, unknown>) {
    const task = await engine.start(ref, input);
    await engine.runUntilIdle({ taskId: task.id });
    const steps = Object.fromEntries((await storage.getSteps(task.id)).map((s) => [s.name, s]));
    return { task: (await storage.getTask(task.id))!, steps };
  }

  it('order_fulfillment ships standard for a small order and express for a large one', async () => {
    const small = await run('ecommerce/order_fulfillment', { order_id: 7, customer_id: 'c-1', items: [{ sku: 'TEA', quantity: 2, unit_price: 9.5 }] });
    expect(small.task.status).toBe('complete');
    expect([small.steps.ship_standard!.state, small.steps.ship_express!.state]).toEqual(['complete', 'skipped']);
    expect(small.steps.notify!.results).toMatchObject({ message: 'Order 7 is on its way (STD-7), arriving in 4 day(s).' });
    const large = await run('ecommerce/order_fulfillment', { order_id: 8, customer_id: 'c-2', items: [{ sku: 'TV', quantity: 1, unit_price: 899 }] });
    expect([large.steps.ship_standard!.state, large.steps.ship_express!.state]).toEqual(['skipped', 'complete']);
  });

  it('order_fulfillment refuses an order without items before storing anything', async () => {
    await expect(engine.start('ecommerce/order_fulfillment', { order_id: 9, customer_id: 'c', items: [] })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('diamond and tree complete', async () => {
    const diamond = await run('demo/diamond', {});
    expect(diamond.task.status).toBe('complete');
    expect(diamond.steps.publish_report!.results).toMatchObject({ revenue: 58_600 });
    expect((await run('demo/tree', {})).task.status).toBe('complete');
  });

  it('csv_import splits into batches, imports them and sums them up', async () => {
    const r = await run('analytics/csv_import', { rows: 250, batch_size: 100 });
    expect(r.task.status).toBe('complete');
    expect(r.steps.summarize!.results).toEqual({ batches: 3, imported: 248, rejected: 2 });
  });

  it('invoice_sync syncs, and fails with a clear error while the ledger is offline', async () => {
    expect((await run('billing/invoice_sync', { account_id: 'ACME-42' })).steps.mark_synced!.results).toEqual({ account_id: 'ACME-42', synced: 3 });
    const offline = await run('billing/invoice_sync', { account_id: 'ACME-42', ledger_online: false });
    expect(offline.steps.push_to_ledger!.error?.message).toContain('Ledger acme-books is offline');
    expect(offline.steps.mark_synced!.state).toBe('pending');
  });

  it('user_onboarding completes with an email and waits for one without', async () => {
    expect((await run('accounts/user_onboarding', { user_id: 1, email: 'ann@example.com' })).task).toMatchObject({ status: 'complete', currentState: 'done' });
    expect((await run('accounts/user_onboarding', { user_id: 2 })).task).toMatchObject({ status: 'waiting', currentState: 'ask_for_email' });
  });

  it('document_approval (TypeScript) waits for a review', async () => {
    const r = await run('documents/document_approval', { document_id: 'D-1' });
    expect(r.task).toMatchObject({ status: 'waiting', currentState: 'await_review', data: { document_id: 'D-1', title: 'Untitled', decision: 'pending' } });
  });
});
