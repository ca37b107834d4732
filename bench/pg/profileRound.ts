/**
 * Where a fan-out step's time goes on PostgreSQL (`node --import tsx bench/pg/profileRound.ts [N]`):
 * one runner loop (pool executor, 8 at once, as bench/pg/runner.ts) runs 8 tasks of N/8 no-op
 * steps on a private PostgreSQL (or K engines of 8/K slots: `profileRound.ts N K`); every query the pg driver sends is counted by its first words,
 * with round trips, commits and CPU per step. Printed as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { openEngine } from '../../core/engine/open.js';
import { BEFORE_MIGRATION_13 } from './before13.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { createDatabase, startPostgres } from '../../test/fixtures/postgres/server.js';
import { fanOut, noop } from '../lib/stepwise.js';

const N = Number(process.argv[2] ?? 496);
/** `K` engine loops in this process sharing the 8 slots (8/K each): K > 1 lets commits of different tasks overlap. */
const ENGINES = Number(process.argv[3] ?? 1);
const TASKS = 8;
const counts = new Map<string, number>();
const count = (q: unknown) => {
  const text = typeof q === 'string' ? q : ((q as { name?: string; text?: string })?.name ?? (q as { text?: string })?.text ?? '?');
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
  counts.set(key, (counts.get(key) ?? 0) + 1);
};
for (const proto of [pg.Client.prototype, pg.Pool.prototype]) {
  const original = proto.query as (...args: unknown[]) => unknown;
  (proto as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
    if (proto === pg.Client.prototype) count(args[0]);
    return original.apply(this, args);
  };
}

/** CPU ms of this database's server backends (Linux /proc; ticks of 10 ms), by pid. */
async function backendCpu(storage: PostgresStorage): Promise<Map<number, number>> {
  const r = await storage.connections.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  const out = new Map<number, number>();
  for (const { pid } of r.rows as Array<{ pid: number }>) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

interface WriteStats {
  walBytes: number;
  /** Per table: rows updated, of them HOT (no index entry written), rows inserted and deleted. */
  updates: Record<string, { upd: number; hot: number; ins: number; del: number }>;
}

/**
 * WAL written since `since` (pg_current_wal_lsn) and the tables' update counts (pg_stat_user_tables;
 * other backends report theirs within a second of going idle, hence the wait).
 */
async function writeStats(storage: PostgresStorage, since?: WriteStats & { lsn: string }): Promise<WriteStats & { lsn: string }> {
  if (since) await new Promise((r) => setTimeout(r, 1500));
  const db = storage.connections;
  const lsn = (await db.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l as string;
  const walBytes = since ? Number((await db.query('SELECT pg_wal_lsn_diff($1, $2) AS d', [lsn, since.lsn])).rows[0].d) : 0;
  const r = await db.query(`SELECT relname, n_tup_upd, n_tup_hot_upd, n_tup_ins, n_tup_del FROM pg_stat_user_tables WHERE schemaname = 'stepwise'`);
  const updates: WriteStats['updates'] = {};
  for (const row of r.rows as Array<Record<string, string>>) {
    const before = since?.updates[row.relname!];
    const d = (k: string, b?: number) => Number(row[k]) - (b ?? 0);
    const u = { upd: d('n_tup_upd', before?.upd), hot: d('n_tup_hot_upd', before?.hot), ins: d('n_tup_ins', before?.ins), del: d('n_tup_del', before?.del) };
    if (!since || u.upd + u.ins + u.del > 0) updates[row.relname!] = u;
  }
  return { lsn, walBytes, updates };
}

const server = await startPostgres({ durability: 'commit' });
try {
  const url = await createDatabase(server.url, 'profile_round');
  const storage = await PostgresStorage.open({ url, oneRoundTripCommit: process.env.PROFILE_CHECKED_COMMIT !== '1' });
  // PG_COMMIT_BODY=11: the commit functions as migration 11 left them (before/after comparisons).
  if (process.env.PG_COMMIT_BODY === '11') await storage.connections.query(BEFORE_MIGRATION_13);
  // Commit time: summed over commits, and the time at least one commit was in flight (overlap shows whether they serialise).
  let commitMs = 0;
  let busyMs = 0;
  let inFlight = 0;
  let busySince = 0;
  let commits = 0;
  const commit = storage.commit.bind(storage);
  storage.commit = async (changes) => {
    const c0 = performance.now();
    if (inFlight++ === 0) busySince = c0;
    try {
      return await commit(changes);
    } finally {
      const c1 = performance.now();
      commitMs += c1 - c0;
      commits++;
      if (--inFlight === 0) busyMs += c1 - busySince;
    }
  };
  const perTask = Math.floor(N / TASKS);
  const engines = await Promise.all(
    Array.from({ length: ENGINES }, () => openEngine({ workspace: { templates: [fanOut(perTask)], handlers: { noop } }, db: storage, executor: 'pool', concurrency: Math.max(1, Math.floor(8 / ENGINES)) })),
  );
  const opened = engines[0]!;
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) ids.push((await opened.engine.start(`fan_out_${perTask}`)).id);
  counts.clear();
  commitMs = 0;
  busyMs = 0;
  commits = 0;
  const writes0 = await writeStats(storage);
  const server0 = await backendCpu(storage);
  // CPU_PROFILE=file.cpuprofile: a V8 CPU profile of the run alone (not the server's start and set-up).
  const profiler = process.env.CPU_PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const e of engines) e.engine.startLoop({ pollMs: 20, heartbeat: false });
  for (const id of ids) while ((await storage.getTask(id))?.status !== 'complete') await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (profiler) writeFileSync(process.env.CPU_PROFILE!, JSON.stringify(((await profiler.post('Profiler.stop')) as { profile: object }).profile));
  for (const e of engines) await e.engine.stop();
  const writes = await writeStats(storage, writes0);
  let serverCpuMs = 0;
  for (const [pid, ms] of await backendCpu(storage)) serverCpuMs += ms - (server0.get(pid) ?? 0);
  const steps = perTask * TASKS;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => ({ query: k, perStep: Math.round((v / steps) * 1000) / 1000 }));
  process.stdout.write(JSON.stringify({ engines: ENGINES, steps, stepsPerSecond: Math.round(steps / (ms / 1000)), queriesPerStep: Math.round((total / steps) * 100) / 100, cpuMsPerStep: Math.round(((cpu.user + cpu.system) / 1000 / steps) * 100) / 100, cpuSystemMsPerStep: Math.round((cpu.system / 1000 / steps) * 100) / 100, serverCpuMsPerStep: Math.round((serverCpuMs / steps) * 100) / 100, wallMsPerStep: Math.round((ms / steps) * 100) / 100, commitsPerStep: Math.round((commits / steps) * 1000) / 1000, msPerCommit: Math.round((commitMs / commits) * 10) / 10, commitInFlightShare: Math.round((busyMs / ms) * 100) / 100, commitOverlap: Math.round((commitMs / busyMs) * 100) / 100, commitPaths: storage.commitStats, walBytesPerStep: Math.round(writes.walBytes / (perTask * TASKS)), updates: writes.updates, top }, null, 2) + '\n');
  for (const e of engines) await e.close();
  await storage.close();
} finally {
  await server.stop();
}
