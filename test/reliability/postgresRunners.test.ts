/**
 * Many runners on one PostgreSQL (issue 13 item 5). Every process here is the real command
 * (`stepwise runner`, `stepwise start`) with a user's environment, over a private PostgreSQL.
 *
 * 1. The CLI story: three `stepwise runner --db postgres://…` plus `stepwise start … --db
 *    postgres://…` run the tasks across the runners (more than one runner did work).
 * 2. Crashes and people: three runners, one SIGKILLed at random (seeded) moments and started
 *    again, while another client races safe operations (retry, reset, complete, cancel) through
 *    core/ops and follows the event log as the workbench does. In the end every task is complete
 *    (cancelled for the ones the client cancels), no step was recorded complete twice, every
 *    claim has exactly one attempt row (numbered 1..n, none left open), every operation applied
 *    once (one op.applied) or was refused with a typed code, and the follower saw every event
 *    exactly once, in order. RELIABILITY_SCALE=small: fewer tasks and kills.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type OpenedEngine } from '../../core/engine/open.js';
import { followEvents } from '../../core/events/log.js';
import { relayForeignEvents } from '../../core/host/foreignEvents.js';
import { StepwiseError } from '../../core/model/errors.js';
import type { StepwiseEvent } from '../../core/model/events.js';
import type { StepRecord, TaskRecord } from '../../core/model/runtime.js';
import { createOps, type OpRequest } from '../../core/ops/index.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { createDatabase, startPostgres, type PostgresServer } from '../fixtures/postgres/server.js';
import { scaled, SEED } from './scale.js';
import { allTasks, userEnv } from './shared.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin/stepwise.mjs');
const WORKSPACE = path.join(import.meta.dirname, 'fixtures/cluster');
const LEASE_MS = 2_000;

const CLI_TASKS = scaled(12, 6);
const TASKS = scaled(60, 16);
const KILLS = scaled(12, 4);
/** Every CANCEL_EVERY-th task is cancelled by the client (never fixed): it ends cancelled. */
const CANCEL_EVERY = 5;
const TYPED = new Set(['STALE', 'INVALID_STATE']);

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Runner {
  proc: ChildProcess;
  /** The engine owner it printed (`runner <owner> serving …`). */
  owner: Promise<string>;
  log(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startRunner(db: string): Runner {
  const proc = spawn(process.execPath, [BIN, 'runner', '--workspace', WORKSPACE, '--db', db, '--poll-ms', '100', '--lease-ms', String(LEASE_MS)], {
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const owner = new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (b) => {
      log += String(b);
      const m = /^runner (\S+) serving/m.exec(log);
      if (m) resolve(m[1]!);
    });
    proc.stderr!.on('data', (b) => (log += String(b)));
    void exited.then((e) => reject(new Error(`a runner exited before it was ready (${e.code ?? e.signal}):\n${log}`)));
  });
  owner.catch(() => undefined);
  return { proc, owner, log: () => log, exited };
}

function stepwise(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += String(b)));
    child.stderr.on('data', (b) => (err += String(b)));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function stopRunner(r: Runner): Promise<void> {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
  r.proc.kill('SIGTERM');
  const exit = await r.exited;
  expect(exit.code, r.log()).toBe(0);
}


async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await sleep(100);
  }
}

/** The pids that ran the steps of these tasks (handlers return their process id). */
async function pidsOf(storage: PostgresStorage, tasks: readonly TaskRecord[]): Promise<Set<number>> {
  const pids = new Set<number>();
  for (const t of tasks) {
    for (const s of await storage.getSteps(t.id)) {
      const pid = (s.results as { pid?: unknown } | null)?.pid;
      if (typeof pid === 'number') pids.add(pid);
    }
  }
  return pids;
}

describe('stepwise runner ×3 on one PostgreSQL', () => {
  it(`runs ${CLI_TASKS} tasks started by \`stepwise start --db postgres://…\` across the runners`, async () => {
    const db = await createDatabase(server.url, 'cli_story');
    const runners = [startRunner(db), startRunner(db), startRunner(db)];
    const logs = () => runners.map((r, i) => `--- runner ${i}\n${r.log()}`).join('\n');
    const storage = await PostgresStorage.open({ url: db });
    try {
      await Promise.all(runners.map((r) => r.owner));
      // Three `stepwise start` at a time, so tasks overlap and every runner has a reason to take one.
      const ids: string[] = [];
      const queue = Array.from({ length: CLI_TASKS }, (_, i) => i);
      await Promise.all(
        [0, 1, 2].map(async () => {
          while (queue.shift() !== undefined) {
            const started = await stepwise(['start', 'cluster/wide', '--db', db, '--workspace', WORKSPACE, '--json']);
            expect(started.code, started.err).toBe(0);
            ids.push((JSON.parse(started.out) as { task: { id: string } }).task.id);
          }
        }),
      );
      await until(
        'the tasks to finish',
        async () => (await Promise.all(ids.map((id) => storage.getTask(id)))).every((t) => t?.status === 'complete'),
        scaled(240_000, 120_000),
        logs,
      );
      const tasks = (await Promise.all(ids.map((id) => storage.getTask(id)))) as TaskRecord[];
      const pids = await pidsOf(storage, tasks);
      const runnerPids = new Set(runners.map((r) => r.proc.pid));
      for (const pid of pids) expect(runnerPids.has(pid), `pid ${pid} is one of the runners`).toBe(true);
      expect(pids.size, `runners that did work: ${[...pids].join(', ')}`).toBeGreaterThan(1);
    } finally {
      await Promise.all(runners.map((r) => stopRunner(r)));
      await storage.close();
    }
    for (const r of runners) expect(r.log()).toMatch(/runner stopped/);
  });
});

