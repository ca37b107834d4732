/**
 * The SQLite ceiling, measured so it can be trusted: `npx tsx bench/ceiling.bench.ts [--quick] [--runs N]`.
 *
 * Each round runs, one after the other in this process, on fresh files in one temp folder (the
 * same file system), so drift in the machine's load hits all of them alike:
 * - rawCeiling3: better-sqlite3 alone, one step state change per IMMEDIATE transaction: step
 *   update + transition insert + event insert (the rows every audited change writes);
 * - storageCommit: `SqliteStorage.commit` of the same change (it adds the version checks and the
 *   task version bump: strictly more work than rawCeiling3);
 * - rawCeiling5: better-sqlite3 running what SqliteStorage runs per such commit (version check
 *   select, step update, task bump, transition insert, event insert);
 * - engine: the 5,000-step fan-out (pool of 8, no-op handlers), steps per second.
 * The raw connections use exactly the pragmas SqliteStorage set on its own connection (WAL,
 * synchronous, wal_autocheckpoint, cache size, foreign keys), read back from it. Every
 * measurement makes enough commits to pass at least one WAL checkpoint (counted from the WAL
 * header's checkpoint sequence number), so no figure is the cost of commits that never pay for one.
 *
 * The figures must agree with each other: a SqliteStorage.commit faster than the raw ceiling of
 * its own writes, rawCeiling5 faster than rawCeiling3, or a measurement that passed no
 * checkpoint is a broken benchmark, not a result: it is listed under `inconsistent`, and
 * bench/index.ts fails the run.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../core/storage/sqlite.js';
import { readyEvent, step, task, transition, T0 } from '../test/fixtures/storage/records.js';
import { parseArgs, runMain, tempDir } from './lib/cli.js';
import { perSecond, round, sample } from './lib/stats.js';
import { fanOut, runWorkflowOnce } from './lib/stepwise.js';

const STEPS = 100;
/** A commit faster than its ceiling by more than this is not noise. */
const TOLERANCE = 1.1;

/** Checkpoint sequence number in the WAL header (bytes 12–15, big-endian); 0 without a WAL. */
export function walCheckpointSeq(file: string): number {
  let fd: number;
  try {
    fd = openSync(`${file}-wal`, 'r');
  } catch {
    return 0;
  }
  try {
    const header = Buffer.alloc(32);
    return readSync(fd, header, 0, 32, 0) === 32 ? header.readUInt32BE(12) : 0;
  } finally {
    closeSync(fd);
  }
}

/** The connection settings SqliteStorage applied to its own connection, to apply to a raw one. */
function pragmasOf(storage: SqliteStorage): Record<string, unknown> {
  // The benchmark reads the storage's private connection on purpose: the raw ceiling must run
  // with whatever SqliteStorage configures, now and after it changes.
  const db = (storage as unknown as { db: Database.Database }).db;
  const names = ['journal_mode', 'synchronous', 'wal_autocheckpoint', 'cache_size', 'foreign_keys', 'temp_store', 'mmap_size'];
  return Object.fromEntries(names.map((n) => [n, db.pragma(n, { simple: true })]));
}

async function seeded(file: string): Promise<{ pragmas: Record<string, unknown> }> {
  const s = new SqliteStorage({ file });
  try {
    await s.commit({ insertTasks: [task('t1')], insertSteps: Array.from({ length: STEPS }, (_, i) => step('t1', `s${i}`)) });
    return { pragmas: pragmasOf(s) };
  } finally {
    await s.close();
  }
}

interface Measured {
  ms: number;
  /** CPU time of this process (user + system) meanwhile: on a loaded machine, wall time minus this is waiting for a core or the disk. */
  cpuMs: number;
  checkpoints: number;
}

/** Times `fn` in wall and CPU time, and counts the WAL checkpoints of `file` it passed. */
async function timedCommits(file: string, fn: () => unknown): Promise<Measured> {
  const seq0 = walCheckpointSeq(file);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, checkpoints: walCheckpointSeq(file) - seq0 };
}

/** SqliteStorage.commit of one step state change per commit, round-robin over the steps. */
async function storageCommits(file: string, n: number): Promise<Measured> {
  await seeded(file);
  const s = new SqliteStorage({ file });
  try {
    const versions = (await s.getSteps('t1')).map((x) => x.version);
    const one = async (i: number) => {
      const k = i % STEPS;
      const to = i % 2 === 0 ? 'ready' : 'running';
      await s.commit({
        updateSteps: [{ id: `t1:s${k}`, expectedVersion: versions[k]!, set: { state: to, updatedAt: T0 + i } }],
        transitions: [transition('t1', `s${k}`, 'pending', to, { at: T0 + i })],
        events: [readyEvent('t1', `s${k}`, T0 + i)],
      });
      versions[k]! += 1;
    };
    for (let i = 0; i < 500; i++) await one(i); // warm-up
    return await timedCommits(file, async () => {
      for (let i = 500; i < 500 + n; i++) await one(i);
    });
  } finally {
    await s.close();
  }
}

