/**
 * From the benchmarks' JSON to the rows of the table `npm run bench` prints and
 * bench/results.json keeps: each row names its workload, Stepwise's figure, the peer's (or the
 * ceiling's) and their ratio. A figure a benchmark did not produce is `null` with the reason.
 */
import { round } from './stats.js';

export type Results = Record<string, Record<string, unknown> | undefined>;

export interface Row {
  name: string;
  workload: string;
  stepwise: string;
  peer: string;
  /** Stepwise ÷ peer (throughputs), when the row compares. */
  ratio: number | null;
  note?: string;
}

/** A number at a dotted path of a benchmark's JSON, or null. */
export function pick(results: Results, bench: string, path: string): number | null {
  let at: unknown = results[bench];
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return null;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === 'number' && Number.isFinite(at) ? at : null;
}

const fmt = (x: number | null, unit: string) => (x === null ? 'n/a' : `${x.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${unit}`);
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : round(a / b, 3));

export function buildRows(r: Results): Row[] {
  // Stepwise's side of the BullMQ rows is measured in the same process, alternating run by run.
  const fan = pick(r, 'bullmq', 'independent.stepwise.stepsPerSecond');
  const chain = pick(r, 'bullmq', 'chain.stepwise.stepsPerSecond');
  const bullInd = pick(r, 'bullmq', 'independent.bullmq.jobsPerSecond');
  const bullChain = pick(r, 'bullmq', 'chain.bullmq.jobsPerSecond');
  const xs = pick(r, 'flows', 'xstate.flowsPerSecond');
  const mem = pick(r, 'flows', 'stepwiseMemory.flowsPerSecond');
  const sql = pick(r, 'flows', 'stepwiseSqlite.flowsPerSecond');
  const ceiling = pick(r, 'ceiling', 'commitsPerSecond.rawCeiling3');
  const storageCommit = pick(r, 'ceiling', 'commitsPerSecond.storageCommit');
  const ceilingEngine = pick(r, 'ceiling', 'engine.stepsPerSecond');
  const rows: Row[] = [
    {
      name: 'Independent no-op work vs BullMQ',
      workload: 'Stepwise: 1 task of 5,000 independent steps, SQLite file, pool of 8 | BullMQ: 5,000 jobs (addBulk), worker concurrency 8, local Redis; alternating runs',
      stepwise: fmt(fan, 'steps/s'),
      peer: fmt(bullInd, 'jobs/s'),
      ratio: ratio(fan, bullInd),
    },
    {
      name: '200-deep chain vs BullMQ',
      workload: 'Stepwise: 200-step chain, SQLite file, pool of 8 | BullMQ: FlowProducer, 200 nested children; alternating runs',
      stepwise: fmt(chain, 'steps/s'),
      peer: fmt(bullChain, 'jobs/s'),
      ratio: ratio(chain, bullChain),
    },
    {
      name: 'Registration flow vs XState (memory)',
      workload: `action → wait → interaction → decision → action → result; Stepwise ${pick(r, 'flows', 'stepwiseMemory.flows') ?? '?'} runs on memory storage | XState 5 actors, ${pick(r, 'flows', 'xstate.flows') ?? '?'} runs`,
      stepwise: fmt(mem, 'flows/s'),
      peer: fmt(xs, 'flows/s'),
      ratio: ratio(mem, xs),
    },
    {
      name: 'Registration flow vs XState (SQLite)',
      workload: `the same flow, Stepwise ${pick(r, 'flows', 'stepwiseSqlite.flows') ?? '?'} runs on a SQLite file | XState 5 in memory`,
      stepwise: fmt(sql, 'flows/s'),
      peer: fmt(xs, 'flows/s'),
      ratio: ratio(sql, xs),
    },
    {
      name: 'Engine vs the SQLite ceiling',
      workload: `5,000-step fan-out steps/s ÷ raw better-sqlite3 transactions/s of one step write (step update + transition + event, one IMMEDIATE transaction, SqliteStorage's schema and pragmas), alternating in one process on one file system, ${pick(r, 'ceiling', 'commits') ?? '20,000'} commits each (past ${pick(r, 'ceiling', 'walCheckpointsPassed.rawCeiling3') ?? 'at least one'} WAL checkpoints; bench/ceiling.bench.ts)`,
      stepwise: fmt(ceilingEngine, 'steps/s'),
      peer: fmt(ceiling, 'tx/s'),
      ratio: ratio(ceilingEngine, ceiling),
      note: storageCommit === null ? undefined : `SqliteStorage.commit of the same change: ${fmt(storageCommit, 'commits/s')} (${fmt(ratio(storageCommit, ceiling), '× ceiling')}); the engine makes ${pick(r, 'bullmq', 'independent.stepwiseCommitsPerStep') ?? 'an unmeasured number of'} commits per step (an outcome commit also claims the next ready steps; outcomes finishing together share one).`,
    },
    {
      name: 'Storage commit of one step change',
      workload: 'step patch + transition + event per commit, round-robin over 100 steps (bench/storage.bench.ts); listTransitions of a 10,000-transition task',
      stepwise: `${fmt(pick(r, 'storage', 'commitsPerSecond.sqliteStepCommit'), 'commits/s')} SQLite, ${fmt(pick(r, 'storage', 'commitsPerSecond.memoryStepCommit'), 'commits/s')} memory; 10k transitions read in ${fmt(pick(r, 'storage', 'transitionsRead10kMs.sqlite'), 'ms')}`,
      peer: '',
      ratio: null,
    },
    {
      name: 'Readiness after a completion',
      workload: `10,000-step layered DAG, one completion planned (pure readiness over the task view)`,
      stepwise: `median ${fmt(pick(r, 'engine', 'readiness10k.medianUs'), 'µs')}, p99 ${fmt(pick(r, 'engine', 'readiness10k.p99Us'), 'µs')}`,
      peer: '',
      ratio: null,
    },
    {
      name: 'Events to an in-process subscriber',
      workload: `followEvents from seq 0: delivery (commits made first, then published commit by commit, 24 events each) / live with the commits on SQLite (bounded by the commits) / backlog replay of a ${pick(r, 'events', 'engine.events') ?? '?'}-event engine log; storage reads while live: ${pick(r, 'events', 'delivery.storageReadsWhileLive') ?? 'n/a'}`,
      stepwise: `${fmt(pick(r, 'events', 'delivery.eventsPerSecond'), 'events/s')} delivery, ${fmt(pick(r, 'events', 'live.eventsPerSecond'), 'events/s')} live on SQLite (producer alone ${fmt(pick(r, 'events', 'live.producerOnly.eventsPerSecond'), '/s')}), ${fmt(pick(r, 'events', 'backlog.eventsPerSecond'), 'events/s')} backlog`,
      peer: '',
      ratio: null,
    },
    {
      name: 'Flow transitions per second',
      workload: 'the registration flow (5 state changes per run), transitions in the log per second',
      stepwise: `${fmt(pick(r, 'flows', 'stepwiseMemory.transitionsPerSecond'), '/s')} memory, ${fmt(pick(r, 'flows', 'stepwiseSqlite.transitionsPerSecond'), '/s')} SQLite`,
      peer: `${fmt(pick(r, 'flows', 'xstate.transitionsPerSecond'), '/s')} XState`,
      ratio: null,
    },
    {
      name: 'Host memory (RSS)',
      workload: `${pick(r, 'memory', 'tasks') ?? '100,000'} finished tasks in SQLite, task list paged (${pick(r, 'memory', 'pageSize') ?? 200}/page) through the protocol's tasks procedure`,
      stepwise: `${fmt(pick(r, 'memory', 'rssEndMB'), 'MB')} after paging (max ${fmt(pick(r, 'memory', 'maxRssMB'), 'MB')}; ${fmt(pick(r, 'memory', 'rssOpenMB'), 'MB')} before)`,
      peer: '',
      ratio: null,
    },
  ];
  if (r.scaling) {
    const curve = (name: string) => {
      const points = ((r.scaling as Record<string, { points?: Array<{ label: string; stepsPerSecond: number; dbBytesPerStep: number; maxRssMB: number }> } | null>)[name]?.points ?? []);
      return points.map((p) => `${p.label}: ${fmt(p.stepsPerSecond, 'steps/s')}, ${fmt(p.dbBytesPerStep, 'B/step')}, RSS ${fmt(p.maxRssMB, 'MB')}`).join('; ');
    };
    const growth = (name: string) => pick(r, 'scaling', `${name}.largestVsReference`);
    rows.push(
      { name: 'Scaling: steps per task', workload: curve('steps'), stepwise: `largest ÷ 1,000 steps: ${growth('steps') ?? 'n/a'}`, peer: '', ratio: growth('steps') },
      { name: 'Scaling: finished tasks in the database', workload: curve('tasks'), stepwise: `largest ÷ 10 tasks: ${growth('tasks') ?? 'n/a'}`, peer: '', ratio: growth('tasks') },
      { name: 'Scaling: history length', workload: curve('history'), stepwise: `largest ÷ 100 transitions: ${growth('history') ?? 'n/a'}`, peer: '', ratio: growth('history') },
    );
    const count = (r.scaling as { taskCount?: { label: string; stepsPerSecond: number; maxRssMB: number } | null }).taskCount;
    if (count) rows.push({ name: 'Scaling: 100,000 finished tasks', workload: count.label, stepwise: `${fmt(count.stepsPerSecond, 'steps/s')}, RSS ${fmt(count.maxRssMB, 'MB')}`, peer: '', ratio: null });
  }
  if (r.postgres) {
    const pgr = r.postgres as { runners?: Array<{ processes: number; tasks?: number; stepsPerSecond: number; wastedPerStep: number }>; ceiling?: Array<{ clients: number; transactionsPerSecond: number }> };
    rows.push(
      {
        name: 'PostgreSQL: fan-out vs SQLite',
        workload: `${pick(r, 'postgres', 'fanOut.steps') ?? '?'} independent no-op steps, pool executor (8), one engine; own PostgreSQL, synchronous_commit=off (bench/postgres.bench.ts)`,
        stepwise: fmt(pick(r, 'postgres', 'fanOut.postgres.stepsPerSecond'), 'steps/s'),
        peer: `${fmt(pick(r, 'postgres', 'fanOut.sqlite.stepsPerSecond'), 'steps/s')} SQLite`,
        ratio: pick(r, 'postgres', 'fanOut.ratio'),
      },
      {
        name: 'PostgreSQL: chain vs SQLite',
        workload: `${pick(r, 'postgres', 'chain.steps') ?? '?'}-step chain, one engine`,
        stepwise: fmt(pick(r, 'postgres', 'chain.postgres.stepsPerSecond'), 'steps/s'),
        peer: `${fmt(pick(r, 'postgres', 'chain.sqlite.stepsPerSecond'), 'steps/s')} SQLite`,
        ratio: pick(r, 'postgres', 'chain.ratio'),
      },
      {
        name: 'PostgreSQL: runner processes',
        workload: 'the fan-out (as 1 task, and as 8 tasks) run by 1, 2 and 4 engine processes sharing the database; wasted claims = commits refused as lost races, per step',
        stepwise: (pgr.runners ?? []).map((x) => `${x.tasks ?? 1}×${x.processes}: ${fmt(x.stepsPerSecond, 'steps/s')}, ${x.wastedPerStep} wasted/step`).join('; ') || 'n/a',
        peer: '',
        ratio: null,
      },
      ...peerRows(r),
      {
        name: 'PostgreSQL: raw step-write ceiling',
        workload: 'BEGIN; UPDATE step; INSERT transition; INSERT event; COMMIT, by 1 / 8 / 32 clients',
        stepwise: (pgr.ceiling ?? []).map((x) => `${x.clients}: ${fmt(x.transactionsPerSecond, 'tx/s')}`).join('; ') || 'n/a',
        peer: '',
        ratio: null,
      },
      {
        name: 'PostgreSQL: dispatch latency',
        workload: 'a commit that makes work, noticed by another process: NOTIFY hint vs a 50 ms poll',
        stepwise: `NOTIFY p50 ${fmt(pick(r, 'postgres', 'dispatch.notify.p50Ms'), 'ms')}, p99 ${fmt(pick(r, 'postgres', 'dispatch.notify.p99Ms'), 'ms')}`,
        peer: `polling p50 ${fmt(pick(r, 'postgres', 'dispatch.polling50ms.p50Ms'), 'ms')}, p99 ${fmt(pick(r, 'postgres', 'dispatch.polling50ms.p99Ms'), 'ms')}`,
        ratio: null,
      },
    );
  }
  if (r.isolation) {
    const us = (path: string) => fmt(pick(r, 'isolation', path), 'µs');
    rows.push({
      name: 'Isolation cost per step',
      workload: `no-op handler loaded from a module, SQLite file, pool of ${pick(r, 'isolation', 'concurrency') ?? 4} in process vs ${pick(r, 'isolation', 'concurrency') ?? 4} worker threads, alternating runs (bench/isolation.bench.ts): ${pick(r, 'isolation', 'chain.steps') ?? '?'}-step chain and ${pick(r, 'isolation', 'fanOut.steps') ?? '?'} independent steps; the executor alone, one job at a time`,
      stepwise: `chain ${us('chain.isolatedUsPerStep')}/step isolated vs ${us('chain.inProcessUsPerStep')} in process; fan-out ${us('fanOut.isolatedUsPerStep')} vs ${us('fanOut.inProcessUsPerStep')}; dispatch alone +${us('dispatch.oneAtATime.isolationCostUsPerJob')}/job; a worker's first step ${fmt(pick(r, 'isolation', 'coldStart.firstStepMs'), 'ms')}`,
      peer: 'in process (pool)',
      ratio: pick(r, 'isolation', 'fanOut.isolatedVsInProcess'),
      note: 'ratio: isolated ÷ in-process throughput of the fan-out (below 1: the price of isolation)',
    });
  }
  if (r.stateAt) {
    rows.push({
      name: 'stateAt on 10,000 transitions',
      workload: 'core/ops stateAt: a workflow task rebuilt at its last transition from a 10,000-row log (50 steps)',
      stepwise: `SQLite median ${fmt(pick(r, 'stateAt', 'sqlite.medianMs'), 'ms')} (p99 ${fmt(pick(r, 'stateAt', 'sqlite.p99Ms'), 'ms')}); memory ${fmt(pick(r, 'stateAt', 'memory.medianMs'), 'ms')}`,
      peer: '',
      ratio: null,
    });
  }
  if (r.workbench) {
    const view = (v: string) =>
      `${fmt(pick(r, 'workbench', `${v}.timeToDrawnMs`), 'ms')} to drawn (layout ${fmt(pick(r, 'workbench', `${v}.layoutMs`), 'ms')}), longest main-thread task ${fmt(pick(r, 'workbench', `${v}.longestMainThreadTaskMs`), 'ms')}`;
    rows.push({
      name: 'Workbench: 1,000-step template',
      workload: `Chromium, \`stepwise serve\`, ELK in the web worker; template view of a generated ${pick(r, 'workbench', 'steps') ?? 1000}-step workflow (bench/workbench.bench.ts)`,
      stepwise: view('templateView'),
      peer: '',
      ratio: null,
    });
    rows[rows.length - 1]!.stepwise += `; first open ${fmt(pick(r, 'workbench', 'templateView.firstOpenMs'), 'ms')}`;
    const big = (r.workbench as { bigTemplate?: { steps: number; usable: boolean } | null }).bigTemplate;
    if (big) {
      rows.push({
        name: `Workbench: ${big.steps.toLocaleString('en-US')}-step template`,
        workload: 'one open, then zoom in, pan, zoom out; usable = drawn ≤ 5 s and no main-thread task over 200 ms',
        stepwise: `${fmt(pick(r, 'workbench', 'bigTemplate.timeToDrawnMs'), 'ms')} to drawn, longest task ${fmt(pick(r, 'workbench', 'bigTemplate.drawingLongestTaskMs'), 'ms')} drawing, ${fmt(pick(r, 'workbench', 'bigTemplate.interactionLongestTaskMs'), 'ms')} interacting: ${big.usable ? 'usable' : 'NOT usable'}`,
        peer: '',
        ratio: null,
      });
    }
    rows.push({ name: 'Workbench: 1,000-step runtime graph', workload: 'the same workflow as a finished task, painted with states', stepwise: view('runtimeView'), peer: '', ratio: null });
  }
  return rows;
}

