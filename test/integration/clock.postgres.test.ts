/**
 * Engines on machines whose clocks disagree, sharing one PostgreSQL (issue 13: lease and due
 * times on the database's clock). Each engine has a storage of its own (as another process
 * would) and an injected clock skewed by minutes; with the database clock (openEngine's default
 * on PostgreSQL) they agree on when a lease expires and when a retry is due. The same scenes
 * with `databaseClock: false` show what the skew does otherwise — the takeover and the early
 * retry the database clock prevents — so these tests can fail.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHost } from '../../core/host/host.js';
import { silentLogger } from '../../core/model/logger.js';
import { openEngine, type OpenedEngine } from '../../core/engine/open.js';
import { DatabaseClock } from '../../core/engine/runtime/databaseClock.js';
import { ManualClock, offsetClock, systemClock, type Clock } from '../../core/model/clock.js';
import { RetryableError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { usePostgres } from '../fixtures/postgres/database.js';

const db = usePostgres();
const cleanups: Array<() => Promise<unknown>> = [];
beforeEach(() => db.fresh());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MINUTES = 5 * 60_000;
const LEASE_MS = 30_000;

/** Handlers of `hold` wait until the test lets them go (or their attempt is aborted). */
let release: () => void = () => undefined;
let held: Promise<void> = Promise.resolve();
const hold = (ctx: StepContext) =>
  new Promise((resolve, reject) => {
    void held.then(() => resolve({ done: true }));
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
  });

const templates = [
  workflow('held', [step('long', { handler: 'hold' })]),
  workflow('backoff', [step('busy', { handler: 'busy', retry: { maxAttempts: 3, backoffBaseMs: 60_000, maxBackoffMs: 60_000 } })]),
];
const handlers = {
  hold,
  busy: () => {
    throw new RetryableError('busy: try again in a minute', { retryAfterMs: 60_000 });
  },
};

async function engineOn(owner: string, clock: Clock, databaseClock: boolean): Promise<OpenedEngine> {
  const storage = await db.open();
  const opened = await openEngine({ workspace: { templates, handlers }, db: storage, executor: 'inline', owner, clock, databaseClock, leaseMs: LEASE_MS });
  cleanups.push(async () => {
    release();
    await opened.close();
    await storage.close();
  });
  return opened;
}

