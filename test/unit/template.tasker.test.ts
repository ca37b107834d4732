import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { WorkflowTemplate } from '../../core/model/template.js';
import { DEFAULT_RETRY } from '../../core/model/template.js';
import { readTemplateFile } from '../../core/template/loadTemplate.js';
import { validateTemplate } from '../../core/template/validate.js';

const dir = fileURLToPath(new URL('../fixtures/templates/tasker/', import.meta.url));

async function load(name: string, environment?: string): Promise<WorkflowTemplate> {
  const read = await readTemplateFile(dir + name, environment ? { environment } : {});
  const problems = [...read.problems, ...(read.template ? validateTemplate(read.template) : [])];
  expect(problems).toEqual([]);
  expect(read.template?.kind).toBe('workflow');
  return read.template as WorkflowTemplate;
}

const deps = (t: WorkflowTemplate) => Object.fromEntries(t.steps.map((s) => [s.name, s.dependsOn]));

describe('tasker-core task templates load unchanged, without a single problem', () => {
  it.each(['linear.yaml', 'diamond.yaml', 'tree.yaml', 'mixed_dag.yaml', 'order_fulfillment.yaml', 'conditional_approval.yaml', 'batch.yaml', 'refunds.yaml', 'diamond_decision_batch.yaml'])(
    '%s',
    async (file) => {
      const t = await load(file);
      expect(t.steps.length).toBeGreaterThan(2);
      expect(t.source).toEqual({ kind: 'yaml', file: dir + file });
    },
  );

  it('maps namespace_name, handler.callable/initialization, retry and timeout_seconds', async () => {
    const t = await load('linear.yaml');
    expect([t.namespace, t.name, t.version]).toEqual(['linear_workflow', 'mathematical_sequence', '1.0.0']);
    expect(t.inputSchema).toMatchObject({ required: ['even_number'] });
    const [s1, s2, , s4] = t.steps;
    expect(s1).toMatchObject({
      name: 'linear_step_1',
      type: 'standard',
      description: 'Square the input',
      handler: { callable: 'LinearWorkflow::StepHandlers::LinearStep1Handler', initialization: { operation: 'square' } },
      dependsOn: [],
      retry: { retryable: true, maxAttempts: 3, backoff: 'exponential', backoffBaseMs: 1000, maxBackoffMs: 30_000 },
      timeoutMs: 30_000,
    });
    expect(s2!.retry).toEqual({ ...DEFAULT_RETRY, maxAttempts: 2, backoff: 'linear', backoffBaseMs: 500, maxBackoffMs: 5000 });
    // A partial retry block keeps tasker-core's defaults for the rest.
    expect(s4!.retry).toEqual({ ...DEFAULT_RETRY, retryable: false });
    // `method: call` is kept (it is the default); `resolver` is tasker-core's and ignored.
    expect(s4!.handler).toEqual({ callable: 'LinearWorkflow::StepHandlers::LinearStep4Handler', initialization: {}, method: 'call' });
  });

  it('keeps the step graph: diamond, tree, mixed DAG', async () => {
    expect(deps(await load('diamond.yaml'))).toEqual({
      diamond_start: [],
      diamond_branch_b: ['diamond_start'],
      diamond_branch_c: ['diamond_start'],
      diamond_end: ['diamond_branch_b', 'diamond_branch_c'],
    });
    expect(deps(await load('tree.yaml')).tree_final_convergence).toEqual(['tree_leaf_d', 'tree_leaf_e', 'tree_leaf_f', 'tree_leaf_g']);
    expect(deps(await load('mixed_dag.yaml')).dag_finalize).toEqual(['dag_validate', 'dag_transform', 'dag_analyze']);
  });

  it('reads decision, deferred_convergence, batchable and batch_worker types', async () => {
    const approval = await load('conditional_approval.yaml');
    expect(Object.fromEntries(approval.steps.map((s) => [s.name, s.type]))).toMatchObject({
      routing_decision: 'decision',
      finalize_approval: 'deferred_convergence',
      auto_approve: 'standard',
    });
    const batch = await load('batch.yaml');
    expect(batch.steps.map((s) => s.type)).toEqual(['batchable', 'batch_worker', 'deferred_convergence']);
    expect(batch.steps[0]!.handler!.initialization).toEqual({ batch_size: 200, max_workers: 5, worker_template_name: 'process_csv_batch' });
  });

  it('keeps environments and applies one when asked', async () => {
    const plain = await load('order_fulfillment.yaml');
    expect(plain.environments).toHaveProperty('test');
    expect(plain.steps[0]!.timeoutMs).toBe(45_000);
    const test = await load('order_fulfillment.yaml', 'test');
    const byName = Object.fromEntries(test.steps.map((s) => [s.name, s]));
    expect(byName.validate_order!.timeoutMs).toBe(20_000);
    expect(byName.validate_order!.retry.maxAttempts).toBe(2);
    // tasker-core replaces the whole retry block: the step's own backoff_base_ms (2000) is gone.
    expect(byName.process_payment!.retry).toEqual({ ...DEFAULT_RETRY, maxAttempts: 1 });
    expect(byName.ship_order!.timeoutMs).toBe(60_000);
  });

  it('applies an ALL override to every step, merging handler initialization', async () => {
    const t = await load('linear.yaml', 'test');
    expect(t.steps.every((s) => s.handler!.initialization.trace === true)).toBe(true);
    expect(t.steps[0]!.handler!.initialization).toEqual({ operation: 'square', trace: true });
    expect(t.steps[0]!.timeoutMs).toBe(5000);
  });

  it('an unknown environment changes nothing', async () => {
    expect((await load('linear.yaml', 'production')).steps).toEqual((await load('linear.yaml')).steps);
  });
});
