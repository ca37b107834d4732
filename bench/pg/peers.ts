/**
 * Stepwise against PostgreSQL job queues on the same server: graphile-worker and pg-boss running
 * no-op jobs with 8 at once per process (as each Stepwise runner runs 8 handlers at once), with 1,
 * 2 and 4 worker processes, alternating run by run with Stepwise's runner processes. Each run
 * gets a fresh database; a peer run is timed from adding the jobs (in one bulk call) until none
 * is left unfinished (polled every 20 ms, as the Stepwise side polls its tasks).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger, makeWorkerUtils, runMigrations } from 'graphile-worker';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { median, round } from '../lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));

export type PeerKind = 'graphile' | 'pgboss-work' | 'pgboss-fetch';
export const PEER_KINDS: readonly PeerKind[] = ['graphile', 'pgboss-work', 'pgboss-fetch'];

export interface PeerRun {
  processes: number;
  jobs: number;
  jobsPerSecond: number;
  jobsByProcess: number[];
}

/** Spawns `processes` workers, waits until each is ready, runs `body`, stops them (SIGTERM) and collects their JSON reports. */
async function withWorkers<T>(script: string, args: string[], processes: number, body: () => Promise<T>): Promise<{ result: T; reports: Array<Record<string, number>> }> {
  const children = Array.from({ length: processes }, () => spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const lines = children.map(() => [] as string[]);
  const errs = children.map(() => '');
  const ready = children.map(
    (c, i) =>
      new Promise<void>((resolve, reject) => {
        let buf = '';
        c.stdout.on('data', (b) => {
          buf += String(b);
          const parts = buf.split('\n');
          buf = parts.pop()!;
          for (const line of parts) {
            lines[i]!.push(line);
            if (line === 'ready') resolve();
          }
        });
        c.stderr.on('data', (b) => (errs[i] += String(b)));
        c.on('exit', () => reject(new Error(`${script} ${args[0]} exited before it was ready: ${errs[i]!.trim().split('\n').slice(-5).join('\n')}`)));
      }),
  );
  const exited = children.map((c) => new Promise<void>((r) => c.on('exit', () => r())));
  try {
    await Promise.all(ready);
    const result = await body();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(exited);
    const reports = lines.map((ls, i) => {
      const last = ls.filter((l) => l.startsWith('{')).pop();
      if (!last) throw new Error(`${script} ${args[0]} gave no report: ${errs[i]!.trim().split('\n').slice(-5).join('\n')}`);
      return JSON.parse(last) as Record<string, number>;
    });
    return { result, reports };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

async function until(remaining: () => Promise<number>, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await remaining()) > 0) {
    if (Date.now() > deadline) throw new Error(`${what}: jobs left unfinished after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One run of a peer: `jobs` no-op jobs on a fresh database `url`, `processes` worker processes. */
export async function peerRun(kind: PeerKind, url: string, processes: number, jobs: number): Promise<PeerRun> {
  if (kind === 'graphile') {
    await runMigrations({ connectionString: url, logger: quietGraphileLogger() });
    const utils = await makeWorkerUtils({ connectionString: url, logger: quietGraphileLogger() });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { result, reports } = await withWorkers('peerWorker.ts', [kind, url], processes, async () => {
        const t0 = performance.now();
        await utils.addJobs(Array.from({ length: jobs }, () => ({ identifier: 'noop', payload: {} })));
        await until(async () => Number((await client.query('SELECT count(*) AS n FROM graphile_worker._private_jobs')).rows[0].n), kind);
        return performance.now() - t0;
      });
      return summary(processes, jobs, result, reports);
    } finally {
      await client.end();
      await utils.release();
    }
  }
  const boss = new PgBoss({ connectionString: url, max: 4, schedule: false, supervise: false });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    await boss.createQueue('noop');
    const { result, reports } = await withWorkers('peerWorker.ts', [kind, url], processes, async () => {
      const t0 = performance.now();
      await boss.insert(Array.from({ length: jobs }, () => ({ name: 'noop', data: {} })));
      await until(() => boss.getQueueSize('noop', { before: 'completed' }), kind);
      return performance.now() - t0;
    });
    return summary(processes, jobs, result, reports);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

function summary(processes: number, jobs: number, ms: number, reports: Array<Record<string, number>>): PeerRun {
  const byProcess = reports.map((r) => r.jobs ?? 0);
  const done = byProcess.reduce((a, b) => a + b, 0);
  if (done < jobs) throw new Error(`workers report ${done} of ${jobs} jobs done`);
  return { processes, jobs, jobsPerSecond: Math.round(jobs / (ms / 1000)), jobsByProcess: byProcess };
}

/** graphile-worker logs its start/stop at info: keep the workers' stdout for the JSON. */
const quietGraphileLogger = () => new Logger(() => () => undefined);

export interface PeersResult {
  jobs: number;
  /** pg-boss's work API is bound by its polling interval: it runs fewer jobs per run (same rate). */
  pgBossWorkJobs: number;
  byProcesses: Array<{
    processes: number;
    stepwise: { stepsPerSecond: number; runs: number[]; wastedPerStep: number; stepsByRunner: number[] };
    graphile: { jobsPerSecond: number; runs: number[]; jobsByProcess: number[] };
    pgBossWork: { jobsPerSecond: number; runs: number[] };
    pgBossFetch: { jobsPerSecond: number; runs: number[]; jobsByProcess: number[] };
    vsGraphile: number;
    vsPgBossWork: number;
    vsPgBossFetch: number;
  }>;
}

/**
 * `runs` rounds; each round, for 1, 2 and 4 processes: Stepwise (the caller's runner function),
 * graphile-worker, pg-boss work, pg-boss fetch — one after the other, so load changes hit all alike.
 */
export async function peers(options: {
  runs: number;
  jobs: number;
  fresh: () => Promise<string>;
  stepwise: (processes: number) => Promise<{ stepsPerSecond: number; wastedPerStep: number; stepsByRunner: number[] }>;
}): Promise<PeersResult> {
  const counts = [1, 2, 4];
  const workJobs = Math.min(options.jobs, 200);
  const acc = new Map(counts.map((p) => [p, { stepwise: [] as Array<{ stepsPerSecond: number; wastedPerStep: number; stepsByRunner: number[] }>, graphile: [] as PeerRun[], work: [] as PeerRun[], fetch: [] as PeerRun[] }]));
  for (let r = 0; r < options.runs; r++) {
    for (const p of counts) {
      const a = acc.get(p)!;
      a.stepwise.push(await options.stepwise(p));
      a.graphile.push(await peerRun('graphile', await options.fresh(), p, options.jobs));
      a.work.push(await peerRun('pgboss-work', await options.fresh(), p, workJobs));
      a.fetch.push(await peerRun('pgboss-fetch', await options.fresh(), p, options.jobs));
    }
  }
  return {
    jobs: options.jobs,
    pgBossWorkJobs: workJobs,
    byProcesses: counts.map((p) => {
      const a = acc.get(p)!;
      const sw = Math.round(median(a.stepwise.map((x) => x.stepsPerSecond)));
      const g = Math.round(median(a.graphile.map((x) => x.jobsPerSecond)));
      const w = Math.round(median(a.work.map((x) => x.jobsPerSecond)));
      const f = Math.round(median(a.fetch.map((x) => x.jobsPerSecond)));
      const last = <T>(xs: T[]) => xs[xs.length - 1]!;
      return {
        processes: p,
        stepwise: { stepsPerSecond: sw, runs: a.stepwise.map((x) => x.stepsPerSecond), wastedPerStep: last(a.stepwise).wastedPerStep, stepsByRunner: last(a.stepwise).stepsByRunner },
        graphile: { jobsPerSecond: g, runs: a.graphile.map((x) => x.jobsPerSecond), jobsByProcess: last(a.graphile).jobsByProcess },
        pgBossWork: { jobsPerSecond: w, runs: a.work.map((x) => x.jobsPerSecond) },
        pgBossFetch: { jobsPerSecond: f, runs: a.fetch.map((x) => x.jobsPerSecond), jobsByProcess: last(a.fetch).jobsByProcess },
        vsGraphile: round(sw / g, 3),
        vsPgBossWork: round(w > 0 ? sw / w : 0, 3),
        vsPgBossFetch: round(sw / f, 3),
      };
    }),
  };
}
