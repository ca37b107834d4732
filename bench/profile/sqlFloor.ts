/**
 * The floor under a registration flow on SQLite: `npx tsx bench/profile/sqlFloor.ts [--flows N]`.
 *
 * Records every SQL statement (text and parameters, already encoded) that N registration flows
 * run through SqliteStorage, with each `commit`'s statements marked as one transaction, then
 * replays exactly those statements with better-sqlite3 alone on a fresh file with SqliteStorage's
 * schema and pragmas (WAL, synchronous=NORMAL, its checkpoint threshold): the same rows, the
 * same transactions (BEGIN IMMEDIATE … COMMIT), no engine. Rounds alternate the replay, the
 * engine itself on a fresh file, and XState 5 in memory; CPU time (user + system) per flow is
 * reported for each. XState ÷ replay is the highest `flowsSqliteVsXstate` the engine could reach
 * with this durable work per flow and no engine cost at all.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openStorage } from '../../core/storage/index.js';
import { tempDir } from '../lib/cli.js';
import { registrationsOnSqlite } from '../lib/registration.js';
import { median, round } from '../lib/stats.js';
import { runXStateRegistrations } from '../peers/xstate.js';

/** Wall ns per SQL text in the last replay (hrtime around each statement). */
const bySql = new Map<string, number>();

type Entry = { sql: string; params: unknown[] } | 'begin' | 'commit';

const flagAt = process.argv.indexOf('--flows');
const FLOWS = flagAt > 0 ? Number(process.argv[flagAt + 1]) : 1000;
const ROUNDS = 3;
const dir = tempDir('sqlfloor');

let recording: Entry[] | null = null;
const proto = Database.prototype as unknown as { prepare(sql: string): Record<string, (...a: unknown[]) => unknown> };
const prepare = proto.prepare;
proto.prepare = function (this: Database.Database, sql: string) {
  const stmt = prepare.call(this, sql);
  for (const m of ['run', 'get', 'all']) {
    const fn = stmt[m]!;
    stmt[m] = function (this: unknown, ...params: unknown[]) {
      recording?.push({ sql, params });
      return fn.apply(this, params);
    };
  }
  return stmt;
};

const engineOn = (file: string) => registrationsOnSqlite(file, FLOWS);

/** The statements of FLOWS flows, each commit's between 'begin' and 'commit'. */
async function record(): Promise<Entry[]> {
  const e = await engineOn(join(dir, 'record.db'));
  const entries: Entry[] = [];
  const commit = e.storage.commit.bind(e.storage);
  // SqliteStorage.commit runs its whole transaction before it returns its promise.
  e.storage.commit = (c) => {
    entries.push('begin');
    try {
      return commit(c);
    } finally {
      entries.push('commit');
    }
  };
  recording = entries;
  try {
    await e.run();
  } finally {
    recording = null;
    await e.close();
  }
  return entries;
}

function cpuUs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

async function cpuUsAsync(fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

/** Replays `entries` on a fresh file with SqliteStorage's schema and pragmas; CPU µs. */
async function replay(entries: Entry[], file: string, countFrames = false): Promise<{ us: number; statements: number; commits: number; walFrames: number }> {
  (await openStorage({ kind: 'sqlite', file })).close(); // the schema, as SqliteStorage makes it
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Counting WAL frames (pages written): no checkpoint until the end, then the WAL's frame count.
  db.pragma(`wal_autocheckpoint = ${countFrames ? 0 : 8000}`);
  db.pragma('foreign_keys = ON');
  const stmts = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = stmts.get(sql);
    if (!s) stmts.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const exec = (e: { sql: string; params: unknown[] }) => {
    const s = stmt(e.sql);
    const t0 = process.hrtime.bigint();
    if (s.reader) s.all(...e.params);
    else s.run(...e.params);
    const label = e.sql.replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))+/, '(?…) × n').slice(0, 90);
    bySql.set(label, (bySql.get(label) ?? 0) + Number(process.hrtime.bigint() - t0));
  };
  // Statements prepared up front, as SqliteStorage's cache holds them after its first flows.
  for (const e of entries) if (typeof e === 'object') stmt(e.sql);
  let statements = 0;
  let commits = 0;
  const txOf = db.transaction((batch: Array<{ sql: string; params: unknown[] }>) => {
    for (const e of batch) exec(e);
  });
  bySql.clear();
  const wall0 = process.hrtime.bigint();
  const us = cpuUs(() => {
    let batch: Array<{ sql: string; params: unknown[] }> | null = null;
    for (const e of entries) {
      if (e === 'begin') batch = [];
      else if (e === 'commit') {
        txOf.immediate(batch!);
        commits++;
        batch = null;
      } else {
        statements++;
        if (batch) batch.push(e);
        else exec(e);
      }
    }
  });
  const wallNs = Number(process.hrtime.bigint() - wall0);
  let inStatements = 0;
  for (const v of bySql.values()) inStatements += v;
  bySql.set('(BEGIN IMMEDIATE, COMMIT: the rest of the wall time)', wallNs - inStatements);
  const walFrames = countFrames ? (db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log : 0;
  db.close();
  return { us, statements, commits, walFrames };
}

async function main(): Promise<void> {
  const entries = await record();
  runXStateRegistrations(5_000);
  await replay(entries, join(dir, 'warm-replay.db'));
  const warm = await engineOn(join(dir, 'warm-engine.db'));
  await warm.run();
  await warm.close();
  const floor: number[] = [];
  const engine: number[] = [];
  const xstate: number[] = [];
  let shape = { statements: 0, commits: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const rep = await replay(entries, join(dir, `replay-${r}.db`));
    floor.push(rep.us / FLOWS);
    shape = { statements: rep.statements / FLOWS, commits: rep.commits / FLOWS };
    const e = await engineOn(join(dir, `engine-${r}.db`));
    engine.push((await cpuUsAsync(() => e.run())) / FLOWS);
    await e.close();
    xstate.push(cpuUs(() => runXStateRegistrations(20_000)) / 20_000);
  }
  const frames = (await replay(entries, join(dir, 'frames.db'), true)).walFrames;
  const f = median(floor);
  const en = median(engine);
  const x = median(xstate);
  const report = {
    flows: FLOWS,
    statementsPerFlow: round(shape.statements),
    commitsPerFlow: round(shape.commits),
    walPagesPerCommit: round(frames / (shape.commits * FLOWS), 1),
    cpuUsPerFlow: { sqlReplay: round(f, 1), engine: round(en, 1), xstate: round(x, 2) },
    engineAboveReplay: round(en - f, 1),
    bestPossibleSqliteVsXstate: round(x / f, 3),
    measuredCpuRatio: round(x / en, 3),
    lastReplayWallUsPerFlowBySql: Object.fromEntries([...bySql].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / 1000 / FLOWS, 1)])),
    runs: { sqlReplay: floor.map((v) => round(v, 1)), engine: engine.map((v) => round(v, 1)), xstate: xstate.map((v) => round(v, 2)) },
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
