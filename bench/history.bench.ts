/**
 * History rebuild speed. Run: `npx tsx bench/history.bench.ts [transitions]` — prints JSON.
 *
 * A workflow task with 100 steps and N transitions (claim/complete/retry cycles, as the engine
 * writes them) and a flow task with N transitions (state moves and whole-data snapshots of about
 * 1 KB, as the flow driver writes them), in SQLite and in memory. For each: the median of 11
 * `stateAt` calls at the last transition and in the middle of the log (cold: the whole log is
 * read and folded each time), and of `createHistory(...).stateAt` at 11 random points once its
 * checkpoints exist (what the workbench's scrubber does), in milliseconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewTransition } from '../core/model/runtime.js';
import { createHistory, stateAt } from '../core/ops/history.js';
import { MemoryStorage } from '../core/storage/memory.js';
import { SqliteStorage } from '../core/storage/sqlite.js';
import type { Storage } from '../core/storage/storage.js';
import { step, task, T0 } from '../test/fixtures/storage/records.js';

const N = Number(process.argv[2] ?? 10_000);
const STEPS = 100;
const dir = mkdtempSync(join(tmpdir(), 'stepwise-history-bench-'));

function workflowLog(taskId: string): NewTransition[] {
  const cycle = ['ready', 'running', 'waiting_for_retry', 'ready', 'running', 'complete', 'pending'];
  const out: NewTransition[] = [];
  for (let i = 0; out.length < N; i++) {
    const name = `s${i % STEPS}`;
    const from = cycle[(Math.floor(i / STEPS) + cycle.length - 1) % cycle.length]!;
    const to = cycle[Math.floor(i / STEPS) % cycle.length]!;
    out.push({ taskId, stepName: name, field: 'state', from, to, reason: 'bench', actor: 'engine', at: T0 + i, details: to === 'running' ? { attempt: 1 + Math.floor(i / STEPS) } : {} });
  }
  return out;
}

function flowLog(taskId: string): NewTransition[] {
  const out: NewTransition[] = [];
  let data = JSON.stringify({ items: Array.from({ length: 30 }, (_, i) => ({ id: i, label: `item ${i}` })), n: 0 });
  for (let i = 0; out.length < N; i++) {
    if (i % 2 === 0) out.push({ taskId, stepName: null, field: 'state', from: `s${i}`, to: `s${i + 2}`, reason: 'bench', actor: 'engine', at: T0 + i, details: {} });
    else {
      const next = data.replace(/"n":\d+/, `"n":${i}`);
      out.push({ taskId, stepName: null, field: 'data', from: data, to: next, reason: 'bench', actor: 'engine', at: T0 + i, details: {} });
      data = next;
    }
  }
  return out;
}

async function seed(s: Storage): Promise<{ workflow: number[]; flow: number[] }> {
  await s.commit({ insertTasks: [task('wf'), task('fl', { kind: 'flow', currentState: 's0' })], insertSteps: Array.from({ length: STEPS }, (_, i) => step('wf', `s${i}`)) });
  const seqs = { workflow: [] as number[], flow: [] as number[] };
  for (const [id, log] of [['wf', workflowLog('wf')], ['fl', flowLog('fl')]] as const) {
    for (let i = 0; i < log.length; i += 1000) {
      const r = await s.commit({ transitions: log.slice(i, i + 1000) });
      (id === 'wf' ? seqs.workflow : seqs.flow).push(...r.transitionSeqs);
    }
  }
  return seqs;
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return +times.sort((a, b) => a - b)[5]!.toFixed(2);
}

async function measure(s: Storage) {
  const seqs = await seed(s);
  const out: Record<string, number> = {};
  for (const [kind, id, list] of [['workflow', 'wf', seqs.workflow], ['flow', 'fl', seqs.flow]] as const) {
    out[`${kind}LastMs`] = await median(() => stateAt(s, id, list.at(-1)!));
    out[`${kind}MiddleMs`] = await median(() => stateAt(s, id, list[Math.floor(list.length / 2)]!));
    const history = createHistory(s);
    await history.stateAt(id, list.at(-1)!);
    let k = 0;
    out[`${kind}ScrubMs`] = await median(() => history.stateAt(id, list[(k = (k * 7919 + 1237) % list.length)]!));
  }
  return out;
}

const sqlite = new SqliteStorage({ file: join(dir, 'bench.db') });
const memory = new MemoryStorage();
try {
  const result = { transitions: N, sqlite: await measure(sqlite), memory: await measure(memory) };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await sqlite.close();
  await memory.close();
  rmSync(dir, { recursive: true, force: true });
}
