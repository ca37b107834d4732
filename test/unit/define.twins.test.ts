/** A YAML template and its TypeScript twin produce the same model (modulo positions and sources). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import { validateTemplate } from '../../core/template/validate.js';
import flowTwin from '../fixtures/templates/twins/user_onboarding.js';
import workflowTwin from '../fixtures/templates/twins/order_fulfillment.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/templates/twins/${name}`, import.meta.url));

/** The model without what legitimately differs: where it came from. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !['source', 'loc', 'fieldLocs', 'inlineHandlers'].includes(k))
      .map(([k, v]) => [k, comparable(v)]),
  );
}

function yaml(name: string) {
  const file = fixture(name);
  const { template, problems } = readTemplateText(readFileSync(file, 'utf8'), file);
  expect(problems).toEqual([]);
  return template!;
}

describe('YAML and TypeScript twins', () => {
  it('flow: user_onboarding', () => {
    const fromYaml = yaml('user_onboarding.yaml');
    expect(comparable(flowTwin)).toStrictEqual(comparable(fromYaml));
    expect(flowTwin.source).toEqual({ kind: 'ts' });
    expect(validateTemplate(flowTwin)).toEqual([]);
  });

  it('workflow: order_fulfillment with retry, timeout, concurrency, decision, convergence, wait and subtask', () => {
    const fromYaml = yaml('order_fulfillment.yaml');
    expect(comparable(workflowTwin)).toStrictEqual(comparable(fromYaml));
    expect(validateTemplate(workflowTwin)).toEqual([]);
  });

  it('the YAML model reads as designed', () => {
    const flow = yaml('user_onboarding.yaml');
    expect(flow).toMatchObject({
      kind: 'flow',
      timeoutMs: 86_400_000,
      delayMs: 60_000,
      deleteAfterMs: 90 * 86_400_000,
      onTimeout: 'expired',
      startsWith: 'check_email',
      index: ['user_id'],
    });
    const wf = yaml('order_fulfillment.yaml');
    if (wf.kind !== 'workflow') throw new Error('expected a workflow');
    const byName = Object.fromEntries(wf.steps.map((s) => [s.name, s]));
    expect(byName.cool_down).toMatchObject({ type: 'wait', wait: { durationMs: 3_600_000, timeoutMs: 7_200_000 } });
    expect(byName.cool_down!.handler).toBeUndefined();
    expect(byName.invoice).toMatchObject({ type: 'subtask', subtask: { template: 'billing/invoice_sync', input: { source: 'shop' } } });
    expect(byName.charge_payment).toMatchObject({ timeoutMs: 30_000, concurrency: { key: '{{ input.customer_id }}', limit: 10 } });
  });
});
