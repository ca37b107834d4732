/**
 * Server CPU of a fan-out's commit calls, replayed (`npx tsx bench/pg/replayCommits.ts [--steps N]
 * [--rounds R] [variant.sql ...]`): one engine runs a task of N no-op steps (pool executor, 8 at
 * once, as bench/postgres.bench.ts's fanOut) once on a private PostgreSQL while every
 * `stepwise.commit_fast` call's parameters are recorded; then the calls are sent again, in order,
 * on one connection to fresh databases, once per variant per round (alternating): the schema as
 * migrated (`base`), and after running each variant file's SQL (say, a commit function
 * re-created differently). Prints per variant the median backend CPU µs per step
 * (/proc/PID/schedstat, nanoseconds) of the task insert (the first call) and of the rest.
 * No engine runs during the replays, so nothing but the server's own work is measured.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import pg from 'pg';
import { openEngine } from '../../core/engine/open.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { createDatabase, startPostgres } from '../../test/fixtures/postgres/server.js';
import { fanOut, noop } from '../lib/stepwise.js';
import { median } from '../lib/stats.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const STEPS = opt('--steps', 2000);
const ROUNDS = opt('--rounds', 5);
const files = argv.filter((a, i) => !a.startsWith('--') && !['--steps', '--rounds'].includes(argv[i - 1] ?? ''));
const variants = [{ name: 'base', sql: '' }, ...files.map((f) => ({ name: basename(f), sql: readFileSync(f, 'utf8') }))];

interface Call {
  name: string;
  text: string;
  values: unknown[];
}

const calls: Call[] = [];
const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
let recording = false;
(pg.Client.prototype as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
  const q = args[0] as Partial<Call>;
  if (recording && typeof q === 'object' && q?.name === 'stepwise_commit_fast') calls.push({ name: q.name, text: q.text!, values: q.values! });
  return original.apply(this, args);
};

/** On-CPU nanoseconds of a process so far. */
const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

const server = await startPostgres({ durability: 'commit' });
let db = 0;
try {
  {
    const storage = await PostgresStorage.open({ url: await createDatabase(server.url, `replay_${db++}`) });
    const template = fanOut(STEPS);
    const opened = await openEngine({ workspace: { templates: [template], handlers: { noop } }, db: storage, executor: 'pool', concurrency: 8 });
    recording = true;
    const task = await opened.engine.start(template.name);
    await opened.engine.runUntilIdle({ taskId: task.id });
    recording = false;
    await opened.close();
    await storage.close();
  }
  const results = new Map<string, { insert: number[]; rest: number[] }>(variants.map((v) => [v.name, { insert: [], rest: [] }]));
  for (let r = -1; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const url = await createDatabase(server.url, `replay_${db++}`);
      await (await PostgresStorage.open({ url })).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        if (v.sql) await client.query(v.sql);
        const pid = Number((await client.query('SELECT pg_backend_pid() AS p')).rows[0].p);
        const t0 = cpuNs(pid);
        await client.query(calls[0]!);
        const t1 = cpuNs(pid);
        for (const c of calls.slice(1)) await client.query(c);
        const t2 = cpuNs(pid);
        // Round -1 warms the server's caches.
        if (r >= 0) {
          results.get(v.name)!.insert.push((t1 - t0) / 1000 / STEPS);
          results.get(v.name)!.rest.push((t2 - t1) / 1000 / STEPS);
        }
      } finally {
        await client.end();
      }
    }
  }
  const out: Record<string, unknown> = { steps: STEPS, calls: calls.length };
  for (const [name, s] of results) {
    out[name] = { insertUsPerStep: Math.round(median(s.insert) * 10) / 10, restUsPerStep: Math.round(median(s.rest) * 10) / 10, rest: s.rest.map((x) => Math.round(x)) };
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
} finally {
  await server.stop();
}
