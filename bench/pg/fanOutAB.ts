/**
 * CPU per step of bench/postgres.bench.ts's fanOut figure, split into runner and server, for one or
 * two checkouts alternating in one process:
 *   npx tsx bench/pg/fanOutAB.ts <rootA> [rootB] [--steps N] [--rounds R] [--no-sqlite]
 * (roots: folders holding core/ and bench/lib/stepwise.ts, e.g. a `git archive` of the commit before
 * a change with node_modules linked in). Each run is the benchmark's runOnce: a fresh database on one
 * private PostgreSQL (synchronous_commit=off), one task of N independent no-op steps, one engine,
 * pool executor of 8, runUntilIdle; then the same on a fresh SQLite file.
 *
 * Per side it prints medians over the rounds: runner CPU µs/step (process.cpuUsage), server CPU
 * µs/step (every process of the private cluster, /proc ticks of 10 ms, read before the engine
 * closes its connections), commits, queries and round trips per step, and wall-clock steps/s (say
 * the load with those). PG ÷ SQLite on a 2-core machine is bound by total CPU per step, which is
 * what `cpuTotal` adds up.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, startPostgres } from '../../test/fixtures/postgres/server.js';
import { checkoutImporter } from '../lib/checkout.js';
import { median } from '../lib/stats.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const roots = argv.filter((a, i) => !a.startsWith('--') && !['--steps', '--rounds'].includes(argv[i - 1] ?? ''));
if (roots.length === 0) throw new Error('Usage: fanOutAB.ts <rootA> [rootB] [--steps N] [--rounds R] [--no-sqlite]');
const STEPS = opt('--steps', 2000);
const ROUNDS = opt('--rounds', 5);
const SQLITE = !argv.includes('--no-sqlite');

// Queries sent by any client of the pg module (both checkouts load the same one through node_modules).
let queries = 0;
const byText = new Map<string, number>();
const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
  queries++;
  const q = args[0] as { name?: string; text?: string } | string;
  const key = (typeof q === 'string' ? q : (q?.name ?? q?.text ?? '?')).replace(/\s+/g, ' ').trim().slice(0, 50);
  byText.set(key, (byText.get(key) ?? 0) + 1);
  return original.apply(this, args);
};

/**
 * CPU ms of the cluster whose postmaster is `postmaster`, by kind of process (10 ms ticks): its
 * live children by their title (backend, walwriter, autovacuum...) and, as `ended`, the children
 * that exited meanwhile (the postmaster's cutime/cstime).
 */
function clusterCpu(postmaster: number): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string, ms: number) => out.set(k, (out.get(k) ?? 0) + ms);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(name) === postmaster) {
        add('postmaster', (Number(f[11]) + Number(f[12])) * 10);
        add('ended', (Number(f[13]) + Number(f[14])) * 10);
      } else if (Number(f[1]) === postmaster) {
        const title = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
        const kind = /postgres: (postgres \S+|[a-z ]+?)(?: |$)/.exec(title)?.[1]?.replace(/^postgres \S+/, 'backend') ?? 'other';
        add(kind, (Number(f[11]) + Number(f[12])) * 10);
      }
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
/** Server CPU by kind of process in the whole run (µs summed over rounds). */
const serverByKind = new Map<string, number>();

interface Sample {
  /** Of runnerUs and serverUs: engine.start (the task and its steps inserted). */
  startRunnerUs: number;
  startServerUs: number;
  runnerUs: number;
  serverUs: number;
  stepsPerSecond: number;
  commits: number;
  queries: number;
}

interface Side {
  name: string;
  run(where: { url: string } | { file: string }, postmaster: number): Promise<Sample>;
}

