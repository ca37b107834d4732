/**
 * What isolating handlers costs (`npx tsx bench/isolation.bench.ts [--runs N] [--quick]`), as
 * JSON: the same workflows run with handlers in process (`pool`, what `stepwise run` uses) and in
 * worker threads (`threads`, the default of the workbench host and the runner), alternating run by
 * run in this process, on SQLite files. The handler is a no-op loaded from a module file, so the
 * figures are the per-step overhead of the executor: dispatch, structured clone of the context
 * and result to and from a worker, the guard scope.
 *
 * - chain: N sequential steps (each waits for the one before: the round trip per step);
 * - fanOut: N independent steps, 4 at a time (throughput);
 * - dispatch: the executor alone (no engine, no storage), one job at a time and 4 at a time;
 * - coldStart: a fresh executor's first step (a worker thread starting and loading its modules).
 * Workers are warmed before the timed runs (the pool keeps them for 30 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../core/engine/engine.js';
import { createExecutor, type Executor, type Job } from '../core/executor/index.js';
import { DEFAULT_RETRY, type StepTemplate, type WorkflowTemplate } from '../core/model/template.js';
import { openStorage } from '../core/storage/index.js';
import { createHandlerRegistry, createTemplateRegistry } from '../core/template/registry.js';
import { median, round } from './lib/stats.js';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
const QUICK = argv.includes('--quick');
const CHAIN = QUICK ? 100 : 300;
const FAN = QUICK ? 400 : 2000;
const CONCURRENCY = 4;

const file = fileURLToPath(new URL('./lib/noopHandler.ts', import.meta.url));
const step = (name: string, dependsOn: string[]): StepTemplate => ({ name, type: 'standard', dependsOn, handler: { callable: 'noop', initialization: {} }, retry: DEFAULT_RETRY });
const wf = (name: string, steps: StepTemplate[]): WorkflowTemplate => ({ kind: 'workflow', namespace: 'bench', name, version: '1', source: { kind: 'inline' }, steps });
const chain = wf('chain', Array.from({ length: CHAIN }, (_, i) => step(`s${i}`, i === 0 ? [] : [`s${i - 1}`])));
const fanOut = wf('fan_out', Array.from({ length: FAN }, (_, i) => step(`s${i}`, [])));
const handlers = createHandlerRegistry(new Map([['noop', { name: 'noop', fn: () => null, file }]]));

/** One task of `template` on a fresh SQLite file with `executor`; milliseconds from start to complete. */
async function once(template: WorkflowTemplate, executor: Executor): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-isolation-'));
  const storage = await openStorage({ kind: 'sqlite', file: join(dir, 'bench.db') });
  const engine = createEngine({ storage, templates: createTemplateRegistry([template]), handlers, executor });
  try {
    const t0 = performance.now();
    const task = await engine.start(template.name, {});
    const run = await engine.runUntilIdle({ taskId: task.id });
    const ms = performance.now() - t0;
    if (run.task?.status !== 'complete') throw new Error(`${template.name} under ${executor.kind} ended ${run.task?.status}`);
    return ms;
  } finally {
    await engine.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function compare(template: WorkflowTemplate) {
  const executors = { pool: createExecutor('pool', CONCURRENCY), threads: createExecutor('threads', CONCURRENCY) };
  try {
    // Warm-up: every worker thread started and its modules loaded before timing.
    for (const e of Object.values(executors)) await once(wf('warm', Array.from({ length: CONCURRENCY * 2 }, (_, i) => step(`w${i}`, []))), e);
    const times: Record<'pool' | 'threads', number[]> = { pool: [], threads: [] };
    for (let r = 0; r < RUNS; r++) {
      times.pool.push(await once(template, executors.pool));
      times.threads.push(await once(template, executors.threads));
    }
    const perStep = (kind: 'pool' | 'threads') => round((median(times[kind]) * 1000) / template.steps.length, 1);
    const pool = perStep('pool');
    const threads = perStep('threads');
    return {
      steps: template.steps.length,
      runs: RUNS,
      inProcessUsPerStep: pool,
      isolatedUsPerStep: threads,
      isolationCostUsPerStep: round(threads - pool, 1),
      /** Isolated throughput ÷ in-process throughput (below 1: what isolation costs). */
      isolatedVsInProcess: round(pool / threads, 3),
      stepsPerSecond: { inProcess: Math.round(1e6 / pool), isolated: Math.round(1e6 / threads) },
    };
  } finally {
    await Promise.all(Object.values(executors).map((e) => e.close()));
  }
}

/**
 * The executor alone, no engine or storage: N jobs of the no-op handler through `executor.run`,
 * one at a time (the round trip of one dispatch) and all at once (throughput at the executor's
 * capacity); pool and threads alternating run by run.
 */
async function dispatch(jobs: number) {
  const executors = { pool: createExecutor('pool', CONCURRENCY), threads: createExecutor('threads', CONCURRENCY) };
  const signal = new AbortController().signal;
  const job = (i: number): Job => ({
    kind: 'step',
    handlerName: 'noop',
    fn: () => null,
    file,
    signal,
    onProgress: () => undefined,
    onLog: () => undefined,
    context: { taskId: 't', input: { i }, results: {}, step: { name: `s${i}`, templateStep: 's', attempt: 1, maxAttempts: 1, type: 'standard' }, initialization: {}, batch: null },
  });
  const sequential = async (e: Executor) => {
    const t0 = performance.now();
    for (let i = 0; i < jobs; i++) if ((await e.run(job(i))).kind !== 'success') throw new Error(`${e.kind}: job ${i} failed`);
    return ((performance.now() - t0) * 1000) / jobs;
  };
  const parallel = async (e: Executor) => {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs) if ((await e.run(job(next++))).kind !== 'success') throw new Error(`${e.kind}: a job failed`);
      }),
    );
    return ((performance.now() - t0) * 1000) / jobs;
  };
  try {
    for (const e of Object.values(executors)) await parallel(e); // warm-up: workers started, modules loaded
    const seq: Record<'pool' | 'threads', number[]> = { pool: [], threads: [] };
    const par: Record<'pool' | 'threads', number[]> = { pool: [], threads: [] };
    for (let r = 0; r < RUNS; r++) {
      for (const kind of ['pool', 'threads'] as const) {
        seq[kind].push(await sequential(executors[kind]));
        par[kind].push(await parallel(executors[kind]));
      }
    }
    const m = (xs: number[]) => round(median(xs), 1);
    return {
      jobs,
      runs: RUNS,
      oneAtATime: { inProcessUsPerJob: m(seq.pool), isolatedUsPerJob: m(seq.threads), isolationCostUsPerJob: round(m(seq.threads) - m(seq.pool), 1) },
      [`${CONCURRENCY}AtATime`]: { inProcessUsPerJob: m(par.pool), isolatedUsPerJob: m(par.threads), isolationCostUsPerJob: round(m(par.threads) - m(par.pool), 1) },
    };
  } finally {
    await Promise.all(Object.values(executors).map((e) => e.close()));
  }
}

async function coldStart() {
  const one = wf('one', [step('only', [])]);
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const executor = createExecutor('threads', 1);
    try {
      samples.push(await once(one, executor));
    } finally {
      await executor.close();
    }
  }
  return { runs: RUNS, firstStepMs: round(median(samples), 1) };
}

const result = {
  node: process.version,
  concurrency: CONCURRENCY,
  chain: await compare(chain),
  fanOut: await compare(fanOut),
  dispatch: await dispatch(QUICK ? 500 : 2000),
  coldStart: await coldStart(),
};
console.log(JSON.stringify(result, null, 2));
