/**
 * One worker process of a PostgreSQL queue peer (bench/pg/peers.ts), running no-op jobs of the
 * queue `noop` with 8 at once until SIGTERM, then printing one JSON line `{ "jobs": N }`.
 *   node --import tsx bench/pg/peerWorker.ts graphile|pgboss-work|pgboss-fetch URL
 * - graphile: graphile-worker's `run` (LISTEN/NOTIFY plus its poll), concurrency 8.
 * - pgboss-work: pg-boss's `work` API, batches of 8 (8 jobs in flight), its shortest polling interval (0.5 s).
 * - pgboss-fetch: 8 loops of pg-boss `fetch` + `complete`, each polling every 20 ms when the queue is empty
 *   (as the Stepwise runners here poll): pg-boss's queue without its worker's polling delay.
 */
import { Logger, run } from 'graphile-worker';
import PgBoss from 'pg-boss';

const CONCURRENCY = 8;
const [kind, url] = process.argv.slice(2);
if (!url) throw new Error('usage: peerWorker.ts graphile|pgboss-work|pgboss-fetch URL');
let jobs = 0;
let stop: () => Promise<void>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (kind === 'graphile') {
  const runner = await run({
    connectionString: url,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    logger: new Logger(() => () => undefined),
    taskList: { noop: async () => void jobs++ },
  });
  stop = () => runner.stop();
} else if (kind === 'pgboss-work' || kind === 'pgboss-fetch') {
  const boss = new PgBoss({ connectionString: url, max: CONCURRENCY + 2, schedule: false, supervise: false, migrate: false });
  boss.on('error', (err) => process.stderr.write(`pg-boss: ${String(err)}\n`));
  await boss.start();
  let stopping = false;
  const loops: Promise<void>[] = [];
  if (kind === 'pgboss-work') {
    await boss.work('noop', { batchSize: CONCURRENCY, pollingIntervalSeconds: 0.5 }, async (batch) => void (jobs += batch.length));
  } else {
    for (let i = 0; i < CONCURRENCY; i++) {
      loops.push(
        (async () => {
          while (!stopping) {
            const got = await boss.fetch('noop', { batchSize: 1 });
            if (!got || got.length === 0) {
              await sleep(20);
              continue;
            }
            jobs += got.length;
            await boss.complete('noop', got.map((j) => j.id));
          }
        })(),
      );
    }
  }
  stop = async () => {
    stopping = true;
    await Promise.all(loops);
    await boss.stop({ graceful: true, wait: true });
  };
} else {
  throw new Error(`unknown peer ${kind}`);
}

process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    await stop();
    process.stdout.write(JSON.stringify({ jobs }) + '\n');
    process.exit(0);
  })();
});