describe('runners SIGKILLed at random while a client races operations', () => {
  it(`finishes ${TASKS} tasks through ${KILLS} kills; steps complete once, one attempt row per claim, the follower sees every event once in order (seed ${SEED})`, async () => {
    const db = await createDatabase(server.url, 'kills');
    const storage = await PostgresStorage.open({ url: db });
    const client: OpenedEngine = await openEngine({ workspace: WORKSPACE, db: storage, executor: 'inline', owner: 'client' });
    const ops = createOps(client.engine);
    const relay = await relayForeignEvents(storage, client.engine.bus, { intervalMs: 200 });
    const seen: StepwiseEvent[] = [];
    const follower = followEvents(storage, relay.bus, 0, (e) => void seen.push(e), { onError: (err) => seen.push({ seq: -1, type: 'follower.failed', payload: String(err) } as never) });

    const runners: Runner[] = [];
    const dead: Runner[] = [];
    const logs = () => [...dead, ...runners].map((r, i) => `--- runner ${i}\n${r.log()}`).join('\n');
    const rng = fc.sample(fc.record({ delay: fc.integer({ min: 300, max: 2_500 }), victim: fc.integer({ min: 0, max: 2 }), pause: fc.integer({ min: 0, max: 400 }) }), { seed: SEED, numRuns: KILLS });
    const applied: Array<{ op: string; reason: string }> = [];
    const refused = new Map<string, number>();
    const untyped: unknown[] = [];
    let killedWhileRunning = 0;
    let clientDone = false;

    const ids: string[] = [];
    const cancelled = new Set<string>();
    const startTask = async (i: number) => {
      const t = await client.engine.start('cluster/fan', { i });
      ids.push(t.id);
      if (i % CANCEL_EVERY === CANCEL_EVERY - 1) cancelled.add(t.id);
    };

    /** One operation on a random task, as a person in the workbench would: preview, then apply at that version. */
    let reasonNo = 0;
    const operate = async (random: () => number) => {
      if (ids.length === 0) return;
      const taskId = ids[Math.floor(random() * ids.length)]!;
      const steps = await storage.getSteps(taskId);
      const inError = steps.filter((s) => s.state === 'error');
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
      let req: OpRequest;
      if (cancelled.has(taskId)) req = { op: 'cancelTask', taskId };
      else if (inError.length > 0) {
        const step = pick(inError).name;
        req = pick<OpRequest>([
          { op: 'retryStep', taskId, step },
          { op: 'resetForRetry', taskId, step },
          { op: 'markCompleted', taskId, step, results: { by: 'hand' } },
        ]);
      } else {
        // Mostly refused (the step is not in a state the operation accepts): the race is the point.
        const step = pick(steps).name;
        req = pick<OpRequest>([
          { op: 'retryStep', taskId, step },
          { op: 'resetForRetry', taskId, step },
          { op: 'markCompleted', taskId, step, results: { by: 'hand' } },
        ]);
      }
      const reason = `client op ${reasonNo++}`;
      try {
        const preview = await ops.preview(req);
        if (random() < 0.3) await sleep(5);
        await ops.apply(req, { expectedVersion: preview.version, reason });
        applied.push({ op: req.op, reason });
      } catch (err) {
        const code = err instanceof StepwiseError ? err.code : null;
        if (code && TYPED.has(code)) refused.set(code, (refused.get(code) ?? 0) + 1);
        else untyped.push(err);
      }
    };

    const finished = (t: TaskRecord | null) => t !== null && (t.status === 'complete' || t.status === 'cancelled');
    try {
      for (let i = 0; i < 3; i++) runners.push(startRunner(db));
      await Promise.all(runners.map((r) => r.owner));
      for (let i = 0; i < TASKS / 2; i++) await startTask(i);

      // The client: operations all along, until every task has finished.
      let state = SEED;
      const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const clientLoop = (async () => {
        while (!clientDone) {
          await operate(random);
          await sleep(10);
        }
      })();

      let next = TASKS / 2;
      for (const [k, drawn] of rng.entries()) {
        const { delay, pause } = drawn;
        let victim = drawn.victim;
        await sleep(delay);
        // The second half of the tasks arrives during the kills.
        const more = Math.ceil((TASKS - next) / (KILLS - k));
        for (let j = 0; j < more && next < TASKS; j++) await startTask(next++);
        // The drawn victim, unless it holds no running step and another one does (a kill should cut work short).
        const owners = await Promise.all(runners.map((r) => r.owner));
        const running = (await Promise.all(ids.map((id) => storage.getSteps(id)))).flat().filter((s: StepRecord) => s.state === 'running');
        const holds = (i: number) => running.filter((s) => s.leaseOwner === owners[i]).length;
        if (holds(victim) === 0) victim = [0, 1, 2].find((i) => holds(i) > 0) ?? victim;
        const r = runners[victim]!;
        const held = holds(victim);
        r.proc.kill('SIGKILL');
        const exit = await r.exited;
        expect(exit.signal, r.log()).toBe('SIGKILL');
        if (held > 0) killedWhileRunning += 1;
        dead.push(r);
        await sleep(pause);
        runners[victim] = startRunner(db);
        await runners[victim]!.owner;
      }
      while (next < TASKS) await startTask(next++);

      await until(
        'every task to finish',
        async () => (await Promise.all(ids.map((id) => storage.getTask(id)))).every(finished),
        scaled(300_000, 180_000),
        logs,
      );
      clientDone = true;
      await clientLoop;
    } finally {
      clientDone = true;
      await Promise.all(runners.map((r) => stopRunner(r)));
    }

    try {
      expect(untyped.map((e) => (e instanceof Error ? e.stack : String(e)))).toEqual([]);
      expect(killedWhileRunning, 'kills that interrupted running steps').toBeGreaterThan(0);

      // The follower: every event of the log, once, in order (after the last commits are readable).
      await storage.settled();
      await relay.poll();
      await follower.idle();
      const log: StepwiseEvent[] = [];
      for (let page = await storage.readEvents(0, 1000); page.length > 0; page = await storage.readEvents(log.at(-1)!.seq, 1000)) log.push(...page);
      expect(seen.filter((e) => e.seq === -1)).toEqual([]);
      expect(seen.map((e) => e.seq)).toEqual(log.map((e) => e.seq));
      expect(seen.map((e) => `${e.type} ${e.taskId}`)).toEqual(log.map((e) => `${e.type} ${e.taskId}`));

      // Operations: each applied one left exactly one op.applied (with its reason); refused ones none.
      const reasons = new Map<string, number>();
      for (const e of log) if (e.type === 'op.applied') {
        const reason = (e.payload as { reason?: string }).reason ?? '';
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      for (const a of applied) expect(reasons.get(a.reason), a.reason).toBe(1);
      expect(reasons.size).toBe(applied.length);
      expect(applied.some((a) => a.op === 'cancelTask')).toBe(true);
      expect(applied.some((a) => a.op !== 'cancelTask')).toBe(true);

      const tasks = await allTasks(storage);
      expect(tasks).toHaveLength(TASKS);
      let interrupted = 0;
      let stepCount = 0;
      let completions = 0;
      let duplicates = 0;
      for (const task of tasks) {
        expect(task.status, task.id).toBe(cancelled.has(task.id) ? 'cancelled' : 'complete');
        const steps = await storage.getSteps(task.id);
        const transitions = await storage.listTransitions(task.id);
        const attempts = await storage.listAttempts(task.id);
        for (const s of steps) {
          const where = `${task.id}/${s.name}`;
          const mine = transitions.filter((t) => t.stepName === s.name && t.field === 'state');
          const completed = mine.filter((t) => t.to === 'complete').length;
          stepCount += 1;
          completions += completed;
          duplicates += Math.max(0, completed - 1);
          expect(mine.filter((t) => t.to === 'complete').length, where).toBeLessThanOrEqual(1);
          if (task.status === 'complete') expect(['complete', 'resolved_manually'], where).toContain(s.state);
          // One attempt row per claim, numbered 1..n, none left open.
          const own = attempts.filter((a) => a.stepName === s.name).sort((a, b) => a.number - b.number);
          expect(own.map((a) => a.number), where).toEqual(own.map((_, i) => i + 1));
          expect(own.length, where).toBe(mine.filter((t) => t.to === 'running').length);
          expect(own.length, where).toBe(s.attempts);
          expect(own.filter((a) => a.outcome === null), where).toEqual([]);
          if (s.state === 'complete') expect(own.at(-1)?.outcome, where).toBe('success');
          interrupted += own.filter((a) => a.outcome === 'interrupted').length;
        }
      }
      expect(interrupted, 'attempts interrupted by the kills').toBeGreaterThan(0);
      const pids = await pidsOf(storage, tasks);
      expect(pids.size, 'processes that ran steps').toBeGreaterThan(1);
      process.stdout.write(
        `postgres runners: ${TASKS} tasks, ${KILLS} kills (${killedWhileRunning} while running steps), ${interrupted} interrupted attempts, ` +
          `${applied.length} operations applied, refused ${JSON.stringify(Object.fromEntries(refused))}, ${stepCount} steps (${completions} completions, ${duplicates} duplicates), ` +
          `${log.length} events in the log, ${seen.length} delivered to the follower, ${pids.size} processes ran steps\n`,
      );
    } finally {
      follower();
      await relay.stop();
      await client.close();
      await storage.close();
    }
  });
});
