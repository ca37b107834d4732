/**
 * Stepwise set-ups the benchmarks share: a fan-out workflow built as model objects (the same
 * builders the engine's integration tests use), an engine over a storage with no-op handlers,
 * and a commit counter (how many transactions the engine spends per step).
 */
import { join } from 'node:path';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import type { HandlerFn, Template, WorkflowTemplate } from '../../core/model/template.js';
import { openStorage } from '../../core/storage/index.js';
import type { ChangeSet, Storage, SyncStorage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step, workflow } from '../../test/fixtures/engine/harness.js';

/** The no-op handler every benchmarked step runs (BullMQ's workers run the same). */
export const noop: HandlerFn = () => null;

/** `n` independent steps: the equivalent of `n` independent queue jobs. */
export function fanOut(n: number): WorkflowTemplate {
  return workflow(`fan_out_${n}`, Array.from({ length: n }, (_, i) => step(`s${i}`, { handler: 'noop' })));
}

/** `n` steps, each depending on the one before. */
export function chain(n: number): WorkflowTemplate {
  return workflow(`chain_${n}`, Array.from({ length: n }, (_, i) => step(`s${i}`, { handler: 'noop', ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}) })));
}

/** Runs one task of `template` to completion on a fresh SQLite file; ms and commits per step. */
export async function runWorkflowOnce(template: WorkflowTemplate, dir: string, name: string): Promise<{ ms: number; commitsPerStep: number }> {
  const b = await benchEngine([template], { kind: 'sqlite', dir, name });
  try {
    const start = performance.now();
    const task = await b.engine.start(template.name);
    const run = await b.engine.runUntilIdle({ taskId: task.id });
    const ms = performance.now() - start;
    if (run.task?.status !== 'complete') throw new Error(`${template.name} ended ${run.task?.status}, not complete`);
    return { ms, commitsPerStep: b.commits() / template.steps.length };
  } finally {
    await b.close();
  }
}

export interface BenchEngine {
  engine: Engine;
  storage: Storage;
  /** Storage commits since the engine was made. */
  commits(): number;
  close(): Promise<void>;
}

/**
 * Runs every commit of `storage` through `around` (given the commit to run), on both paths.
 * Storage offers Storage.sync only while nothing intercepts `commit`: wrapping `commit` alone
 * would switch it off, and the engine would then commit through the asynchronous path, which
 * users' engines (over storage nobody wraps) do not take. `read` hears every synchronous read.
 */
export function aroundCommits(storage: Storage, around: <T>(changes: ChangeSet, commit: () => T) => T, read: (name: keyof SyncStorage) => void = () => {}): void {
  const sync = storage.sync ?? null;
  const commit = storage.commit.bind(storage);
  storage.commit = (changes) => around(changes, () => commit(changes));
  if (!sync) return;
  const wrapped: SyncStorage = {
    commit: (changes) => around(changes, () => sync.commit(changes)),
    getTask: (id) => (read('getTask'), sync.getTask(id)),
    maxAttemptNumber: (taskId, stepName) => (read('maxAttemptNumber'), sync.maxAttemptNumber(taskId, stepName)),
    lastEventSeq: () => (read('lastEventSeq'), sync.lastEventSeq()),
  };
  Object.defineProperty(storage, 'sync', { value: wrapped, configurable: true });
}

/** Calls `counted` with every commit's changes, on both paths (see aroundCommits). */
export function countCommits(storage: Storage, counted: (changes: ChangeSet) => void, read?: (name: keyof SyncStorage) => void): void {
  aroundCommits(
    storage,
    (changes, commit) => {
      counted(changes);
      return commit();
    },
    read,
  );
}

/** An engine with the `pool` executor (8 at once: BullMQ's workers get the same concurrency). */
export async function benchEngine(
  templates: Template[],
  where: { kind: 'memory' } | { kind: 'sqlite'; dir: string; name: string },
  concurrency = 8,
): Promise<BenchEngine> {
  const storage = await openStorage(where.kind === 'memory' ? { kind: 'memory' } : { kind: 'sqlite', file: join(where.dir, `${where.name}.db`) });
  let commits = 0;
  countCommits(storage, () => (commits += 1));
  const engine = createEngine({
    storage,
    templates: createTemplateRegistry(templates),
    handlers: createHandlerRegistry(new Map([['noop', { name: 'noop', fn: noop, file: '' }]])),
    executor: 'pool',
    concurrency,
    onError: (err, where) => {
      throw new Error(`engine error while ${where}`, { cause: err });
    },
  });
  return {
    engine,
    storage,
    commits: () => commits,
    async close() {
      await engine.close();
      await storage.close();
    },
  };
}
