/**
 * Recording the SQL a workload runs through SqliteStorage, and replaying it with better-sqlite3
 * alone (no engine) on a fresh file: the profiles that ask what the durable work itself costs
 * (sqlFloor.ts) or what a schema change saves on the same statements (schemaAB.ts).
 */
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate, type Migration } from '../../core/storage/sqlite/migrations.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../../core/storage/sqlite.js';
import type { Storage } from '../../core/storage/storage.js';
import { aroundCommits } from '../lib/stepwise.js';

export type Entry = { sql: string; params: unknown[] } | 'begin' | 'commit';

let recording: Entry[] | null = null;
let hooked = false;

/** Wraps Statement run/get/all of statements prepared from now on, so `record` can see them. */
function hookPrepare(): void {
  if (hooked) return;
  hooked = true;
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
}
hookPrepare();

/** The storage side of a workload: its commit (wrapped to mark transactions) and its run. */
export interface Workload {
  storage: Storage;
  run(): Promise<void>;
  close(): Promise<void>;
}

/** The statements of one run of `workload`, each commit's between 'begin' and 'commit'. */
export async function recordSql(workload: Workload): Promise<Entry[]> {
  const entries: Entry[] = [];
  // SqliteStorage.commit runs its whole transaction before it returns its promise (on both
  // commit paths: aroundCommits keeps the engine on the synchronous one users run).
  aroundCommits(workload.storage, (_changes, commit) => {
    entries.push('begin');
    try {
      return commit();
    } finally {
      entries.push('commit');
    }
  });
  recording = entries;
  try {
    await workload.run();
  } finally {
    recording = null;
    await workload.close();
  }
  return entries;
}

export interface ReplayResult {
  /** CPU µs (user + system) of the whole replay. */
  us: number;
  userUs: number;
  systemUs: number;
  statements: number;
  commits: number;
  /** WAL frames written (only with `countFrames`; 0 otherwise). */
  walFrames: number;
  /** Wall ns by SQL label (multi-row VALUES folded). */
  bySql: Map<string, number>;
}

export interface ReplayOptions {
  /** Apply the migrations up to this version only (default: all, as SqliteStorage does). */
  schemaVersion?: number;
  /** SQL run after the migrations (an experimental schema). */
  extraSql?: string;
  /** No checkpoint until the end, then report the WAL's frame count. */
  countFrames?: boolean;
  /** PRAGMA page_size of the new file (default SQLite's, 4096). */
  pageSize?: number;
  /** Migrations to pick from (default MIGRATIONS). */
  migrations?: readonly Migration[];
}

/** Replays `entries` on a fresh `file` with SqliteStorage's pragmas and the chosen schema. */
export function replaySql(entries: readonly Entry[], file: string, options: ReplayOptions = {}): ReplayResult {
  const db = new Database(file);
  if (options.pageSize) db.pragma(`page_size = ${options.pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${options.countFrames ? 0 : WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma('foreign_keys = ON');
  const all = options.migrations ?? MIGRATIONS;
  migrate(db, file, 0, all.filter((m) => options.schemaVersion === undefined || m.version <= options.schemaVersion));
  if (options.extraSql) db.exec(options.extraSql);
  // The schema's own writes are not part of the replay.
  db.pragma('wal_checkpoint(TRUNCATE)');
  // Each SQL text's statement and label, made before the timed part.
  const stmts = new Map<string, { s: Database.Statement; label: string }>();
  const stmt = (sql: string) => {
    let s = stmts.get(sql);
    if (!s) stmts.set(sql, (s = { s: db.prepare(sql), label: sql.replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))+/, '(?…) × n').slice(0, 90) }));
    return s;
  };
  const bySql = new Map<string, number>();
  const exec = (e: { sql: string; params: unknown[] }) => {
    const { s, label } = stmt(e.sql);
    const t0 = process.hrtime.bigint();
    if (s.reader) s.all(...e.params);
    else s.run(...e.params);
    bySql.set(label, (bySql.get(label) ?? 0) + Number(process.hrtime.bigint() - t0));
  };
  // Statements prepared up front, as SqliteStorage's cache holds them after its first units.
  for (const e of entries) if (typeof e === 'object') stmt(e.sql);
  let statements = 0;
  let commits = 0;
  const txOf = db.transaction((batch: Array<{ sql: string; params: unknown[] }>) => {
    for (const e of batch) exec(e);
  });
  const wall0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
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
  const cpu = process.cpuUsage(c0);
  const wallNs = Number(process.hrtime.bigint() - wall0);
  let inStatements = 0;
  for (const v of bySql.values()) inStatements += v;
  bySql.set('(BEGIN IMMEDIATE, COMMIT: the rest of the wall time)', wallNs - inStatements);
  const walFrames = options.countFrames ? (db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log : 0;
  db.close();
  return { us: cpu.user + cpu.system, userUs: cpu.user, systemUs: cpu.system, statements, commits, walFrames, bySql };
}
