import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { ManualClock } from '../../core/model/clock.js';
import type { StepContext } from '../../core/model/handlers.js';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step, workflow } from '../fixtures/engine/harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const template = workflow('approval', [
  step('prepare'),
  step('approve', { type: 'wait', handler: null, dependsOn: ['prepare'] }),
  step('apply', { dependsOn: ['approve'] }),
]);
const handlers = { prepare: () => 'p', apply: (ctx: StepContext) => ({ approvedBy: ctx.results.approve }) };

/** Two engines, each with its own connection to one SQLite file (two processes, in effect). */
async function twoEngines(): Promise<[Engine, Engine, Storage]> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-multi-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'shared.db');
  const clock = new ManualClock();
  const engines: Engine[] = [];
  let first: Storage | undefined;
  for (const owner of ['engine-a', 'engine-b']) {
    const storage = await openStorage({ kind: 'sqlite', file, clock });
    first ??= storage;
    const engine = createEngine({
      storage,
      clock,
      owner,
      executor: 'inline',
      templates: createTemplateRegistry([template]),
      handlers: createHandlerRegistry(new Map(Object.entries(handlers).map(([name, fn]) => [name, { name, fn, file: '' }]))),
    });
    cleanups.push(async () => {
      await engine.close();
      await storage.close();
    });
    engines.push(engine);
  }
  return [engines[0]!, engines[1]!, first!];
}

describe('engines sharing one database', () => {
  it('sees what another engine changed, and refuses a second signal instead of completing a step twice', async () => {
    const [a, b, storage] = await twoEngines();
    const task = await a.start('approval', {});
    expect((await a.runUntilIdle({ taskId: task.id })).task?.status).toBe('waiting');

    // B signals; A's cached view of the task is now stale.
    await b.signal(task.id, 'approve', { by: 'b' });
    await expect(a.signal(task.id, 'approve', { by: 'a' })).rejects.toMatchObject({ code: 'INVALID_STATE' });

    const run = await a.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(run.task?.result).toEqual({ apply: { approvedBy: { by: 'b' } } });
    const completions = (await storage.listTransitions(task.id)).filter((t) => t.stepName !== null && t.to === 'complete');
    expect(completions.map((t) => t.stepName)).toEqual(['prepare', 'approve', 'apply']);
  });

  it('lets a cancellation by another engine win over a stale plan', async () => {
    const [a, b] = await twoEngines();
    const task = await a.start('approval', {});
    await a.runUntilIdle({ taskId: task.id });
    await b.cancelTask(task.id, 'from b');
    await expect(a.signal(task.id, 'approve', {})).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('cancelled') });
    expect((await a.runUntilIdle({ taskId: task.id })).task?.status).toBe('cancelled');
  });
});
