/**
 * The BullMQ peer, on a throwaway local Redis (./redis.ts): the same no-op handler, 8 jobs at
 * once (the concurrency the Stepwise runs use). Run: `npx tsx bench/peers/bullmq.bench.ts`.
 *
 * - independent: `addBulk` of 5,000 jobs, timed until the worker completed all of them.
 * - chain: a FlowProducer flow 200 deep (each job the only child of the next), timed until the
 *   top job completed.
 * Each run uses a fresh queue; figures are the median of `runs` runs.
 */
import { FlowProducer, Queue, Worker, type FlowJob } from 'bullmq';
import { parseArgs, runMain } from '../lib/cli.js';
import { perSecond, repeat, round, sample } from '../lib/stats.js';
import { startRedis } from './redis.js';

const CONCURRENCY = 8;
type Connection = { host: string; port: number; maxRetriesPerRequest: null };

/** A worker running no-op jobs; resolves `done` after `expected` completions. */
async function worker(queueName: string, connection: Connection, expected: number) {
  let completed = 0;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const w = new Worker(queueName, async () => null, { connection, concurrency: CONCURRENCY });
  w.on('completed', () => {
    completed += 1;
    if (completed === expected) finish();
  });
  w.on('failed', (_job, err) => fail(err));
  w.on('error', (err) => fail(err));
  await w.waitUntilReady();
  return { w, done };
}

async function independent(connection: Connection, n: number, run: number): Promise<number> {
  const name = `independent-${run}-${process.pid}`;
  const queue = new Queue(name, { connection });
  const { w, done } = await worker(name, connection, n);
  try {
    const start = performance.now();
    await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: `s${i}`, data: {} })));
    await done;
    return performance.now() - start;
  } finally {
    await w.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

function nested(queueName: string, depth: number): FlowJob {
  let job: FlowJob = { name: 's0', queueName, data: {} };
  for (let i = 1; i < depth; i++) job = { name: `s${i}`, queueName, data: {}, children: [job] };
  return job;
}

async function chain(connection: Connection, depth: number, run: number): Promise<number> {
  const name = `chain-${run}-${process.pid}`;
  const queue = new Queue(name, { connection });
  const producer = new FlowProducer({ connection });
  const { w, done } = await worker(name, connection, depth);
  try {
    const start = performance.now();
    await producer.add(nested(name, depth));
    await done;
    return performance.now() - start;
  } finally {
    await w.close();
    await producer.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

async function main() {
  const args = parseArgs();
  // Always 5,000: the same workload as the Stepwise fan-out it is compared with (--quick only runs fewer times).
  const n = 5000;
  const depth = 200;
  const redis = await startRedis();
  try {
    const connection: Connection = { host: redis.host, port: redis.port, maxRetriesPerRequest: null };
    const ind = sample(await repeat(args.runs, (i) => independent(connection, n, i), 1));
    const ch = sample(await repeat(args.runs, (i) => chain(connection, depth, i), 1));
    return {
      bench: 'bullmq',
      redis: redis.version,
      concurrency: CONCURRENCY,
      independent: { jobs: n, ms: ind, jobsPerSecond: round(perSecond(n, ind.median)) },
      chain: { depth, ms: ch, jobsPerSecond: round(perSecond(depth, ch.median)) },
    };
  } finally {
    await redis.stop();
  }
}

runMain(main);
