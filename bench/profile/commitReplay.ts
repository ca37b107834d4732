/**
 * The storage's own cost per step of a fan-out, without the engine:
 * `npx tsx bench/profile/commitReplay.ts <root…> [--steps N] [--runs R] [--memory-db] [--memory]`
 * (roots: checkouts holding core/, each with node_modules linked in; a root's compiled JavaScript
 * is used when it has out/bench, built by `npx tsc -p tsconfig.bench.json`, as the benchmarks run).
 *
 * 1. Records the ChangeSets one fan-out of N no-op steps (default 5,000; pool of 8, as
 *    fanoutVsBullmq) commits on SQLite, with this checkout's engine. The replays commit them
 *    through the asynchronous `commit` (Storage.sync runs the same transaction).
 * 2. Replays them, runs alternating between the roots in this process, each on fresh storage
 *    (a SQLite file, `:memory:` with --memory-db, or MemoryStorage with --memory), and takes the
 *    CPU time (user + system) of the commits after the first (the task's creation, apart).
 * 3. SQLite: replays the statements the first root ran (texts and bound values recorded) with
 *    better-sqlite3 alone, the same transactions on a fresh database with the same pragmas: the
 *    floor. A root's commit CPU minus the floor is its JavaScript side.
 * Prints medians of CPU µs per step. On a shared machine compare the alternating runs' medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { ChangeSet, Storage } from '../../core/storage/storage.js';
import { median, round } from '../lib/stats.js';
import { benchEngine, countCommits, fanOut } from '../lib/stepwise.js';
import { recordSql, type Entry } from './sqlReplay.js';
import { migrate } from '../../core/storage/sqlite/migrations.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../../core/storage/sqlite.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const STEPS = option('--steps', 5000);
const RUNS = option('--runs', 6);
const where: 'file' | 'memory-db' | 'memory' = args.includes('--memory') ? 'memory' : args.includes('--memory-db') ? 'memory-db' : 'file';
const roots = args.filter((a, i) => !a.startsWith('--') && !['--steps', '--runs'].includes(args[i - 1] ?? ''));
if (roots.length === 0) roots.push('.');

const dir = mkdtempSync(join(tmpdir(), 'stepwise-commit-replay-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (): string => (where === 'memory-db' ? ':memory:' : join(dir, `r${files++}.db`));

type Opener = () => Storage;
async function openerOf(root: string): Promise<Opener> {
  const base = resolve(root);
  const compiled = join(base, 'out/bench');
  const at = async (p: string) => {
    for (const candidate of [join(compiled, p.replace(/\.ts$/, '.js')), join(base, p)]) {
      try {
        return await import(pathToFileURL(candidate).href);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
      }
    }
    throw new Error(`${root} has neither out/bench/${p} nor ${p}`);
  };
  const { SqliteStorage } = await at('core/storage/sqlite.ts');
  const { MemoryStorage } = await at('core/storage/memory.ts');
  return () => (where === 'memory' ? new MemoryStorage() : new SqliteStorage({ file: file() }));
}

async function record(): Promise<ChangeSet[]> {
  const template = fanOut(STEPS);
  const b = await benchEngine([template], { kind: 'sqlite', dir, name: 'record' });
  const changes: ChangeSet[] = [];
  // Both commit paths (Storage.sync, the asynchronous commit), copied before storage sees them.
  countCommits(b.storage, (c) => changes.push(structuredClone(c)));
  const task = await b.engine.start(template.name);
  const r = await b.engine.runUntilIdle({ taskId: task.id });
  await b.close();
  if (r.task?.status !== 'complete') throw new Error(`the fan-out ended ${r.task?.status}`);
  return changes;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** CPU µs per step of the commits after the first. */
async function replay(open: Opener, changes: readonly ChangeSet[]): Promise<number> {
  const s = open();
  await s.commit(changes[0]!);
  const c0 = cpu();
  for (let i = 1; i < changes.length; i++) await s.commit(changes[i]!);
  const us = cpu() - c0;
  await s.close();
  return us / STEPS;
}

/** The recorded statements alone, each commit's in one IMMEDIATE transaction; µs per step after the first. */
function floor(entries: readonly Entry[]): number {
  const f = file();
  const db = new Database(f);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma('foreign_keys = ON');
  migrate(db, f, 0);
  const stmts = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = stmts.get(sql);
    if (!s) stmts.set(sql, (s = db.prepare(sql)));
    return s;
  };
  for (const e of entries) if (typeof e === 'object') stmt(e.sql);
  const tx = db.transaction((batch: Array<{ sql: string; params: unknown[] }>) => {
    for (const e of batch) {
      const s = stmt(e.sql);
      if (s.reader) s.all(...e.params);
      else s.run(...e.params);
    }
  });
  let batch: Array<{ sql: string; params: unknown[] }> = [];
  let commits = 0;
  let c0 = 0;
  for (const e of entries) {
    if (e === 'begin') batch = [];
    else if (e === 'commit') {
      tx.immediate(batch);
      if (commits++ === 0) c0 = cpu();
    } else batch.push(e);
  }
  const us = cpu() - c0;
  db.close();
  return us / STEPS;
}

async function main(): Promise<void> {
  const changes = await record();
  const openers = await Promise.all(roots.map(async (root) => ({ root, open: await openerOf(root) })));
  let entries: Entry[] | null = null;
  if (where !== 'memory') {
    const s = openers[0]!.open();
    entries = await recordSql({
      storage: s as unknown as Storage,
      run: async () => {
        for (const c of changes) await s.commit(c);
      },
      close: () => s.close(),
    });
  }
  const runs = new Map<string, number[]>(roots.map((r) => [r, []]));
  const floors: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    for (const { root, open } of run % 2 === 0 ? openers : [...openers].reverse()) {
      const us = await replay(open, changes);
      if (run >= 0) runs.get(root)!.push(us);
    }
    if (entries) {
      const us = floor(entries);
      if (run >= 0) floors.push(us);
    }
  }
  console.log(`${changes.length} commits of a ${STEPS}-step fan-out replayed on ${where === 'memory' ? 'MemoryStorage' : where === 'memory-db' ? 'SQLite :memory:' : 'a SQLite file'}, ${RUNS} runs alternating; CPU µs per step (median):`);
  const floorUs = floors.length > 0 ? median(floors) : null;
  for (const [root, us] of runs) {
    const m = median(us);
    console.log(`  ${root}: ${round(m, 2)}${floorUs === null ? '' : ` (JavaScript side ${round(m - floorUs, 2)})`}  [${us.map((x) => round(x, 1)).join(', ')}]`);
  }
  if (floorUs !== null) console.log(`  the SQL alone (floor, ${entries!.filter((e) => typeof e === 'object').length} statements): ${round(floorUs, 2)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
