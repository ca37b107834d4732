/**
 * Engine benchmarks (`npx tsx bench/engine.bench.ts [--runs N]`), printed as JSON:
 * - fanOut: no-op step throughput on SQLite (a temp file) for a root step and 5,000 dependents;
 * - chain: the same for a chain of 200 steps;
 * - readiness: the time to find the newly ready steps after one completion in a 10,000-step DAG
 *   (the pure, incremental readiness planner over a task view), median and p99 in µs.
 * Figures are medians over repeated runs, each on a fresh database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type EngineOptions } from '../core/engine/engine.js';
import { Draft } from '../core/engine/runtime/draft.js';
import { propagateReadiness } from '../core/engine/workflow/readiness.js';
import { buildView } from '../core/engine/runtime/view.js';
import type { StepRecord, TaskRecord } from '../core/model/runtime.js';
import type { StepState } from '../core/model/states.js';
import { DEFAULT_RETRY, type StepTemplate, type WorkflowTemplate } from '../core/model/template.js';
import type { ExecutorKind } from '../core/model/workspace.js';
import { openStorage } from '../core/storage/index.js';
import { createHandlerRegistry, createTemplateRegistry } from '../core/template/registry.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const noop = () => null;
const step = (name: string, dependsOn: string[]): StepTemplate => ({
  name,
  type: 'standard',
  dependsOn,
  handler: { callable: 'noop', initialization: {} },
  retry: DEFAULT_RETRY,
});
const wf = (name: string, steps: StepTemplate[]): WorkflowTemplate => ({ kind: 'workflow', namespace: 'bench', name, version: '1', source: { kind: 'inline' }, steps });

const fanOut = wf('fan_out', [step('root', []), ...Array.from({ length: 5000 }, (_, i) => step(`leaf_${i}`, ['root']))]);
const chain = wf('chain', Array.from({ length: 200 }, (_, i) => step(`s${i}`, i === 0 ? [] : [`s${i - 1}`])));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function throughput(template: WorkflowTemplate, executor: ExecutorKind, extra: Partial<EngineOptions> = {}) {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
    const storage = await openStorage({ kind: 'sqlite', file: join(dir, 'bench.db') });
    const engine = createEngine({
      storage,
      templates: createTemplateRegistry([template]),
      handlers: createHandlerRegistry(new Map([['noop', { name: 'noop', fn: noop, file: '' }]])),
      executor,
      ...extra,
    });
    try {
      const t0 = performance.now();
      const task = await engine.start(template.name, {});
      const run = await engine.runUntilIdle({ taskId: task.id });
      const ms = performance.now() - t0;
      if (run.task?.status !== 'complete') throw new Error(`${template.name} ended ${run.task?.status}`);
      times.push(ms);
    } finally {
      await engine.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ms = median(times);
  return { steps: template.steps.length, executor, runs: RUNS, medianMs: round(ms), stepsPerSecond: Math.round(template.steps.length / (ms / 1000)) };
}

/**
 * A layered DAG of 10,000 steps: 100 layers of 100, each step depending on 3 steps of the layer
 * before. Layers before k are complete, layer k is complete except one running step, the rest
 * pending: completing that step makes its 3 dependents ready. Each sample plans that completion
 * on a fresh draft (the view is not changed), as the engine does after a handler returns.
 */
function readinessBench(samples = 5000) {
  const layers = 100;
  const width = 100;
  const k = 50;
  const name = (l: number, i: number) => `l${l}_${i}`;
  const task = { id: 'bench', kind: 'workflow', status: 'running', version: 1, debug: { paused: false, breakpoints: [] } } as unknown as TaskRecord;
  const views = [0, 37, 99].map((runningIndex) => {
    const steps: StepRecord[] = [];
    for (let l = 0; l < layers; l++) {
      for (let i = 0; i < width; i++) {
        const dependsOn = l === 0 ? [] : [name(l - 1, i), name(l - 1, (i + 1) % width), name(l - 1, (i + 7) % width)];
        const state: StepState = l < k || (l === k && i !== runningIndex) ? 'complete' : l === k ? 'running' : 'pending';
        steps.push({ id: name(l, i), taskId: 'bench', name: name(l, i), templateStep: name(l, i), type: 'standard', state, dependsOn, version: 1 } as StepRecord);
      }
    }
    return { view: buildView(task, steps), target: name(k, runningIndex) };
  });
  const us: number[] = [];
  let newlyReady = 0;
  for (let n = 0; n < samples; n++) {
    const { view, target } = views[n % views.length]!;
    const t0 = performance.now();
    const d = new Draft(view, 0);
    d.moveStep(target, 'complete', 'bench');
    propagateReadiness(d, [target]);
    us.push((performance.now() - t0) * 1000);
    newlyReady += d.becameReady.length;
  }
  return { steps: layers * width, samples, medianUs: round(median(us), 2), p99Us: round(percentile(us, 99), 2), newlyReadyPerCompletion: round(newlyReady / samples, 2) };
}

const result = {
  node: process.version,
  fanOut5000: { inline: await throughput(fanOut, 'inline'), pool8: await throughput(fanOut, 'pool', { concurrency: 8 }) },
  chain200: { inline: await throughput(chain, 'inline'), pool8: await throughput(chain, 'pool', { concurrency: 8 }) },
  readiness10k: readinessBench(),
};
console.log(JSON.stringify(result, null, 2));