async function runningLong(a: OpenedEngine, taskId: string) {
  for (let i = 0; i < 100; i++) {
    const s = (await a.storage.getSteps(taskId))[0]!;
    if (s.state === 'running') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the step never started');
}

describe('engines with clocks minutes apart on one PostgreSQL', () => {
  beforeEach(() => {
    held = new Promise((r) => (release = r));
  });

  for (const skew of [MINUTES, -MINUTES]) {
    for (const databaseClock of [true, false]) {
      const ahead = skew > 0 ? 'ahead' : 'behind';
      it(`${databaseClock ? 'agree on' : 'without the database clock, disagree on'} a running step's lease (the claimer's clock 5 minutes ${ahead} of the other's)`, async () => {
        // The claimer's clock is skewed; the other engine's is right.
        const claimer = await engineOn('claimer', offsetClock(skew), databaseClock);
        const other = await engineOn('other', systemClock, databaseClock);
        const task = await claimer.engine.start('held');
        await claimer.engine.tick();
        const claimed = await runningLong(claimer, task.id);
        expect(claimed.leaseOwner).toBe('claimer');
        await other.engine.tick();
        const after = (await other.storage.getSteps(task.id))[0]!;
        const attempts = await other.storage.listAttempts(task.id);
        if (databaseClock || skew > 0) {
          // A lease written by a clock that runs ahead is late by 5 minutes: never taken early, either way.
          // With the database clock, a lease by a clock that runs behind is not early either.
          expect(after.state).toBe('running');
          expect(after.leaseOwner).toBe('claimer');
          expect(attempts.map((a) => a.outcome)).toEqual([null]);
          if (databaseClock) expect(Math.abs(after.leaseExpiresAt! - (Date.now() + LEASE_MS))).toBeLessThan(10_000);
        } else {
          // The claimer's clock runs behind: its lease has already expired for the other engine, which takes the step over.
          expect(attempts[0]!.outcome).toBe('interrupted');
          expect(after.leaseOwner === 'claimer' && after.state === 'running').toBe(false);
        }
      });

      it(`${databaseClock ? 'agree on' : 'without the database clock, disagree on'} when a retry is due (the promoting engine's clock 5 minutes ${ahead})`, async () => {
        const writer = await engineOn('writer', systemClock, databaseClock);
        const promoter = await engineOn('promoter', offsetClock(skew), databaseClock);
        const task = await writer.engine.start('backoff');
        await writer.engine.tick();
        for (let i = 0; i < 100 && (await writer.storage.getSteps(task.id))[0]!.state !== 'waiting_for_retry'; i++) await new Promise((r) => setTimeout(r, 20));
        await promoter.engine.tick();
        const s = (await promoter.storage.getSteps(task.id))[0]!;
        if (databaseClock || skew < 0) {
          // A minute's backoff is a minute for every engine.
          expect(s.state).toBe('waiting_for_retry');
          expect(s.attempts).toBe(1);
        } else {
          // A clock 5 minutes ahead finds the minute's backoff over and makes the step ready at once
          // (the writer's reservation may keep the promoter from claiming it in the same round).
          expect(['ready', 'running']).toContain(s.state);
        }
      });
    }
  }
});

describe('DatabaseClock', () => {
  it('is the machine clock plus the offset measured from the database, and never goes backwards', async () => {
    const machine = new ManualClock(1_000_000);
    let db = 5_000_000;
    const clock = new DatabaseClock(machine, async () => db, 60_000);
    expect(await clock.sync()).toBe(4_000_000);
    expect(clock.now()).toBe(5_000_000);
    machine.advance(1_000);
    expect(clock.now()).toBe(5_001_000);
    // The database's clock stepped back 500 ms: measured at the next resync, never handed out backwards.
    db = 5_000_500 + 60_000;
    machine.advance(60_000);
    expect(clock.now()).toBe(5_061_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(clock.offsetMs).toBe(3_999_500);
    expect(clock.now()).toBe(5_061_000);
    machine.advance(1_000);
    expect(clock.now()).toBe(5_061_500);
  });

  it('keeps the last offset when the database cannot be read, and measures again later', async () => {
    const machine = new ManualClock(0);
    let fail = false;
    const clock = new DatabaseClock(machine, async () => {
      if (fail) throw new Error('connection refused');
      return 100 + machine.now();
    }, 1_000);
    await clock.sync();
    fail = true;
    machine.advance(1_000);
    expect(clock.now()).toBe(1_100);
    await new Promise((r) => setTimeout(r, 0));
    expect(clock.offsetMs).toBe(100);
  });

  it('is what openEngine gives an engine on PostgreSQL without a clock of its own', async () => {
    const storage = await db.open();
    const opened = await openEngine({ workspace: { templates, handlers }, db: storage, executor: 'inline' });
    cleanups.push(async () => {
      await opened.close();
      await storage.close();
    });
    expect(opened.engine.context.clock).toBeInstanceOf(DatabaseClock);
    expect(Math.abs(opened.engine.context.clock.now() - (await storage.now()))).toBeLessThan(5_000);
  });
});

/** A workspace whose one step runs for a while (inline, so the test reads its lease while it runs). */
function slowWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-host-dbclock-'));
  mkdirSync(path.join(dir, 'templates'));
  mkdirSync(path.join(dir, 'handlers'));
  writeFileSync(path.join(dir, 'stepwise.config.json'), JSON.stringify({ executor: 'inline' }));
  writeFileSync(path.join(dir, 'templates', 'slow.yaml'), 'name: slow\nnamespace: test\nversion: 1.0.0\nsteps:\n  - name: long\n    handler: long\n');
  writeFileSync(path.join(dir, 'handlers', 'long.ts'), 'export const long = () => new Promise((r) => setTimeout(() => r({ done: true }), 1500));\n');
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('stepwise serve --engine on PostgreSQL', () => {
  for (const databaseClock of [true, false]) {
    it(`${databaseClock ? 'writes' : 'without the database clock, does not write'} leases, heartbeats and task times on the database's clock (the machine's clock 5 minutes ahead)`, async () => {
      const host = await startHost({ workspace: slowWorkspace(), db: db.url, runEngine: true, watch: false, clock: offsetClock(MINUTES), databaseClock, logger: silentLogger() });
      cleanups.push(() => host.close());
      const storage = host.services.storage;
      const task = await host.services.startTask('test/slow@1.0.0', {});
      let step = (await storage.getSteps(task.id))[0]!;
      for (let i = 0; i < 200 && step.state !== 'running'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        step = (await storage.getSteps(task.id))[0]!;
      }
      expect(step.state).toBe('running');
      const dbNow = await storage.now!();
      const beat = (await storage.heartbeats()).find((h) => h.kind === 'host')!;
      const skews = [step.leaseExpiresAt! - 30_000 - dbNow, beat.at - dbNow, task.createdAt - dbNow, host.services.clock.now() - dbNow];
      for (const skew of skews) {
        if (databaseClock) expect(Math.abs(skew)).toBeLessThan(10_000);
        else expect(skew).toBeGreaterThan(MINUTES - 10_000);
      }
    });
  }

  it('keeps an injected clock as it is when not asked to correct it (a ManualClock in tests)', async () => {
    const clock = new ManualClock(Date.UTC(2001, 1, 3));
    const host = await startHost({ workspace: slowWorkspace(), db: db.url, runEngine: false, watch: false, clock, logger: silentLogger() });
    cleanups.push(() => host.close());
    expect(host.services.clock).toBe(clock);
  });

  it('corrects the system clock by default (stepwise serve passes none)', async () => {
    const host = await startHost({ workspace: slowWorkspace(), db: db.url, runEngine: false, watch: false, logger: silentLogger() });
    cleanups.push(() => host.close());
    expect(host.services.clock).toBeInstanceOf(DatabaseClock);
  });
});
