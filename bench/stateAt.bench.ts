/**
 * History: `stateAt` (core/ops) on a workflow task whose log holds 10,000 transitions (50 steps
 * cycling ready → running → complete → pending through resets), on SQLite and on memory storage.
 * Each sample rebuilds the state at the last transition (the whole log). Median and p99 in ms.
 * Run: `npx tsx bench/stateAt.bench.ts [--runs N]`.
 */
import { join } from 'node:path';
import type { NewTransition } from '../core/model/runtime.js';
import { stateAt } from '../core/ops/history.js';
import { openStorage, type StorageConfig } from '../core/storage/index.js';
import { step, task, T0 } from '../test/fixtures/storage/records.js';
import { parseArgs, runMain, tempDir } from './lib/cli.js';
import { percentile, round, median } from './lib/stats.js';

const TRANSITIONS = 10_000;
const STEPS = 50;
const CYCLE = ['ready', 'running', 'complete', 'pending'] as const;

function transition(i: number): NewTransition {
  const k = i % STEPS;
  const n = Math.floor(i / STEPS);
  const to = CYCLE[n % CYCLE.length]!;
  const from = CYCLE[(n + CYCLE.length - 1) % CYCLE.length]!;
  return { taskId: 'big', stepName: `s${k}`, field: 'state', from, to, reason: 'bench', actor: 'engine', at: T0 + i, details: to === 'running' ? { attempt: Math.floor(n / 4) + 1 } : {} };
}

async function measure(config: StorageConfig, samples: number) {
  const storage = await openStorage(config);
  try {
    await storage.commit({ insertTasks: [task('big')], insertSteps: Array.from({ length: STEPS }, (_, i) => step('big', `s${i}`)) });
    for (let b = 0; b < TRANSITIONS; b += 1000) await storage.commit({ transitions: Array.from({ length: 1000 }, (_, i) => transition(b + i)) });
    const last = (await storage.listTransitions('big')).at(-1)!.seq;
    const state = await stateAt(storage, 'big', last);
    if (Object.keys(state.steps).length !== STEPS) throw new Error(`stateAt saw ${Object.keys(state.steps).length} steps, not ${STEPS}`);
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await stateAt(storage, 'big', last);
      ms.push(performance.now() - t0);
    }
    return { transitions: TRANSITIONS, samples, medianMs: round(median(ms), 3), p99Ms: round(percentile(ms, 99), 3) };
  } finally {
    await storage.close();
  }
}

async function main() {
  const args = parseArgs();
  const samples = args.runs * 10;
  const dir = tempDir('stateAt');
  await measure({ kind: 'memory' }, 3); // warm-up
  return {
    bench: 'stateAt',
    sqlite: await measure({ kind: 'sqlite', file: join(dir, 'history.db') }, samples),
    memory: await measure({ kind: 'memory' }, samples),
  };
}

runMain(main);
