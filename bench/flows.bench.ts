/**
 * Flows: the registration-like flow (action → wait → interaction → decision → action → result)
 * run to its end many times, by Stepwise on memory storage, by Stepwise on SQLite (a durable
 * file) and by XState 5 actors in memory, in this one process, one after the other per round.
 * Run: `npx tsx bench/flows.bench.ts [--quick] [--runs N]`; `npm run bench` runs it compiled
 * (../lib/compiled.ts: tsc's JavaScript, as users run Stepwise; `code` in the output says which).
 *
 * Reported per second: flows (registrations completed) and flow transitions (state changes in
 * the transition log; XState makes the same five moves per run).
 */
import { createEngine, type Engine } from '../core/engine/engine.js';
import { openStorage, type StorageConfig } from '../core/storage/index.js';
import type { Storage } from '../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../core/template/registry.js';
import { join } from 'node:path';
import { parseArgs, runMain, tempDir } from './lib/cli.js';
import { registrationFlow, runRegistration } from './lib/registration.js';
import { perSecond, round, sample, timed } from './lib/stats.js';
import { runXStateRegistrations } from './peers/xstate.js';

async function stepwise(config: StorageConfig): Promise<{ engine: Engine; storage: Storage }> {
  const storage = await openStorage(config);
  const engine = createEngine({ storage, templates: createTemplateRegistry([registrationFlow]), handlers: createHandlerRegistry(new Map()), executor: 'inline' });
  return { engine, storage };
}

/** Runs `n` registrations on a fresh storage; returns ms and the flow transitions of one run. */
async function stepwiseRun(config: StorageConfig, n: number): Promise<{ ms: number; transitionsPerFlow: number }> {
  const { engine, storage } = await stepwise(config);
  try {
    let last = '';
    const ms = await timed(async () => {
      for (let i = 0; i < n; i++) last = await runRegistration(engine.flows, i);
    });
    const moves = (await storage.listTransitions(last, { stepName: null })).filter((t) => t.field === 'state');
    return { ms, transitionsPerFlow: moves.length };
  } finally {
    await engine.close();
    await storage.close();
  }
}

function summary(n: number, runs: number[], transitionsPerFlow: number) {
  const ms = sample(runs);
  const flowsPerSecond = perSecond(n, ms.median);
  return { flows: n, ms, flowsPerSecond: round(flowsPerSecond), transitionsPerFlow, transitionsPerSecond: round(flowsPerSecond * transitionsPerFlow) };
}

async function main() {
  const args = parseArgs();
  const dir = tempDir('flows');
  // 10,000 memory flows per run (not 50,000): a run of 50,000 kept 50,000 finished flows in one
  // MemoryStorage and took minutes at load 15-25, so three runs and the warm-up passed the
  // suite's 400 s limit. Every figure is per second, so the sizes need not match XState's.
  const nMemory = args.quick ? 5_000 : 10_000;
  const nSqlite = args.quick ? 500 : 2_000;
  const nXState = 50_000;

  // Warm-up (JIT) of all three, then rounds that alternate them, so drift hits all alike.
  runXStateRegistrations(2_000);
  await stepwiseRun({ kind: 'memory' }, 1_000);
  await stepwiseRun({ kind: 'sqlite', file: join(dir, 'warm.db') }, 200);

  const xs: number[] = [];
  const mem: number[] = [];
  const sql: number[] = [];
  let memMoves = 0;
  let sqlMoves = 0;
  for (let r = 0; r < args.runs; r++) {
    xs.push(await timed(async () => runXStateRegistrations(nXState)));
    const m = await stepwiseRun({ kind: 'memory' }, nMemory);
    mem.push(m.ms);
    memMoves = m.transitionsPerFlow;
    const s = await stepwiseRun({ kind: 'sqlite', file: join(dir, `run-${r}.db`) }, nSqlite);
    sql.push(s.ms);
    sqlMoves = s.transitionsPerFlow;
  }
  const xstate = summary(nXState, xs, 5);
  const memory = summary(nMemory, mem, memMoves);
  const sqlite = summary(nSqlite, sql, sqlMoves);
  return {
    bench: 'flows',
    code: import.meta.url.endsWith('.js') ? 'compiled JavaScript (tsc)' : 'TypeScript through tsx',
    flow: 'register → wait_for_email ← provide_email → check_email → send_welcome → done',
    xstate,
    stepwiseMemory: memory,
    stepwiseSqlite: sqlite,
    ratios: {
      memoryVsXState: round(memory.flowsPerSecond / xstate.flowsPerSecond, 4),
      sqliteVsXState: round(sqlite.flowsPerSecond / xstate.flowsPerSecond, 4),
    },
  };
}

runMain(main);
