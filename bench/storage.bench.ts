/**
 * Storage throughput. Run: `npx tsx bench/storage.bench.ts [commits]` — prints JSON.
 *
 * - sqliteStepCommit: SqliteStorage.commit of what one step state change writes (step patch +
 *   transition + event; storage adds the version checks and the task version bump). The raw
 *   better-sqlite3 ceiling it is compared with is measured interleaved with it and with the
 *   engine in ./ceiling.bench.ts.
 * - memoryStepCommit: MemoryStorage.commit of the same change.
 * - transitionsRead10kMs: median time of listTransitions for one task with 10,000 transitions (what
 *   stateAt reads).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
          memoryStepCommit: rate(COMMITS, memoryMs),
        },
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