/** better-sqlite3 alone: 3 statements per transaction (or the 5 SqliteStorage runs). */
async function rawCommits(file: string, n: number, full: boolean): Promise<Measured> {
  const { pragmas } = await seeded(file);
  const db = new Database(file);
  try {
    for (const [name, value] of Object.entries(pragmas)) db.pragma(`${name} = ${String(value)}`);
    const check = db.prepare('SELECT task_id, version FROM steps WHERE id = ?').raw();
    const update = db.prepare('UPDATE steps SET state = ?, updated_at = ?, version = ? WHERE id = ?');
    const bump = db.prepare('UPDATE tasks SET version = version + 1 WHERE id = ?');
    const insertTransition = db.prepare(
      'INSERT INTO transitions (task_id, step_name, field, from_value, to_value, reason, actor, at, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertEvent = db.prepare('INSERT INTO events (type, task_id, step_name, at, payload) VALUES (?, ?, ?, ?, ?)');
    const versions = db.prepare(`SELECT version FROM steps WHERE task_id = 't1' ORDER BY rowid`).pluck().all() as number[];
    const one = db.transaction((i: number) => {
      const k = i % STEPS;
      const id = `t1:s${k}`;
      const to = i % 2 === 0 ? 'ready' : 'running';
      if (full) check.get(id);
      update.run(to, T0 + i, versions[k]! + 1, id);
      if (full) bump.run('t1');
      insertTransition.run('t1', `s${k}`, 'state', 'pending', to, 'test', 'engine', T0 + i, null);
      insertEvent.run('step.ready', 't1', `s${k}`, T0 + i, '{}');
      versions[k]! += 1;
    });
    for (let i = 0; i < 500; i++) one.immediate(i);
    return await timedCommits(file, () => {
      for (let i = 500; i < 500 + n; i++) one.immediate(i);
    });
  } finally {
    db.close();
  }
}

async function main() {
  const args = parseArgs();
  const dir = tempDir('ceiling');
  // Enough commits to pass SqliteStorage's WAL checkpoint threshold several times (checked below).
  const commits = args.quick ? 8_000 : 20_000;
  const steps = 5000;
  const template = fanOut(steps);
  const raw3: Measured[] = [];
  const raw5: Measured[] = [];
  const storage: Measured[] = [];
  const engine: number[] = [];
  let pragmas: Record<string, unknown> = {};
  for (let r = -1; r < args.runs; r++) {
    const tag = r < 0 ? 'warm' : String(r);
    const a = await rawCommits(join(dir, `raw3-${tag}.db`), commits, false);
    const b = await storageCommits(join(dir, `storage-${tag}.db`), commits);
    const c = await rawCommits(join(dir, `raw5-${tag}.db`), commits, true);
    const e = await runWorkflowOnce(template, dir, `engine-${tag}`);
    if (r < 0) {
      pragmas = (await seeded(join(dir, 'pragmas.db'))).pragmas;
      continue;
    }
    raw3.push(a);
    storage.push(b);
    raw5.push(c);
    engine.push(e.ms);
  }
  const rate = (ms: Measured[]) => round(perSecond(commits, sample(ms.map((m) => m.ms)).median));
  const figures = {
    rawCeiling3: rate(raw3),
    storageCommit: rate(storage),
    rawCeiling5: rate(raw5),
    engineStepsPerSecond: round(perSecond(steps, sample(engine).median)),
  };
  const checkpoints = {
    rawCeiling3: Math.min(...raw3.map((m) => m.checkpoints)),
    storageCommit: Math.min(...storage.map((m) => m.checkpoints)),
    rawCeiling5: Math.min(...raw5.map((m) => m.checkpoints)),
  };
  const inconsistent: string[] = [];
  if (figures.storageCommit > figures.rawCeiling3 * TOLERANCE) {
    inconsistent.push(`SqliteStorage.commit (${figures.storageCommit}/s) is faster than the raw ceiling of the same writes (${figures.rawCeiling3}/s)`);
  }
  if (figures.rawCeiling5 > figures.rawCeiling3 * TOLERANCE) {
    inconsistent.push(`5 statements per transaction (${figures.rawCeiling5}/s) are faster than 3 (${figures.rawCeiling3}/s)`);
  }
  for (const [name, n] of Object.entries(checkpoints)) {
    if (n < 1) inconsistent.push(`${name} passed no WAL checkpoint in ${commits} commits: raise the commit count`);
  }
  return {
    bench: 'ceiling',
    commits,
    steps,
    pragmas,
    rounds: args.runs,
    commitsPerSecond: { rawCeiling3: figures.rawCeiling3, storageCommit: figures.storageCommit, rawCeiling5: figures.rawCeiling5 },
    engine: { stepsPerSecond: figures.engineStepsPerSecond, ms: sample(engine) },
    ms: { rawCeiling3: sample(raw3.map((m) => m.ms)), storageCommit: sample(storage.map((m) => m.ms)), rawCeiling5: sample(raw5.map((m) => m.ms)) },
    cpuMs: { rawCeiling3: sample(raw3.map((m) => m.cpuMs)), storageCommit: sample(storage.map((m) => m.cpuMs)), rawCeiling5: sample(raw5.map((m) => m.cpuMs)) },
    walCheckpointsPassed: checkpoints,
    ratios: {
      engineVsCeiling: round(figures.engineStepsPerSecond / figures.rawCeiling3, 3),
      storageVsCeiling: round(figures.storageCommit / figures.rawCeiling3, 3),
      ceiling5VsCeiling3: round(figures.rawCeiling5 / figures.rawCeiling3, 3),
    },
    inconsistent,
  };
}

runMain(main);
