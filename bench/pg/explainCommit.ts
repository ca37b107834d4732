/**
 * The plans of a fan-out's commits on PostgreSQL (`node --import tsx bench/pg/explainCommit.ts [N]`):
 * one engine runs a task of N no-op steps (pool executor, 8 at once) on a private PostgreSQL whose
 * database loads auto_explain for every session (nested statements, actual times), and prints each
 * distinct plan node line of the commit function's statements with its total actual time over the
 * run, slowest first; then the write figures of bench/pg/writeAmp.ts for the same run.
 */
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import pg from 'pg';
import { openEngine } from '../../core/engine/open.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { createDatabase, startPostgres } from '../../test/fixtures/postgres/server.js';
import { fanOut, noop } from '../lib/stepwise.js';

const N = Number(process.argv[2] ?? 500);
const server = await startPostgres({ durability: 'commit' });
try {
  const url = await createDatabase(server.url, 'explain_commit');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dataDir = (await admin.query('SHOW data_directory')).rows[0].data_directory as string;
  const log = join(dirname(dataDir), 'server.log');
  for (const s of ["session_preload_libraries = 'auto_explain'", 'auto_explain.log_min_duration = 0', 'auto_explain.log_analyze = on', 'auto_explain.log_nested_statements = on', 'auto_explain.log_timing = on']) {
    await admin.query(`ALTER DATABASE explain_commit SET ${s}`);
  }
  await admin.end();
  const storage = await PostgresStorage.open({ url });
  const opened = await openEngine({ workspace: { templates: [fanOut(N)], handlers: { noop } }, db: storage, executor: 'pool', concurrency: 8 });
  const skip = readFileSync(log, 'utf8').length;
  const task = await opened.engine.start(`fan_out_${N}`);
  await opened.engine.runUntilIdle({ taskId: task.id });
  await opened.close();
  await storage.close();
  const text = readFileSync(log, 'utf8').slice(skip);
  // Sum actual total time (time × loops) per plan line, by its operator and relation.
  const byLine = new Map<string, { ms: number; n: number }>();
  for (const line of text.split('\n')) {
    const m = /^\s*(?:->\s*)?(.+?)\s+\(cost=[^)]*\) \(actual time=[\d.]+\.\.([\d.]+) rows=\d+ loops=(\d+)\)/.exec(line);
    if (!m) continue;
    const key = m[1]!.replace(/\s+/g, ' ');
    const e = byLine.get(key) ?? { ms: 0, n: 0 };
    e.ms += Number(m[2]) * Number(m[3]);
    e.n += 1;
    byLine.set(key, e);
  }
  const top = [...byLine.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40);
  for (const [k, v] of top) process.stdout.write(`${(v.ms / N).toFixed(4)} ms/step  ${String(v.n).padStart(6)}×  ${k}\n`);
  if (process.env.SHOW_PLANS) process.stdout.write(text);
} finally {
  await server.stop();
}
