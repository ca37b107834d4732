/**
 * PostgreSQL benchmarks (`npx tsx bench/postgres.bench.ts [--quick] [--runs N]`), printed as JSON.
 * Starts its own PostgreSQL (test/fixtures/postgres/server.ts, synchronous_commit=off, as SQLite runs)
 * unless STEPWISE_TEST_DATABASE_URL names one. Every comparison is between figures measured in
 * this process, alternating run by run:
 * - fanOut / chain: one task of N independent no-op steps / a 200-step chain, pool executor (8 at
 *   once), on PostgreSQL and on SQLite (a temp file) — steps/s and the PG ÷ SQLite ratio;
 * - runners: the same fan-out spread over 1, 2 and 4 engine processes (bench/pg/runner.ts) sharing
 *   the database, as one task of N steps and as 8 tasks of N/8 — steps/s and wasted claims
 *   (commits refused STALE or CONCURRENCY_LIMIT) per step;
 * - ceiling: the raw step write (BEGIN; UPDATE step; INSERT transition; INSERT event; COMMIT) with
 *   1, 8 and 32 clients — transactions/s, what PostgreSQL itself allows on this machine;
 * - dispatch: latency from a commit that makes work to another process noticing it, by NOTIFY
 *   hint and by polling every 50 ms — p50/p99 ms.
 * - engineDispatch: a task started by another process → its handler running in an engine loop
 *   (pollMs 1000) woken by 'work' hints vs polling alone — p50/p99 ms.
 * - peers: graphile-worker and pg-boss on the same server, no-op jobs 8 at once per process, with 1, 2
 *   and 4 worker processes, alternating with Stepwise's runner processes (8 tasks of N/8 steps) —
 *   steps (jobs)/s and Stepwise ÷ peer (bench/pg/peers.ts).
 * `--only fanOut,runners` runs some sections (fanOut, chain, dispatch, engineDispatch, runners, ceiling, peers).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openEngine } from '../core/engine/open.js';
import type { WorkflowTemplate } from '../core/model/template.js';
import { PostgresStorage } from '../core/storage/postgres/storage.js';
import type { Storage } from '../core/storage/storage.js';
import { openStorage } from '../core/storage/index.js';
import { createDatabase, startPostgres, type PostgresServer } from '../test/fixtures/postgres/server.js';
import { chain, fanOut, noop } from './lib/stepwise.js';
import { peers } from './pg/peers.js';
import { median, percentile, round } from './lib/stats.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : quick ? 1 : 3;
const FAN = quick ? 500 : 2000;
const CHAIN = quick ? 50 : 200;
const onlyAt = argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',')) : null;
const wanted = (section: string) => ONLY === null || ONLY.has(section);
const here = dirname(fileURLToPath(import.meta.url));


let dbCounter = 0;
async function freshPg(server: PostgresServer): Promise<string> {
  return createDatabase(server.url, `bench_${process.pid}_${dbCounter++}`);
}

/** One task of `template` on `storage`, run by one in-process engine; steps/s. */
async function runOnce(template: WorkflowTemplate, storage: Storage): Promise<number> {
  const opened = await openEngine({ workspace: { templates: [template], handlers: { noop } }, db: storage, executor: 'pool', concurrency: 8 });
  try {
    const start = performance.now();
    const task = await opened.engine.start(template.name);
    const run = await opened.engine.runUntilIdle({ taskId: task.id });
    const ms = performance.now() - start;
    if (run.task?.status !== 'complete') throw new Error(`${template.name} ended ${run.task?.status}`);
    return template.steps.length / (ms / 1000);
  } finally {
    await opened.close();
  }
}

