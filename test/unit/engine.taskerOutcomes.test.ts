import { describe, expect, it } from 'vitest';
import type { Json } from '../../core/model/runtime.js';
import { ancestorResults } from '../../core/engine/workflow/ancestors.js';
import { taskerBatches, taskerDecision } from '../../core/engine/workflow/taskerOutcomes.js';

describe('tasker-core decision_point_outcome', () => {
  it('create_steps names the dependents; no_branches none; anything else is not tasker\'s shape', () => {
    expect(taskerDecision({ decision_point_outcome: { type: 'create_steps', step_names: ['a', 'b'] }, routing_context: { x: 1 } })).toEqual({ ok: true, value: ['a', 'b'] });
    expect(taskerDecision({ decision_point_outcome: { type: 'no_branches' }, reason: 'none' })).toEqual({ ok: true, value: [] });
    expect(taskerDecision({ proceed: ['a'] })).toBeUndefined();
    expect(taskerDecision(['a'])).toBeUndefined();
    expect(taskerDecision('a')).toBeUndefined();
  });

  it.each<[Json, string]>([
    [{ decision_point_outcome: 'a' }, 'must be'],
    [{ decision_point_outcome: { type: 'CreateSteps', step_names: ['a'] } }, "'create_steps' or 'no_branches'"],
    [{ decision_point_outcome: { type: 'create_steps', step_names: 'a' } }, 'list of step names'],
    [{ decision_point_outcome: { type: 'create_steps', step_names: [1] } }, 'list of step names'],
  ])('malformed %j says what is wrong', (value, message) => {
    const r = taskerDecision(value);
    expect(r).toMatchObject({ ok: false });
    expect((r as { message: string }).message).toContain(message);
  });
});

describe('tasker-core batch_processing_outcome', () => {
  const cursor = (id: string, start: number, end: number) => ({ batch_id: id, start_cursor: start, end_cursor: end, batch_size: end - start });

  it('create_batches: the worker template and one cursor per worker; no_batches: none', () => {
    const value = { batch_processing_outcome: { type: 'create_batches', worker_template_name: 'work', worker_count: 2, cursor_configs: [cursor('001', 0, 2), cursor('002', 2, 3)], total_items: 3 } };
    expect(taskerBatches(value)).toEqual({ ok: true, value: { workerTemplate: 'work', cursors: [cursor('001', 0, 2), cursor('002', 2, 3)] } });
    expect(taskerBatches({ batch_processing_outcome: { type: 'no_batches' } })).toEqual({ ok: true, value: { workerTemplate: null, cursors: [] } });
    expect(taskerBatches({ batches: [1] })).toBeUndefined();
    expect(taskerBatches([1, 2])).toBeUndefined();
  });

  it.each<[Json, string]>([
    [{ batch_processing_outcome: { type: 'create_batches', worker_count: 1, cursor_configs: [cursor('1', 0, 1)] } }, 'worker_template_name'],
    [{ batch_processing_outcome: { type: 'create_batches', worker_template_name: 'w', worker_count: 0, cursor_configs: [] } }, 'non-empty'],
    [{ batch_processing_outcome: { type: 'create_batches', worker_template_name: 'w', worker_count: 3, cursor_configs: [cursor('1', 0, 1)] } }, 'worker_count is 3 but cursor_configs has 1'],
    [{ batch_processing_outcome: { type: 'create_batches', worker_template_name: 'w', cursor_configs: [{ batch_id: 1 }] } }, 'cursor_configs[0]'],
    [{ batch_processing_outcome: { type: 'create_batches', worker_template_name: 'w', cursor_configs: [cursor('1', 0, 1), cursor('1', 1, 2)] } }, 'repeats a batch_id'],
    [{ batch_processing_outcome: { type: 'explode' } }, "'create_batches' or 'no_batches'"],
  ])('malformed %j says what is wrong', (value, message) => {
    const r = taskerBatches(value);
    expect(r).toMatchObject({ ok: false });
    expect((r as { message: string }).message).toContain(message);
  });
});

describe('ancestorResults', () => {
  // load → (evens, odds) → decide → plan → work#0, work#1 → total; odds_plan skipped
  const steps: Record<string, { dependsOn: string[]; state: 'complete' | 'skipped' | 'pending'; results: Json }> = {
    load: { dependsOn: [], state: 'complete', results: { numbers: [1, 2] } },
    evens: { dependsOn: ['load'], state: 'complete', results: { even_numbers: [2] } },
    odds: { dependsOn: ['load'], state: 'complete', results: { odd_numbers: [1] } },
    decide: { dependsOn: ['evens', 'odds'], state: 'complete', results: 'plan' },
    plan: { dependsOn: ['decide'], state: 'complete', results: { batches: 2 } },
    odds_plan: { dependsOn: ['decide'], state: 'skipped', results: null },
    'work#0': { dependsOn: ['plan'], state: 'complete', results: { sum: 2 } },
    'work#1': { dependsOn: ['plan'], state: 'complete', results: { sum: 0 } },
    total: { dependsOn: ['work#0', 'work#1', 'odds_plan'], state: 'pending', results: null },
  };
  const stepOf = (n: string) => steps[n];

  it('every ancestor once, the skipped ones as null, nothing that is not an ancestor', () => {
    expect(ancestorResults(stepOf, 'total')).toEqual({
      'work#0': { sum: 2 },
      'work#1': { sum: 0 },
      odds_plan: null,
      plan: { batches: 2 },
      decide: 'plan',
      evens: { even_numbers: [2] },
      odds: { odd_numbers: [1] },
      load: { numbers: [1, 2] },
    });
    expect(Object.keys(ancestorResults(stepOf, 'decide')).sort()).toEqual(['evens', 'load', 'odds']);
    expect(ancestorResults(stepOf, 'load')).toEqual({});
  });

  it('a wide diamond visits each ancestor once', () => {
    const wide: Record<string, { dependsOn: string[]; state: 'complete'; results: Json }> = { root: { dependsOn: [], state: 'complete', results: 0 } };
    for (let i = 0; i < 500; i++) wide[`m${i}`] = { dependsOn: ['root'], state: 'complete', results: i };
    wide.end = { dependsOn: Object.keys(wide).filter((n) => n !== 'root'), state: 'complete', results: null };
    let lookups = 0;
    const r = ancestorResults((n) => (lookups++, wide[n]), 'end');
    expect(Object.keys(r)).toHaveLength(501);
    expect(lookups).toBeLessThan(1100);
  });
});
