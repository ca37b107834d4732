/** runStep runs one workflow step like the engine would: context, decisions, batches, failures. */
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import { defineWorkflow } from '../../core/template/defineWorkflow.js';
import { runStep } from '../../core/testing/index.js';
import '../../core/testing/setup.js';

describe('runStep', () => {
  const template = defineWorkflow({
    name: 'orders',
    inputSchema: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'integer' }, currency: { type: 'string', default: 'EUR' } } },
    steps: [
      { name: 'validate', handler: 'validate_order' },
      {
        name: 'charge',
        dependsOn: ['validate'],
        handler: (ctx: StepContext<{ order_id: number; currency: string }>) => {
          ctx.log.info('charging');
          const total = (ctx.results.validate as { total: number }).total;
          if (total > 1000) throw new PermanentError('over the limit');
          return { charged: total, currency: ctx.input.currency };
        },
      },
      { name: 'route', type: 'decision', dependsOn: ['charge'], handler: () => 'ship_express' },
      { name: 'ship_express', dependsOn: ['route'], handler: () => ({}) },
      { name: 'ship_standard', dependsOn: ['route'], handler: () => ({}) },
      { name: 'split', type: 'batchable', dependsOn: ['validate'], handler: () => [[1, 2], [3]] },
      { name: 'wrong_route', type: 'decision', dependsOn: ['validate'], handler: () => 'nowhere' },
    ],
  });

  it('passes input (with defaults), dependency results and a log, and returns the results', async () => {
    const r = await runStep(template, 'charge', { input: { order_id: 1 }, results: { validate: { total: 30 } } });
    expect(r).toSucceedWith({ charged: 30, currency: 'EUR' });
    expect(r.logs).toEqual([{ level: 'info', message: 'charging' }]);
  });

  it('reports a thrown error as a failure with its code and whether it would be retried', async () => {
    const r = await runStep(template, 'charge', { input: { order_id: 1 }, results: { validate: { total: 5000 } } });
    expect(r).toFailWith('PERMANENT');
    expect(r).toFailWith('over the limit');
    expect(r.retryable).toBe(false);
  });

  it('interprets decisions and batches like the engine', async () => {
    expect((await runStep(template, 'route', { input: { order_id: 1 } })).proceed).toEqual(['ship_express']);
    expect((await runStep(template, 'split', { input: { order_id: 1 } })).batches).toEqual([[1, 2], [3]]);
    expect(await runStep(template, 'wrong_route', { input: { order_id: 1 } })).toFailWith('UNDECLARED_TARGET');
  });

  it('uses named handlers passed in options, and refuses bad input and unknown steps', async () => {
    const r = await runStep(template, 'validate', { input: { order_id: 7 }, handlers: { validate_order: (ctx: { input: { order_id: number } }) => ({ ok: ctx.input.order_id }) } });
    expect(r).toSucceedWith({ ok: 7 });
    await expect(runStep(template, 'validate', { input: {} })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(runStep(template, 'nope', { input: { order_id: 1 } })).rejects.toThrow("has no step 'nope'. Its steps: validate, charge");
    await expect(runStep(template, 'validate', { input: { order_id: 1 } })).rejects.toMatchObject({ code: 'HANDLER_NOT_FOUND' });
  });
});