async function pgVsSqlite(server: PostgresServer, template: WorkflowTemplate) {
  const pgRuns: number[] = [];
  const sqliteRuns: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const storage = await PostgresStorage.open({ url: await freshPg(server) });
    try {
      pgRuns.push(await runOnce(template, storage));
    } finally {
      await storage.close();
    }
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-pg-'));
    const sqlite = await openStorage({ kind: 'sqlite', file: join(dir, 'bench.db') });
    try {
      sqliteRuns.push(await runOnce(template, sqlite));
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const postgres = Math.round(median(pgRuns));
  const sqlite = Math.round(median(sqliteRuns));
  return { steps: template.steps.length, postgres: { stepsPerSecond: postgres, runs: pgRuns.map(Math.round) }, sqlite: { stepsPerSecond: sqlite, runs: sqliteRuns.map(Math.round) }, ratio: round(postgres / sqlite, 3) };
}

/** N runner processes share one database; the parent starts `tasks` fan-out tasks of FAN/tasks steps and waits for them. */
async function runners(server: PostgresServer, processes: number, tasks: number) {
  const url = await freshPg(server);
  const storage = await PostgresStorage.open({ url });
  const perTask = Math.floor(FAN / tasks);
  const children = Array.from({ length: processes }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', join(here, 'pg', 'runner.ts'), url, String(perTask), `runner-${i}`], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const reports = children.map(
    (c) =>
      new Promise<{ refused: number; commits: number; steps: number }>((resolve, reject) => {
        let out = '';
        let err = '';
        c.stdout.on('data', (b) => (out += String(b)));
        c.stderr.on('data', (b) => (err += String(b)));
        c.on('close', () => {
          try {
            resolve(JSON.parse(out.trim().split('\n').pop()!));
          } catch {
            reject(new Error(`runner failed: ${err.trim().split('\n').slice(-5).join('\n')}`));
          }
        });
      }),
  );
  try {
    // Every runner is up (heartbeat) before the task exists, so none gets a head start.
    const deadline = Date.now() + 60_000;
    while ((await storage.heartbeats()).length < processes) {
      if (Date.now() > deadline) throw new Error('runners did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const opened = await openEngine({ workspace: { templates: [fanOut(perTask)], handlers: { noop } }, db: storage });
    const start = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < tasks; i++) ids.push((await opened.engine.start(`fan_out_${perTask}`)).id);
    for (const id of ids) {
      for (;;) {
        const t = await storage.getTask(id);
        if (t?.status === 'complete') break;
        if (t && ['error', 'cancelled'].includes(t.status)) {
          const failed = (await storage.getSteps(id)).find((s) => s.error);
          throw new Error(`fan-out ended ${t.status}: ${JSON.stringify(t.error ?? failed?.error)}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const ms = performance.now() - start;
    await opened.close();
    for (const c of children) c.kill('SIGTERM');
    const done = await Promise.all(reports);
    const refused = done.reduce((s, d) => s + d.refused, 0);
    const steps = perTask * tasks;
    return { processes, tasks, stepsPerSecond: Math.round(steps / (ms / 1000)), wastedClaims: refused, wastedPerStep: round(refused / steps, 4), stepsByRunner: done.map((d) => d.steps) };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await storage.close();
  }
}

/** Raw step writes: what one Stepwise step commit does, in plain SQL, by `clients` connections for `ms`. */
async function ceiling(server: PostgresServer, clients: number, ms: number) {
  const url = await freshPg(server);
  const setup = await PostgresStorage.open({ url });
  await setup.close();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`INSERT INTO stepwise.tasks (id, kind, namespace, name, template_version, template_ref, status, created_at, updated_at, version)
    SELECT 't' || i, 'workflow', 'b', 'b', '1', 'b/b@1', 'running', 0, 0, 1 FROM generate_series(0, 99) i`);
  await admin.query(`INSERT INTO stepwise.steps (id, task_id, name, template_step, type, state, attempts, max_attempts, dynamic, created_at, updated_at, version)
    SELECT 's' || i, 't' || i, 's', 's', 'standard', 'ready', 0, 3, false, 0, 0, 1 FROM generate_series(0, 99) i`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: clients });
  let count = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const client = await pool.connect();
      try {
        for (let i = c; performance.now() < end; i += clients) {
          const id = `s${i % 100}`;
          await client.query('BEGIN');
          await client.query({ name: 'u', text: `UPDATE stepwise.steps SET state = 'complete', updated_at = $2, version = version + 1 WHERE id = $1`, values: [id, i] });
          await client.query({ name: 't', text: `INSERT INTO stepwise.transitions (task_id, step_name, field, from_value, to_value, reason, actor, at) VALUES ($1, 's', 'state', 'running', 'complete', 'bench', 'engine', $2)`, values: [`t${i % 100}`, i] });
          await client.query({ name: 'e', text: `INSERT INTO stepwise.events (seq, type, task_id, step_name, at, payload) VALUES (nextval('stepwise.event_seq'), 'step.completed', $1, 's', $2, '{}')`, values: [`t${i % 100}`, i] });
          await client.query('COMMIT');
          count++;
        }
      } finally {
        client.release();
      }
    }),
  );
  await pool.end();
  return { clients, transactionsPerSecond: Math.round(count / (ms / 1000)) };
}

/** Commit → another storage notices: by NOTIFY hint, and by a 50 ms poll of tasksWithReadySteps. */
async function dispatch(server: PostgresServer, samples: number) {
  const url = await freshPg(server);
  const writer = await PostgresStorage.open({ url });
  const reader = await PostgresStorage.open({ url });
  const notify: number[] = [];
  const polling: number[] = [];
  try {
    let waiting: (() => void) | null = null;
    const off = reader.subscribe('work', () => waiting?.());
    await reader.hintsReady();
    for (let i = 0; i < samples; i++) {
      const id = `n${i}`;
      const seen = new Promise<void>((r) => (waiting = r));
      const t0 = performance.now();
      await writer.commit({ insertTasks: [task(id)] });
      await seen;
      notify.push(performance.now() - t0);
      waiting = null;
    }
    off();
    // Polling: a reader asks every 50 ms; latency is commit start to the poll that finds it.
    for (let i = 0; i < samples; i++) {
      const id = `p${i}`;
      let found = -1;
      const t0 = performance.now();
      const poller = (async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 50)); // the poll timer's phase
        for (;;) {
          if (await reader.getTask(id)) return (found = performance.now() - t0);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await writer.commit({ insertTasks: [task(id)] });
      await poller;
      polling.push(found);
    }
  } finally {
    await writer.close();
    await reader.close();
  }
  const summary = (xs: number[]) => ({ p50Ms: round(percentile(xs, 50), 2), p99Ms: round(percentile(xs, 99), 2) });
  return { samples, notify: summary(notify), polling50ms: summary(polling) };
}

/**
 * Start of a one-step task (by another storage, as another process would) → its handler running in
 * an engine loop polling every second: with the loop woken by 'work' hints, and by polling alone.
 */
async function engineDispatch(server: PostgresServer, samples: number, hints: boolean) {
  const url = await freshPg(server);
  const runnerStorage = await PostgresStorage.open({ url });
  const starterStorage = await PostgresStorage.open({ url });
  let ran: (() => void) | null = null;
  const template = fanOut(1);
  const runner = await openEngine({ workspace: { templates: [template], handlers: { noop: () => (ran?.(), null) } }, db: runnerStorage, executor: 'pool', concurrency: 8 });
  const starter = await openEngine({ workspace: { templates: [template], handlers: { noop } }, db: starterStorage });
  const latencies: number[] = [];
  try {
    await runnerStorage.hintsReady();
    runner.engine.startLoop({ pollMs: 1000, hints });
    for (let i = 0; i < samples; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * 200)); // any phase of the poll timer
      const seen = new Promise<void>((r) => (ran = r));
      const t0 = performance.now();
      await starter.engine.start(template.name);
      await seen;
      latencies.push(performance.now() - t0);
      ran = null;
    }
  } finally {
    await runner.engine.stop();
    await runner.close();
    await starter.close();
    await runnerStorage.close();
    await starterStorage.close();
  }
  return { samples, hints, pollMs: 1000, p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}

function task(id: string) {
  return {
    id, kind: 'workflow' as const, namespace: 'b', name: 'b', templateVersion: '1', templateRef: 'b/b@1', status: 'pending' as const,
    input: {}, data: {}, currentState: null, parentTaskId: null, parentStepName: null, idempotencyKey: null, participants: [],
    error: null, result: null, createdAt: 0, updatedAt: 0, finishedAt: null, wakeAt: null, timeoutAt: null, deleteAt: null,
    debug: { paused: false, breakpoints: [] }, leaseOwner: null, leaseExpiresAt: null, stateAttempts: 0, version: 1,
  };
}

// synchronous_commit=off: like SQLite's WAL + synchronous=NORMAL (no fsync per commit; a crash of
// the machine may lose the last moments). fsync per commit would measure this machine's disk.
const server = await startPostgres({ durability: 'commit' });
try {
  const result = {
    fanOut: wanted('fanOut') ? await pgVsSqlite(server, fanOut(FAN)) : null,
    chain: wanted('chain') ? await pgVsSqlite(server, chain(CHAIN)) : null,
    runners: [] as Array<Awaited<ReturnType<typeof runners>>>,
    ceiling: [] as Array<Awaited<ReturnType<typeof ceiling>>>,
    dispatch: wanted('dispatch') ? await dispatch(server, quick ? 30 : 200) : null,
    engineDispatch: [] as Array<Awaited<ReturnType<typeof engineDispatch>>>,
    peers: wanted('peers') ? await peers({ runs: RUNS, jobs: FAN, fresh: () => freshPg(server), stepwise: (n) => runners(server, n, 8) }) : null,
  };
  if (wanted('engineDispatch')) {
    const n = quick ? 15 : 100;
    const runs = [await engineDispatch(server, n, true), await engineDispatch(server, n, false)];
    result.engineDispatch.push(...runs);
  }
  if (wanted('runners')) for (const tasks of [1, 8]) for (const n of [1, 2, 4]) result.runners.push(await runners(server, n, tasks));
  if (wanted('ceiling')) for (const n of [1, 8, 32]) result.ceiling.push(await ceiling(server, n, quick ? 1000 : 3000));
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} finally {
  await server.stop();
}
