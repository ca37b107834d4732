/**
 * Storage throughput. Run: `npx tsx bench/storage.bench.ts [commits]` — prints JSON.
 *
 * - sqliteStepCommit: SqliteStorage.commit of what one step state change writes (step patch +
 *   transition + event; storage adds the version checks and the task version bump).
 * - rawCeiling3: better-sqlite3 alone, the same three statements (step update, transition
 *   insert, event insert) in one IMMEDIATE transaction: the ceiling for this schema and pragmas.
 * - rawCeiling5: the raw ceiling of everything SqliteStorage actually runs per such commit
 *   (version check select, step update, task bump, transition insert, event insert).
 * - memoryStepCommit: MemoryStorage.commit of the same change.
 * - transitionsRead10kMs: median time of listTransitions for one task with 10,000 transitions (what
 *   stateAt reads).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStorage } from '../core/storage/memory.js';
import { SqliteStorage } from '../core/storage/sqlite.js';
import type { Storage } from '../core/storage/storage.js';
import { readyEvent, step, task, transition, T0 } from '../test/fixtures/storage/records.js';

const COMMITS = Number(process.argv[2] ?? 20_000);
const STEPS = 100;
const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));

function rate(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

async function seed(s: Storage, taskId: string): Promise<void> {
  await s.commit({ insertTasks: [task(taskId)], insertSteps: Array.from({ length: STEPS }, (_, i) => step(taskId, `s${i}`)) });
}

/** One step state change per commit, round-robin over the task's steps. */
async function stepCommits(s: Storage, n: number): Promise<number> {
  const versions = (await s.getSteps('t1')).map((x) => x.version);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const k = i % STEPS;
    const to = i % 2 === 0 ? 'ready' : 'running';
    await s.commit({
      updateSteps: [{ id: `t1:s${k}`, expectedVersion: versions[k]!, set: { state: to, updatedAt: T0 + i } }],
      transitions: [transition('t1', `s${k}`, 'pending', to, { at: T0 + i })],
      events: [readyEvent('t1', `s${k}`, T0 + i)],
    });
    versions[k]! += 1;
  }
  return performance.now() - start;
}

function rawCommits(file: string, n: number, full: boolean): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const check = db.prepare('SELECT task_id, version FROM steps WHERE id = ?').raw();
  const update = db.prepare('UPDATE steps SET state = ?, updated_at = ?, version = ? WHERE id = ?');
  const bump = db.prepare('UPDATE tasks SET version = version + 1 WHERE id = ?');
  const insertTransition = db.prepare(
    'INSERT INTO transitions (task_id, step_name, field, from_value, to_value, reason, actor, at, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertEvent = db.prepare('INSERT INTO events (type, task_id, step_name, at, payload) VALUES (?, ?, ?, ?, ?)');
  const versions = (db.prepare(`SELECT version FROM steps WHERE task_id = 't1' ORDER BY rowid`).pluck().all() as number[]);
  const one = db.transaction((i: number) => {
    const k = i % STEPS;
    const id = `t1:s${k}`;
    if (full) check.get(id);
    update.run(i % 2 === 0 ? 'ready' : 'running', T0 + i, versions[k]! + 1, id);
    if (full) bump.run('t1');
    insertTransition.run('t1', `s${k}`, 'state', 'pending', 'ready', 'test', 'engine', T0 + i, null);
    insertEvent.run('step.ready', 't1', `s${k}`, T0 + i, '{}');
    versions[k]! += 1;
  });
  const start = performance.now();
  for (let i = 0; i < n; i++) one.immediate(i);
  const ms = performance.now() - start;
  db.close();
  return ms;
}

async function transitionsRead(s: Storage): Promise<{ ms: number; rows: number }> {
  await s.commit({ insertTasks: [task('big')] });
  for (let b = 0; b < 10; b++) {
    await s.commit({ transitions: Array.from({ length: 1000 }, (_, i) => transition('big', `s${i % 50}`, 'pending', 'ready', { at: T0 + b * 1000 + i })) });
  }
  await s.listTransitions('big'); // warm the statement
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    rows = (await s.listTransitions('big')).length;
    times.push(performance.now() - start);
  }
  times.sort((x, y) => x - y);
  return { ms: +times[3]!.toFixed(2), rows }; // median of 7
}

async function main(): Promise<void> {
  const sqlite = new SqliteStorage({ file: join(dir, 'storage.db') });
  await seed(sqlite, 't1');
  await stepCommits(sqlite, 500); // warm-up
  const sqliteMs = await stepCommits(sqlite, COMMITS);
  const read = await transitionsRead(sqlite);
  await sqlite.close();

  const rawResults: Record<string, number> = {};
  for (const [name, full] of [['rawCeiling3', false], ['rawCeiling5', true]] as const) {
    const file = join(dir, `${name}.db`);
    const s = new SqliteStorage({ file });
    await seed(s, 't1');
    await s.close();
    rawCommits(file, 500, full);
    rawResults[name] = rate(COMMITS, rawCommits(file, COMMITS, full));
  }

  const memory = new MemoryStorage();
  await seed(memory, 't1');
  const memoryMs = await stepCommits(memory, COMMITS);
  const memoryRead = await transitionsRead(memory);

  const sqliteRate = rate(COMMITS, sqliteMs);
  console.log(
    JSON.stringify(
      {
        bench: 'storage',
        node: process.version,
        commits: COMMITS,
        commitsPerSecond: {
          sqliteStepCommit: sqliteRate,
          rawCeiling3: rawResults['rawCeiling3'],
          rawCeiling5: rawResults['rawCeiling5'],
          memoryStepCommit: rate(COMMITS, memoryMs),
        },
        sqliteVsRaw3: +(sqliteRate / rawResults['rawCeiling3']!).toFixed(2),
        sqliteVsRaw5: +(sqliteRate / rawResults['rawCeiling5']!).toFixed(2),
        transitionsRead10kMs: { sqlite: read.ms, memory: memoryRead.ms, rows: read.rows },
      },
      null,
      2,
    ),
  );
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
