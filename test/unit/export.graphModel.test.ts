import { describe, expect, it } from 'vitest';
import { templateGraph } from '../../core/export/graphModel.js';
import { batch, hostileFlow, onboarding, orderFulfillment, routing, waitAndSubtask } from '../fixtures/export/templates.js';

describe('templateGraph (workflow)', () => {
  it('has one node per step with its type and meta, and dependency edges', () => {
    const g = templateGraph(orderFulfillment);
    expect(g.kind).toBe('workflow');
    expect(g.id).toBe('test/order_fulfillment@1.0.0');
    expect(g.nodes.map((n) => [n.id, n.type])).toEqual([
      ['validate_order', 'standard'],
      ['charge_payment', 'standard'],
      ['choose_shipping', 'decision'],
      ['ship_express', 'standard'],
      ['ship_standard', 'standard'],
      ['notify', 'deferred_convergence'],
    ]);
    expect(g.nodes[1]!.meta).toEqual({
      handler: 'charge_payment',
      maxAttempts: 3,
      timeoutMs: 30_000,
      concurrencyKey: '{{ input.customer_id }}',
      concurrencyLimit: 10,
    });
    expect(g.edges.map((e) => e.id)).toEqual([
      'dependency:validate_order->charge_payment',
      'dependency:charge_payment->choose_shipping',
      'dependency:choose_shipping->ship_express',
      'dependency:choose_shipping->ship_standard',
      'dependency:ship_express->notify',
      'dependency:ship_standard->notify',
    ]);
    expect(g.edges.every((e) => e.kind === 'dependency' && e.label === undefined)).toBe(true);
  });
  it('records batch, wait and subtask specifics', () => {
    expect(templateGraph(batch).nodes.map((n) => n.type)).toEqual(['standard', 'batchable', 'batch_worker', 'deferred_convergence']);
    const g = templateGraph(waitAndSubtask);
    expect(g.nodes[1]!.meta).toEqual({ maxAttempts: 3, waitTimeoutMs: 86_400_000 });
    expect(g.nodes[2]!.meta.subtask).toBe('infra/provision');
  });
  it('is the same for the same template', () => {
    expect(JSON.stringify(templateGraph(orderFulfillment))).toBe(JSON.stringify(templateGraph(orderFulfillment)));
  });
});

describe('templateGraph (flow)', () => {
  it('draws states, labelled transitions, timeouts and interactions', () => {
    const g = templateGraph(onboarding);
    expect(g.nodes.map((n) => [n.id, n.type, n.start ?? false])).toEqual([
      ['check_email', 'decision', true],
      ['ask_for_email', 'wait', false],
      ['send_welcome', 'action', false],
      ['expired', 'result', false],
      ['done', 'result', false],
      ['interaction:provide_email', 'interaction', false],
      ['interaction:cancel_signup', 'interaction', false],
    ]);
    expect(g.edges.map((e) => [e.from, e.to, e.kind, e.label])).toEqual([
      ['check_email', 'send_welcome', 'transition', 'has_email'],
      ['check_email', 'ask_for_email', 'transition', 'not has_email'],
      ['ask_for_email', 'send_welcome', 'transition', 'has_email'],
      ['send_welcome', 'done', 'transition', undefined],
      ['ask_for_email', 'expired', 'timeout', 'timeout'],
      ['send_welcome', 'expired', 'timeout', 'timeout'],
      ['interaction:provide_email', 'ask_for_email', 'interaction', undefined],
      // when: [] → every state in which the flow still runs (results accept nothing)
      ['interaction:cancel_signup', 'check_email', 'interaction', undefined],
      ['interaction:cancel_signup', 'ask_for_email', 'interaction', undefined],
      ['interaction:cancel_signup', 'send_welcome', 'interaction', undefined],
    ]);
    expect(g.nodes.find((n) => n.id === 'expired')!.meta).toEqual({ onTimeout: true });
  });
  it('numbers ordered branches and keeps edge ids unique', () => {
    const g = templateGraph(routing);
    expect(g.edges.slice(0, 3).map((e) => `${e.order}. ${e.label}`)).toEqual(['1. is_vip', '2. is_blocked', '3. otherwise']);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(g.edges.length);
  });
  it('never gives an interaction the id of a state', () => {
    const g = templateGraph(hostileFlow);
    const ids = g.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    const poke = g.nodes.find((n) => n.type === 'interaction')!;
    expect(poke.id).not.toBe('interaction:poke');
    expect(poke.label).toBe('poke');
  });
  it('repeats of the same pair get distinct edge ids', () => {
    const g = templateGraph({
      ...routing,
      states: [
        { name: 'a', type: 'decision', form: 'boolean', branches: [
          { condition: 'c', expect: true, goTo: 'b' },
          { condition: 'c', expect: false, goTo: 'b' },
        ] },
        { name: 'b', type: 'result' },
      ],
      startsWith: 'a',
    });
    expect(g.edges.map((e) => e.id)).toEqual(['transition:a->b', 'transition:a->b#2']);
  });
});

describe('edge labels of a TypeScript flow', () => {
  it('name inline conditions by their function, yes/no on a boolean decision, never "<state>.condition.<i>"', async () => {
    const { decision, defineFlow, result, waitUntil } = await import('../../core/template/index.js');
    const isVip = (ctx: { data: { vip?: boolean } }) => ctx.data.vip === true;
    const flow = defineFlow({
      name: 'labels',
      namespace: 'test',
      version: '1.0.0',
      startsWith: 'named',
      states: {
        named: decision({ condition: isVip, ifTrue: 'route', ifFalse: 'hold' }),
        route: decision({ condition: (ctx) => ctx.data.ok === true, ifTrue: 'done', ifFalse: 'hold' }),
        hold: waitUntil({ condition: (ctx) => ctx.data.free === true, goTo: 'done' }),
        done: result(),
      },
    });
    const labels = templateGraph(flow).edges.filter((e) => e.label !== undefined).map((e) => `${e.from}->${e.to} ${e.label}`);
    expect(labels).toEqual(['named->route isVip', 'named->hold not isVip', 'route->done yes', 'route->hold no', 'hold->done condition 1']);
  });
});
