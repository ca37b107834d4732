/**
 * One runner process of bench/postgres.bench.ts: an engine loop (pool executor, 8 at once, polling
 * every 20 ms) on the PostgreSQL URL given, running `fan_out_N` tasks. On SIGTERM it prints one JSON
 * line: commits, commits refused as lost races (STALE, CONCURRENCY_LIMIT: wasted claims) and steps
 * it completed.
 *   node --import tsx bench/pg/runner.ts URL N OWNER
 */
import { openEngine } from '../../core/engine/open.js';
import { StepwiseError } from '../../core/model/errors.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { fanOut, noop } from '../lib/stepwise.js';

const [url, n, owner] = process.argv.slice(2);
if (!url || !n || !owner) throw new Error('usage: runner.ts URL N OWNER');
const storage = await PostgresStorage.open({ url });
const stats = { commits: 0, refused: 0, steps: 0 };
const commit = storage.commit.bind(storage);
storage.commit = async (changes) => {
  stats.commits++;
  try {
    const r = await commit(changes);
    for (const p of changes.updateSteps ?? []) if (p.set.state === 'complete') stats.steps++;
    return r;
  } catch (err) {
    if (err instanceof StepwiseError && (err.code === 'STALE' || err.code === 'CONCURRENCY_LIMIT')) stats.refused++;
    throw err;
  }
};
const opened = await openEngine({ workspace: { templates: [fanOut(Number(n))], handlers: { noop } }, db: storage, executor: 'pool', concurrency: 8, owner });
opened.engine.startLoop({ pollMs: 20, heartbeat: 'runner', heartbeatMs: 200 });
process.on('SIGTERM', () => {
  void (async () => {
    await opened.engine.stop();
    process.stdout.write(JSON.stringify(stats) + '\n');
    await opened.close();
    await storage.close();
    process.exit(0);
  })();
});
