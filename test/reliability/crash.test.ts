/**
 * Crash: a child process runs 200 tasks of a 20-step workflow on SQLite and is SIGKILLed at 20
 * random (seeded) moments; each restart picks up where the last one died. The moments are points
 * of progress (a seeded share of all steps complete), not times: a faster engine or an idle
 * machine would otherwise finish the work before a late kill, which then interrupts nothing. In the end every task
 * is complete, no step was recorded complete twice, every step's attempts are explained by its
 * transitions (each attempt starts with a claim; each one but the last ended interrupted by a
 * kill or failed with a retry), no attempt is left open, and the database passes
 * PRAGMA integrity_check. RELIABILITY_SCALE=small: 40 tasks, 5 kills.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { CRASH_STEPS } from './fixtures/crashWorkload.js';
import { scaled, SEED } from './scale.js';
import { allTasks } from './shared.js';

const runner = fileURLToPath(new URL('./fixtures/crashRunner.ts', import.meta.url));
const TASKS = scaled(200, 40);
const KILLS = scaled(20, 5);
const dir = mkdtempSync(join(tmpdir(), 'stepwise-reliability-crash-'));
const file = join(dir, 'crash.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  proc: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(generation: number): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', runner, file, String(TASKS), String(generation)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b) => (out += String(b)));
  proc.stderr!.on('data', (b) => (err += String(b)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, out: () => out, err: () => err, exited };
}

async function until(what: string, check: () => boolean, timeoutMs: number, child: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; child stderr: ${child.err()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The kill moments, from the seed: generation g is killed once a share (g + f) / (KILLS + 1) of all
 * steps is complete, f in [0.1, 0.9], so every kill lands while work remains, in its own slice.
 */
const TOTAL_STEPS = TASKS * CRASH_STEPS;
const shares = fc.sample(fc.integer({ min: 10, max: 90 }), { seed: SEED, numRuns: KILLS });
const killAt = shares.map((f, g) => Math.floor((TOTAL_STEPS * (g + f / 100)) / (KILLS + 1)));

describe('crash safety under repeated SIGKILL', () => {
  it(`finishes ${TASKS} tasks × ${CRASH_STEPS} steps through ${KILLS} kills (seed ${SEED})`, async () => {
    const watcher: Storage = await openStorage({ kind: 'sqlite', file });
    // Synchronous reads of the progress (the child writes in WAL mode; reads do not block it).
    const progress = new Database(file);
    const completeSteps = progress.prepare<[], { n: number }>("SELECT count(*) AS n FROM steps WHERE state = 'complete'");
    let killedMidWork = 0;
    try {
      for (let g = 0; g < KILLS; g++) {
        const child = start(g);
        await until('ready', () => /ready/.test(child.out()), 30_000, child);
        await until(`${killAt[g]} of ${TOTAL_STEPS} steps complete`, () => completeSteps.get()!.n >= killAt[g]!, 120_000, child);
        const open = await watcher.listTasks({ status: ['pending', 'running', 'waiting'], limit: 1 });
        const all = await watcher.listTasks({ limit: 1 });
        if (open.total > 0 || all.total < TASKS) killedMidWork += 1;
        child.proc.kill('SIGKILL');
        const exit = await child.exited;
        expect(exit.signal, child.err()).toBe('SIGKILL');
      }
      // Each kill must have interrupted unfinished work, or the test proves less than it says.
      expect(killedMidWork).toBe(KILLS);

      const last = start(KILLS);
      await until('done', () => /done/.test(last.out()), scaled(300_000, 120_000), last);
      expect((await last.exited).code, last.err()).toBe(0);
    } finally {
      progress.close();
      await watcher.close();
    }

    const storage = await openStorage({ kind: 'sqlite', file });
    try {
      const tasks = await allTasks(storage);
      expect(tasks).toHaveLength(TASKS);
      expect(new Set(tasks.map((t) => t.idempotencyKey)).size).toBe(TASKS);
      let interrupted = 0;
      for (const task of tasks) {
        expect(task.status, task.id).toBe('complete');
        const steps = await storage.getSteps(task.id);
        const transitions = await storage.listTransitions(task.id);
        const attempts = await storage.listAttempts(task.id);
        expect(steps).toHaveLength(CRASH_STEPS);
        for (const s of steps) {
          const mine = transitions.filter((t) => t.stepName === s.name && t.field === 'state');
          const where = `${task.id}/${s.name}`;
          expect(s.state, where).toBe('complete');
          expect(mine.filter((t) => t.to === 'complete'), where).toHaveLength(1);
          const claims = mine.filter((t) => t.to === 'running');
          const own = attempts.filter((a) => a.stepName === s.name).sort((a, b) => a.number - b.number);
          expect(s.attempts, where).toBe(claims.length);
          expect(own.map((a) => a.number), where).toEqual(own.map((_, i) => i + 1));
          expect(own.length, where).toBe(s.attempts);
          expect(own.at(-1)?.outcome, where).toBe('success');
          const earlier = own.slice(0, -1);
          for (const a of earlier) expect(['interrupted', 'error'], `${where} attempt ${a.number}`).toContain(a.outcome);
          // Each earlier attempt left `running` by an interruption (→ ready) or a retry (→ waiting_for_retry).
          const ends = mine.filter((t) => t.from === 'running' && (t.to === 'ready' || t.to === 'waiting_for_retry'));
          expect(ends.length, where).toBe(earlier.length);
          expect(earlier.filter((a) => a.outcome === 'interrupted').length, where).toBe(ends.filter((t) => t.to === 'ready').length);
          interrupted += earlier.filter((a) => a.outcome === 'interrupted').length;
        }
        expect(attempts.filter((a) => a.outcome === null), task.id).toEqual([]);
      }
      // The kills did interrupt running handlers (not only idle moments).
      expect(interrupted).toBeGreaterThan(0);
    } finally {
      await storage.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});
