/**
 * Where the engine dispatch latency goes (`node --import tsx bench/pg/profileDispatch.ts [N]`): as
 * bench/postgres.bench.ts engineDispatch with hints (a one-step task started by another storage →
 * its handler running in an engine loop polling every second), split per sample into start
 * commit → hint received by the runner's storage → handler running. Printed as JSON: p50/p90/p99
 * of each part, and the slowest samples.
 */
import { openEngine } from '../../core/engine/open.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { createDatabase, startPostgres } from '../../test/fixtures/postgres/server.js';
import { fanOut, noop } from '../lib/stepwise.js';
import { percentile, round } from '../lib/stats.js';

const N = Number(process.argv[2] ?? 100);
const server = await startPostgres({ durability: 'commit' });
try {
  const url = await createDatabase(server.url, 'profile_dispatch');
  const runnerStorage = await PostgresStorage.open({ url });
  const starterStorage = await PostgresStorage.open({ url });
  const template = fanOut(1);
  let ran: (() => void) | null = null;
  let hintAt = 0;
  runnerStorage.subscribe('work', () => (hintAt = performance.now()));
  // The runner's storage calls of each sample, as [name, start, end] from the sample's start commit.
  let calls: Array<[string, number, number]> = [];
  let base = 0;
  const wrapped = runnerStorage as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of ['reserveTasks', 'getTask', 'getSteps', 'commit', 'expiredLeases', 'dueSteps', 'expiredTaskLeases', 'dueTasks', 'expiredTasks', 'listTasks', 'exclusively', 'tasksWithReadySteps']) {
    const original = wrapped[name]!.bind(runnerStorage);
    wrapped[name] = async (...args: unknown[]) => {
      const t = performance.now() - base;
      try {
        return await original(...args);
      } finally {
        calls.push([name, Math.round(t * 10) / 10, Math.round((performance.now() - base) * 10) / 10]);
      }
    };
  }
  const runner = await openEngine({ workspace: { templates: [template], handlers: { noop: () => (ran?.(), null) } }, db: runnerStorage, executor: 'pool', concurrency: 8 });
  const starter = await openEngine({ workspace: { templates: [template], handlers: { noop } }, db: starterStorage });
  const samples: Array<{ commit: number; hint: number; run: number; total: number; calls?: Array<[string, number, number]> }> = [];
  await runnerStorage.hintsReady();
  runner.engine.startLoop({ pollMs: 1000 });
  for (let i = 0; i < N; i++) {
    await new Promise((r) => setTimeout(r, Math.random() * 200));
    const seen = new Promise<void>((r) => (ran = r));
    hintAt = 0;
    const t0 = performance.now();
    base = t0;
    calls = [];
    await starter.engine.start(template.name);
    const t1 = performance.now();
    await seen;
    const t2 = performance.now();
    const h = hintAt || t2;
    samples.push({ commit: t1 - t0, hint: h - t1, run: t2 - h, total: t2 - t0, calls: calls.filter((c) => c[1] < t2 - t0) });
  }
  await runner.engine.stop();
  await runner.close();
  await starter.close();
  await runnerStorage.close();
  await starterStorage.close();
  const stat = (k: 'commit' | 'hint' | 'run' | 'total') => {
    const xs = samples.map((s) => s[k]);
    return { p50: round(percentile(xs, 50), 1), p90: round(percentile(xs, 90), 1), p99: round(percentile(xs, 99), 1) };
  };
  const slow = [...samples].sort((a, b) => b.total - a.total).slice(0, 5).map((s) => ({ ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? round(v, 1) : v])) }));
  process.stdout.write(JSON.stringify({ samples: N, commit: stat('commit'), hint: stat('hint'), run: stat('run'), total: stat('total'), slow }, null, 1) + '\n');
} finally {
  await server.stop();
}