async function load(root: string): Promise<Side> {
  const at = checkoutImporter(root);
  const [{ openEngine }, { PostgresStorage }, { openStorage }, { fanOut, noop, countCommits }] = await Promise.all([
    at('core/engine/open.ts'),
    at('core/storage/postgres/storage.ts'),
    at('core/storage/index.ts'),
    at('bench/lib/stepwise.ts'),
  ]);
  const template = fanOut(STEPS);
  return {
    name: root,
    async run(where, postmaster) {
      const storage = 'url' in where ? await PostgresStorage.open({ url: where.url }) : await openStorage({ kind: 'sqlite', file: where.file });
      let commits = 0;
      // countCommits keeps SQLite's synchronous commit path on (a plain wrapper of `commit`
      // switches it off); a checkout older than countCommits has no such path to keep.
      if (countCommits) countCommits(storage, () => commits++);
      else {
        const commit = storage.commit.bind(storage);
        storage.commit = (changes: unknown) => {
          commits++;
          return commit(changes);
        };
      }
      const opened = await openEngine({ workspace: { templates: [template], handlers: { noop } }, db: storage, executor: 'pool', concurrency: 8 });
      try {
        const q0 = queries;
        const read0 = clusterCpu(postmaster);
        const s0 = 'url' in where ? read0 : new Map<string, number>();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const task = await opened.engine.start(template.name);
        const cs = process.cpuUsage(c0);
        // Read on both sides, so the reading's own CPU (a walk of /proc) weighs on both alike.
        const read = clusterCpu(postmaster);
        const ss = 'url' in where ? read : new Map<string, number>();
        const run = await opened.engine.runUntilIdle({ taskId: task.id });
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const read1 = clusterCpu(postmaster);
        const s1 = 'url' in where ? read1 : new Map<string, number>();
        for (const [k, v] of s1) serverByKind.set(k, (serverByKind.get(k) ?? 0) + v - (s0.get(k) ?? 0));
        if (run.task?.status !== 'complete') throw new Error(`fan-out ended ${run.task?.status}`);
        return { startRunnerUs: (cs.user + cs.system) / STEPS, startServerUs: ((sum(ss) - sum(s0)) * 1000) / STEPS, runnerUs: (c.user + c.system) / STEPS, serverUs: ((sum(s1) - sum(s0)) * 1000) / STEPS, stepsPerSecond: STEPS / (ms / 1000), commits: commits / STEPS, queries: (queries - q0) / STEPS };
      } finally {
        await opened.close();
        await storage.close();
      }
    },
  };
}

const server = await startPostgres({ durability: 'commit' });
try {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const backend = Number((await admin.query('SELECT pg_backend_pid() AS p')).rows[0].p);
  const postmaster = Number(readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  await admin.end();
  const sides = await Promise.all(roots.map(load));
  let db = 0;
  const samples = new Map<string, Sample[]>();
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-fanoutab-'));
  try {
    const runOn = async (side: Side, kind: 'pg' | 'sqlite', keep: boolean) => {
      const where = kind === 'pg' ? { url: await createDatabase(server.url, `fan_${process.pid}_${db++}`) } : { file: join(dir, `f${db++}.db`) };
      const s = await side.run(where, postmaster);
      if (keep) samples.set(`${kind} ${side.name}`, [...(samples.get(`${kind} ${side.name}`) ?? []), s]);
    };
    // Warm-up (JIT, prepared statements are per connection so nothing carries over).
    for (const side of sides) await runOn(side, 'pg', false);
    byText.clear();
    serverByKind.clear();
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        await runOn(side, 'pg', true);
        if (SQLITE) await runOn(side, 'sqlite', true);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out: Record<string, unknown> = {};
  for (const [key, list] of samples) {
    const m = (f: (s: Sample) => number) => Math.round(median(list.map(f)) * 100) / 100;
    out[key] = {
      runnerUsPerStep: m((s) => s.runnerUs),
      serverUsPerStep: m((s) => s.serverUs),
      cpuTotalUsPerStep: m((s) => s.runnerUs + s.serverUs),
      startRunnerUsPerStep: m((s) => s.startRunnerUs),
      startServerUsPerStep: m((s) => s.startServerUs),
      runnerUs: list.map((s) => Math.round(s.runnerUs)),
      serverUs: list.map((s) => Math.round(s.serverUs)),
      stepsPerSecond: list.map((s) => Math.round(s.stepsPerSecond)),
      commitsPerStep: m((s) => s.commits),
      queriesPerStep: m((s) => s.queries),
    };
  }
  const totalSteps = ROUNDS * STEPS * sides.length;
  out.serverUsPerStepByProcess = Object.fromEntries([...serverByKind.entries()].map(([k, v]) => [k, Math.round((v * 1000) / totalSteps)]));
  out.queriesPerStepByText = Object.fromEntries([...byText.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => [k, Math.round((v / totalSteps) * 1000) / 1000]));
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
} finally {
  await server.stop();
}
