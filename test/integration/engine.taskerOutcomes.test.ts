import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../core/engine/open.js';
import type { StepContext } from '../../core/model/handlers.js';
import type { Json } from '../../core/model/runtime.js';
import { DEFAULT_BATCH_CONFIG, type BatchConfig, type HandlerFn } from '../../core/model/template.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { harness, states, step, workflow, type Harness } from '../fixtures/engine/harness.js';

// tasker-core's outcome shapes run end to end: a decision returning decision_point_outcome, a
// batchable step returning batch_processing_outcome (workers `{template}_{batch_id}` with
// tasker's cursor, batch_metadata and is_no_op in their initialization; no_batches → one no-op
// placeholder), handlers reading ancestors' results, and batch_config.parallelism as the limit of
// concurrently running workers.
const workspace = fileURLToPath(new URL('../fixtures/engine/tasker', import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function crunch(numbers: number[]) {
  const storage = new MemoryStorage();
  const opened = await openEngine({ workspace, db: storage, executor: 'inline' });
  cleanups.push(() => opened.close());
  const task = await opened.engine.start('crunch/number_crunch', { numbers });
  const run = await opened.engine.runUntilIdle({ taskId: task.id });
  const steps = new Map((await storage.getSteps(task.id)).map((s) => [s.name, s]));
  return { task: run.task!, steps };
}

describe('number_crunch (tasker-style handlers and outcomes)', () => {
  it('decides from ancestors, batches the chosen side with cursor workers, and converges', async () => {
    const { task, steps } = await crunch([1, 2, 3, 4, 5, 6, 7]);
    expect(task.status).toBe('complete');
    // 3 evens of 7: choose_side (reading load_numbers two levels up) picks the odds.
    expect(steps.get('choose_side')!.results).toMatchObject({ decision_point_outcome: { type: 'create_steps', step_names: ['plan_odds'] } });
    expect(steps.get('plan_evens')!.state).toBe('skipped');
    expect(steps.get('sum_evens')!.state).toBe('skipped');
    expect(steps.get('sum_odds')!.state).toBe('skipped');
    const w1 = steps.get('sum_odds_001')!;
    expect(w1).toMatchObject({ state: 'complete', templateStep: 'sum_odds', createdBy: 'plan_odds', type: 'batch_worker' });
    expect(w1.batch).toEqual({
      cursor: { batch_id: '001', start_cursor: 0, end_cursor: 2, batch_size: 2 },
      batch_metadata: { cursor_field: 'index', failure_strategy: 'fail_fast' },
      is_no_op: false,
    });
    expect(w1.results).toEqual({ batch_id: '001', sum: 4, metadata: { cursor_field: 'index', failure_strategy: 'fail_fast' }, template: 'sum_odds', same_inputs: true });
    expect(steps.get('sum_odds_002')!.results).toMatchObject({ batch_id: '002', sum: 12 });
    expect(steps.get('total')!.results).toEqual({ total: 16, workers: ['sum_odds_001', 'sum_odds_002'] });
  });

  it('takes the other branch with other numbers', async () => {
    const { task, steps } = await crunch([2, 4, 6, 1]);
    expect(task.status).toBe('complete');
    expect(steps.get('plan_odds')!.state).toBe('skipped');
    expect([...steps.keys()].filter((n) => n.startsWith('sum_evens_')).sort()).toEqual(['sum_evens_001', 'sum_evens_002']);
    expect(steps.get('sum_evens_001')!.results).toMatchObject({ metadata: { failure_strategy: 'continue_on_failure' } });
    expect(steps.get('total')!.results).toEqual({ total: 12, workers: ['sum_evens_001', 'sum_evens_002'] });
  });

  it('no_branches skips every branch', async () => {
    const { task, steps } = await crunch([]);
    expect(task.status).toBe('complete');
    expect(steps.get('choose_side')!.results).toMatchObject({ decision_point_outcome: { type: 'no_branches' } });
    expect([steps.get('plan_evens')!.state, steps.get('plan_odds')!.state]).toEqual(['skipped', 'skipped']);
  });
});

describe('tasker-core batch outcomes in the engine', () => {
  let h: Harness;
  afterEach(async () => h?.close());
  const config = (over: Partial<BatchConfig> = {}): BatchConfig => ({ ...DEFAULT_BATCH_CONFIG, workerTemplate: 'work', ...over });
  const batchFlow = (workConfig?: BatchConfig, extra: { initialization?: Record<string, unknown> } = {}) =>
    workflow('tasker_batches', [
      step('split', { type: 'batchable', retry: { maxAttempts: 1 }, ...extra }),
      step('work', { type: 'batch_worker', dependsOn: ['split'], ...(workConfig ? { batchConfig: workConfig } : {}) }),
      step('other', { handler: 'work', type: 'batch_worker', dependsOn: ['split'] }),
      step('done', { type: 'deferred_convergence', dependsOn: ['work', 'other'] }),
    ]);
  const seen: Array<{ name: string; initialization: Record<string, unknown>; batch: Json }> = [];
  const handlers = (split: HandlerFn): Record<string, HandlerFn> => ({
    split,
    work: ((ctx: StepContext) => {
      seen.push({ name: ctx.step.name, initialization: ctx.initialization, batch: ctx.batch });
      return { done: ctx.step.name };
    }) as HandlerFn,
    done: ((ctx: StepContext) => ({ deps: Object.keys(ctx.results).sort() })) as HandlerFn,
  });

  it('no_batches creates one placeholder worker of the named template that runs normally', async () => {
    seen.length = 0;
    h = await harness({
      templates: [batchFlow(config({ cursorField: 'order_id' }), { initialization: { worker_template_name: 'work' } })],
      handlers: handlers(() => ({ batch_processing_outcome: { type: 'no_batches' } })),
    });
    const task = await h.engine.start('tasker_batches', {});
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
    expect(await states(h.storage, task.id)).toEqual({ split: 'complete', work: 'skipped', other: 'skipped', work_000: 'complete', done: 'complete' });
    expect(seen).toEqual([
      {
        name: 'work_000',
        initialization: {
          cursor: { batch_id: '000', start_cursor: 0, end_cursor: 0, batch_size: 0 },
          batch_metadata: { cursor_field: 'order_id', failure_strategy: 'continue_on_failure' },
          is_no_op: true,
          __template_step_name: 'work',
        },
        batch: { cursor: { batch_id: '000', start_cursor: 0, end_cursor: 0, batch_size: 0 }, batch_metadata: { cursor_field: 'order_id', failure_strategy: 'continue_on_failure' }, is_no_op: true },
      },
    ]);
    expect((await h.storage.getStep(task.id, 'done'))!.results).toEqual({ deps: ['split', 'work_000'] });
  });

  it('create_batches makes workers only from the template it names; the other waits for nothing', async () => {
    seen.length = 0;
    h = await harness({
      templates: [batchFlow()],
      handlers: handlers(() => ({
        batch_processing_outcome: {
          type: 'create_batches',
          worker_template_name: 'other',
          worker_count: 2,
          cursor_configs: [
            { batch_id: 'batch_a', start_cursor: 'a', end_cursor: 'm', batch_size: 13 },
            { batch_id: 'batch_b', start_cursor: 'n', end_cursor: 'z', batch_size: 13 },
          ],
          total_items: 26,
        },
      })),
    });
    const task = await h.engine.start('tasker_batches', {});
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
    expect(await states(h.storage, task.id)).toMatchObject({ work: 'skipped', other: 'skipped', other_batch_a: 'complete', other_batch_b: 'complete', done: 'complete' });
    expect(seen.map((s) => s.name).sort()).toEqual(['other_batch_a', 'other_batch_b']);
    // No batch_config on the template: tasker's defaults.
    expect(seen[0]!.initialization).toMatchObject({ batch_metadata: { cursor_field: 'id', failure_strategy: 'continue_on_failure' }, is_no_op: false });
    expect((await h.storage.getStep(task.id, 'done'))!.results).toEqual({ deps: ['other_batch_a', 'other_batch_b', 'split'] });
  });

  it.each([
    ['a worker template that is not a batch_worker dependent', { type: 'create_batches', worker_template_name: 'done', cursor_configs: [{ batch_id: '1', start_cursor: 0, end_cursor: 1, batch_size: 1 }] }, 'UNDECLARED_TARGET', /'done', which is not a batch_worker step depending on it/],
    ['a worker name that is already a step', { type: 'create_batches', worker_template_name: 'work', cursor_configs: [{ batch_id: 'x', start_cursor: 0, end_cursor: 1, batch_size: 1 }] }, 'HANDLER_ERROR', /would create worker 'work_x'/],
    ['an unknown type', { type: 'some_batches' }, 'HANDLER_ERROR', /malformed tasker-core outcome: batch_processing_outcome.type must be/],
  ])('refuses %s without creating anything', async (_, outcome, code, message) => {
    h = await harness({
      templates: [workflow('tasker_batches', [...batchFlow().steps, step('work_x', { handler: 'work' })])],
      handlers: handlers(() => ({ batch_processing_outcome: outcome })),
    });
    const task = await h.engine.start('tasker_batches', {});
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('error');
    const split = (await h.storage.getStep(task.id, 'split'))!;
    expect(split).toMatchObject({ state: 'error', error: { code } });
    expect(split.error?.message).toMatch(message);
    expect((await h.storage.getSteps(task.id)).filter((s) => s.dynamic)).toEqual([]);
  });

  it('runs at most batch_config.parallelism workers of one batchable step at once (config on the batchable, naming its worker)', async () => {
    let running = 0;
    let most = 0;
    h = await harness({
      templates: [
        workflow('parallel', [
          step('split', { type: 'batchable', batchConfig: config({ parallelism: 2 }) }),
          step('work', { type: 'batch_worker', dependsOn: ['split'] }),
        ]),
      ],
      handlers: {
        split: () => ({ batches: [1, 2, 3, 4, 5, 6] }),
        work: async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 30));
          running -= 1;
          return null;
        },
      },
      executor: 'pool',
      concurrency: 8,
    });
    const task = await h.engine.start('parallel', {});
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
    expect((await h.storage.getSteps(task.id)).filter((s) => s.dynamic && s.state === 'complete')).toHaveLength(6);
    expect(most).toBe(2);
  });
});
