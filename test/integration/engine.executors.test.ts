import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { createExecutor, defaultExecutorKind } from '../../core/executor/index.js';
import { createEngine } from '../../core/engine/engine.js';
import type { HandlerFn } from '../../core/model/template.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import * as threaded from '../fixtures/engine/handlers/threaded.js';

const file = fileURLToPath(new URL('../fixtures/engine/handlers/threaded.ts', import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('executor choice', () => {
  it('is inline under tests, and configuration picks the others', async () => {
    expect(defaultExecutorKind({ VITEST: 'true' })).toBe('inline');
    expect(defaultExecutorKind({ NODE_ENV: 'test' })).toBe('inline');
    expect(defaultExecutorKind({})).toBe('pool');
    const pool = createExecutor('pool', 3);
    expect([pool.kind, pool.capacity]).toEqual(['pool', 3]);
    expect(() => createExecutor('cluster')).toThrow(/Unknown executor 'cluster'. Use one of: inline, pool, threads/);
  });
});

describe('threads executor', () => {
  it('runs handlers in worker threads, returns JSON results, progress and logs, and terminates a runaway handler at its timeout', async () => {
    const storage = new MemoryStorage();
    const handlers = new Map(
      Object.entries({ add: threaded.add, spin: threaded.spin, refuse: threaded.refuse }).map(([name, fn]) => [name, { name, fn: fn as HandlerFn, file }]),
    );
    const engine = createEngine({
      storage,
      executor: 'threads',
      concurrency: 2,
      templates: createTemplateRegistry([
        workflow('threaded', [
          step('add'),
          step('spin', { timeoutMs: 300, retry: { maxAttempts: 1 } }),
          step('refuse'),
        ]),
      ]),
      handlers: createHandlerRegistry(handlers),
    });
    cleanups.push(() => engine.close());
    const progress: unknown[] = [];
    engine.bus.on('step.progress', (e) => progress.push(e.payload));
    const task = await engine.start('threaded', { a: 2, b: 3 });
    const run = await engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('error');

    const add = (await storage.getStep(task.id, 'add'))!;
    expect(add.state).toBe('complete');
    expect((add.results as { sum: number }).sum).toBe(5);
    expect((add.results as { threadId: number }).threadId).not.toBe(threadId);
    expect(progress).toContainEqual({ fraction: 1, message: 'added' });
    const [addAttempt] = await storage.listAttempts(task.id, 'add');
    expect(addAttempt!.logs[0]!.message).toMatch(/^adding in thread \d+$/);

    const spin = (await storage.getStep(task.id, 'spin'))!;
    expect(spin.state).toBe('error');
    expect(spin.error?.code).toBe('TIMEOUT');
    expect((await storage.listAttempts(task.id, 'spin'))[0]!.outcome).toBe('timeout');

    const refuse = (await storage.getStep(task.id, 'refuse'))!;
    expect(refuse).toMatchObject({ state: 'error', attempts: 1, error: { code: 'PERMANENT', message: 'refused in a worker' } });
  });

  // Loading the whole API from sources (jiti, ~200 modules) in a fresh worker takes seconds, and
  // tens of seconds on a loaded machine; the assertion is about what loads, not how fast.
  it("gives a handler's `import 'stepwise-workflows'` the package's real API, as in the main thread", async () => {
    const storage = new MemoryStorage();
    const engine = createEngine({
      storage,
      executor: 'threads',
      templates: createTemplateRegistry([workflow('api', [step('useApi', { retry: { maxAttempts: 1 } })])]),
      handlers: createHandlerRegistry(new Map([['useApi', { name: 'useApi', fn: threaded.useApi as HandlerFn, file }]])),
    });
    cleanups.push(() => engine.close());
    const task = await engine.start('api');
    await engine.runUntilIdle({ taskId: task.id });
    const useApi = (await storage.getStep(task.id, 'useApi'))!;
    expect(useApi.error).toBeNull();
    expect(useApi.results).toEqual({ formatted: '1m30s', defineWorkflow: 'function', createEngine: 'function', sameErrorClass: true, exports: true });
  }, 120_000);
});