/** The table as fixed-width text. */
export function formatTable(rows: readonly Row[]): string {
  const head = ['Benchmark', 'Stepwise', 'Peer / ceiling', 'Stepwise ÷ peer'];
  const body = rows.map((r) => [r.name, r.stepwise, r.peer, r.ratio === null ? '' : String(r.ratio)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)].join('\n');
}

/** The same table in Markdown, with the workloads (for docs/performance.md). */
export function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| Benchmark | Workload | Stepwise | Peer / ceiling | Stepwise ÷ peer |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${esc(r.name)} | ${esc(r.workload)}${r.note ? ` ${esc(r.note)}` : ''} | ${esc(r.stepwise)} | ${esc(r.peer)} | ${r.ratio ?? ''} |`),
  ].join('\n');
}

/** One row per process count: Stepwise's runner processes vs graphile-worker and pg-boss on the same PostgreSQL (bench/pg/peers.ts). */
function peerRows(r: Results): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 3; i++) {
    const at = (path: string) => pick(r, 'postgres', `peers.byProcesses.${i}.${path}`);
    const processes = at('processes');
    if (processes === null) continue;
    const jobs = pick(r, 'postgres', 'peers.jobs');
    rows.push({
      name: `PostgreSQL peers, ${processes} ${processes === 1 ? 'process' : 'processes'}`,
      workload:
        `${jobs ?? '?'} no-op jobs, 8 at once per process, same PostgreSQL, alternating runs: Stepwise runner processes on 8 tasks of ${jobs === null ? '?' : Math.floor(jobs / 8)} steps ` +
        `| graphile-worker 0.17 (concurrency 8) | pg-boss 10 work API (batches of 8, 0.5 s polling; ${pick(r, 'postgres', 'peers.pgBossWorkJobs') ?? '?'} jobs) and 8 fetch/complete loops`,
      stepwise: fmt(at('stepwise.stepsPerSecond'), 'steps/s'),
      peer: `graphile-worker ${fmt(at('graphile.jobsPerSecond'), 'jobs/s')}; pg-boss work ${fmt(at('pgBossWork.jobsPerSecond'), 'jobs/s')}, fetch loop ${fmt(at('pgBossFetch.jobsPerSecond'), 'jobs/s')}`,
      ratio: at('vsGraphile'),
      note: `÷ graphile-worker; ÷ pg-boss work ${at('vsPgBossWork') ?? 'n/a'}, ÷ pg-boss fetch loop ${at('vsPgBossFetch') ?? 'n/a'}`,
    });
  }
  return rows;
}
