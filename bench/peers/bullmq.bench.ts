/**
 * Stepwise against BullMQ, on a throwaway local Redis (./redis.ts): the same no-op handler,
 * 8 at once on both sides. Run: `npx tsx bench/peers/bullmq.bench.ts [--runs N]`.
 *
 * - independent: BullMQ `addBulk` of 5,000 jobs, timed until the worker completed all of them;
 *   Stepwise: one task of 5,000 independent steps on a SQLite file, timed until complete.
 * - chain: a FlowProducer flow 200 deep (each job the only child of the next), timed until the
 *   top job completed; Stepwise: a 200-step chain.
 * The two engines alternate run by run in this one process (each run on a fresh queue / a fresh
 * database file), so a machine that gets busier slows both alike; figures are medians.
 */
import { FlowProducer, Queue, Worker, type FlowJob } from 'bullmq';
import { parseArgs, runMain } from '../lib/cli.js';
import { perSecond, round, sample } from '../lib/stats.js';
import { startRedis } from './redis.js';
import { tempDir } from '../lib/cli.js';
import { chain as chainTemplate, fanOut, runWorkflowOnce } from '../lib/stepwise.js';

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
  // Always 5,000 and 200: --quick only runs fewer rounds.
  const n = 5000;
  const depth = 200;
  const dir = tempDir('peer');
  const wide = fanOut(n);
  const deep = chainTemplate(depth);
  const redis = await startRedis();
  try {
    const connection: Connection = { host: redis.host, port: redis.port, maxRetriesPerRequest: null };
    const times = { bullInd: [] as number[], bullChain: [] as number[], swInd: [] as number[], swChain: [] as number[] };
    let commitsPerStep = 0;
    // Round -1 warms both up and is not counted.
    for (let r = -1; r < args.runs; r++) {
      const sw = await runWorkflowOnce(wide, dir, `fan-${r}`);
      const bi = await independent(connection, n, r + 1);
      const sc = await runWorkflowOnce(deep, dir, `chain-${r}`);
      const bc = await chain(connection, depth, r + 1);
      if (r < 0) continue;
      times.swInd.push(sw.ms);
      times.bullInd.push(bi);
      times.swChain.push(sc.ms);
      times.bullChain.push(bc);
      commitsPerStep = sw.commitsPerStep;
    }
    const summary = (count: number, runs: number[], unit: string) => {
      const ms = sample(runs);
      return { count, ms, [unit]: round(perSecond(count, ms.median)) };
    };
    const stepwiseIndependent = summary(n, times.swInd, 'stepsPerSecond');
    const bullmqIndependent = summary(n, times.bullInd, 'jobsPerSecond');
    const stepwiseChain = summary(depth, times.swChain, 'stepsPerSecond');
    const bullmqChain = summary(depth, times.bullChain, 'jobsPerSecond');
    return {
      bench: 'bullmq',
      redis: redis.version,
      concurrency: CONCURRENCY,
      stepwiseStorage: 'sqlite file (WAL, synchronous=NORMAL)',
      independent: { stepwise: stepwiseIndependent, bullmq: bullmqIndependent, stepwiseCommitsPerStep: round(commitsPerStep) },
      chain: { stepwise: stepwiseChain, bullmq: bullmqChain },
      ratios: {
        independent: round((stepwiseIndependent.stepsPerSecond as number) / (bullmqIndependent.jobsPerSecond as number), 3),
        chain: round((stepwiseChain.stepsPerSecond as number) / (bullmqChain.jobsPerSecond as number), 3),
      },
    };
  } finally {
    await redis.stop();
  }
}

runMain(main);
