/** The operations CLI, in-process: start, retry, reset, complete, skip, rerun, update, wake, debug; confirmation; live engines. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { openStorage } from '../../core/storage/index.js';

let dir: string;
const db = () => join(dir, 'ops.db');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-ops-cli-'));
  mkdirSync(join(dir, 'templates'));
  mkdirSync(join(dir, 'handlers'));
  writeFileSync(
    join(dir, 'templates', 'chain.yaml'),
    `name: chain
namespace: ops
version: 1.0.0
steps:
  - { name: a, handler: step_a }
  - { name: b, handler: step_b, depends_on: [a], retry: { retryable: false, max_attempts: 1 } }
  - { name: c, handler: step_c, depends_on: [b] }
`,
  );
  writeFileSync(
    join(dir, 'handlers', 'chain.ts'),
    `export const step_a = () => ({ a: 1 });
export const step_b = () => { if (process.env.H7_BROKEN === '1') throw new Error('b is broken'); return { b: 2 }; };
export const step_c = (ctx: { results: Record<string, unknown> }) => ({ sawB: ctx.results.b });
`,
  );
  process.env.H7_BROKEN = '1';
});

afterEach(() => {
  delete process.env.H7_BROKEN;
  rmSync(dir, { recursive: true, force: true });
});

function io(answers: Array<string | null> | null = null): CliIO & { stdout: string[]; stderr: string[]; asked: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const asked: string[] = [];
  const base = { stdout, stderr, asked, out: (t: string) => void stdout.push(t), err: (t: string) => void stderr.push(t), isTTY: answers !== null };
  if (answers === null) return base;
  return { ...base, prompt: async (q: string) => (asked.push(q), answers.shift() ?? null) };
}

async function cli(args: string[], answers: Array<string | null> | null = null) {
  const o = io(answers);
  const code = await main([...args, '--workspace', dir, '--db', db()], o);
  return { code, out: o.stdout.join('\n'), err: o.stderr.join('\n'), asked: o.asked };
}

/** A chain task whose step b failed (run drives it until it fails). */
async function failedTask(): Promise<string> {
  const run = await cli(['run', 'ops/chain', '--json']);
  expect(run.code).toBe(1);
  const id = JSON.parse(run.out).task.id as string;
  expect(JSON.parse(run.out).task.status).toBe('error');
  return id;
}

describe('stepwise start', () => {
  it('creates a task and returns at once; --debug starts it paused', async () => {
    const plain = await cli(['start', 'ops/chain', '--json']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.out).task).toMatchObject({ status: 'running', paused: false });
    const debug = await cli(['start', 'ops/chain', '--debug']);
    expect(debug.code).toBe(0);
    expect(debug.out).toContain('paused: `stepwise debug');
    const id = debug.out.split(/\s+/)[0]!;
    const storage = await openStorage({ kind: 'sqlite', file: db() });
    try {
      expect((await storage.getTask(id))!.debug).toMatchObject({ paused: true, pauseReason: 'debug_start' });
      expect((await storage.getSteps(id)).map((s) => s.attempts)).toEqual([0, 0, 0]);
    } finally {
      await storage.close();
    }
  });
});

describe('mutating commands', () => {
  it('refuse without --yes when there is no terminal (CONFIRMATION_REQUIRED, exit 1), printing the preview; nothing changes', async () => {
    const id = await failedTask();
    const r = await cli(['retry', id, 'b']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('retryStep on task');
    expect(r.err).toContain('step b  state: error → ready');
    expect(r.err).toContain('error: CONFIRMATION_REQUIRED');
    const show = await cli(['show', id, '--json']);
    expect(JSON.parse(show.out).task.status).toBe('error');
  });

  it('ask on a terminal: "n" changes nothing, "y" applies and runs the task like `run`', async () => {
    const id = await failedTask();
    const no = await cli(['retry', id, 'b'], ['n']);
    expect(no.code).toBe(1);
    expect(no.asked).toEqual([`Apply retryStep to ${id}? [y/N] `]);
    expect(no.err).toContain('Not applied');
    process.env.H7_BROKEN = '0';
    const yes = await cli(['retry', id, 'b', '--reason', 'fixed the flag', '--json'], ['y']);
    expect(yes.code).toBe(0);
    const report = JSON.parse(yes.out);
    expect(report.task.status).toBe('complete');
    expect(report.steps.map((s: { state: string }) => s.state)).toEqual(['complete', 'complete', 'complete']);
    const show = JSON.parse((await cli(['show', id, '--json'])).out);
    expect(show.transitions).toContainEqual(expect.objectContaining({ actor: 'user', reason: 'fixed the flag', from: 'error', to: 'ready' }));
  });

  it('retry with --yes and a refused state exits 1 with the refusal', async () => {
    const id = await failedTask();
    const r = await cli(['retry', id, 'a', '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error: INVALID_STATE: retryStep: step 'a' is complete");
  });

  it('complete resolves a failed step with results and the rest runs; update then replaces them', async () => {
    const id = await failedTask();
    const done = await cli(['complete', id, 'b', '--results', '{"b":99}', '--yes', '--json']);
    expect(done.code).toBe(0);
    const report = JSON.parse(done.out);
    expect(report.steps.find((s: { name: string }) => s.name === 'c').results).toEqual({ sawB: { b: 99 } });
    const upd = await cli(['update', id, 'b', '--results', '{"b":100}', '--yes', '--no-run', '--json']);
    expect(upd.code).toBe(0);
    expect(JSON.parse(upd.out).changes).toEqual([{ kind: 'step', name: 'b', field: 'results', from: { b: 99 }, to: { b: 100 } }]);
  });

  it('skip skips the failed step and what only it leads to; rerun needs --cascade', async () => {
    const id = await failedTask();
    const skipped = await cli(['skip', id, 'b', '--yes', '--json']);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.out).steps.map((s: { state: string }) => s.state)).toEqual(['complete', 'skipped', 'skipped']);
    const refused = await cli(['rerun', id, 'a', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("steps downstream of 'a' already ran (b, c)");
    process.env.H7_BROKEN = '0';
    const rerun = await cli(['rerun', id, 'a', '--cascade', '--yes', '--json']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.out).steps.map((s: { state: string }) => s.state)).toEqual(['complete', 'complete', 'complete']);
  });

  it('reset gives a failed step a new budget; --no-run leaves it ready', async () => {
    const id = await failedTask();
    const r = await cli(['reset', id, 'b', '--attempts', '2', '--yes', '--no-run', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.op).toBe('resetForRetry');
    expect(out.changes).toContainEqual({ kind: 'step', name: 'b', field: 'maxAttempts', from: 1, to: 3 });
  });

  it('leave execution to a live engine (fresh heartbeat)', async () => {
    const id = await failedTask();
    const storage = await openStorage({ kind: 'sqlite', file: db() });
    await storage.beat({ owner: 'host-1', pid: 1, at: Date.now(), kind: 'runner', host: 'h', startedAt: Date.now(), version: '1.0.0', everyMs: 5000 });
    await storage.close();
    process.env.H7_BROKEN = '0';
    const r = await cli(['retry', id, 'b', '--yes']);
    expect(r.code).toBe(0);
    // Not claimed: queued, naming the live engine without claiming it runs the task.
    expect(r.out).toContain('queued, not claimed yet; serving this database: runner host-1.');
    const show = JSON.parse((await cli(['show', id, '--json'])).out);
    expect(show.steps.find((s: { name: string }) => s.name === 'b').state).toBe('ready');
  });

  it('start names every live engine and none as the one running it while the task is queued', async () => {
    const storage = await openStorage({ kind: 'sqlite', file: db() });
    for (const owner of ['runner-2', 'runner-1']) await storage.beat({ owner, pid: 1, at: Date.now(), kind: 'runner', host: 'h', startedAt: Date.now(), version: '1.0.0', everyMs: 5000 });
    // Gone (missed its beats): not listed.
    await storage.beat({ owner: 'runner-0', pid: 1, at: Date.now() - 60_000, kind: 'runner', host: 'h', startedAt: 0, version: '1.0.0', everyMs: 5000 });
    await storage.close();
    const r = await cli(['start', 'ops/chain']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe('queued, not claimed yet; serving this database: runner runner-1, runner runner-2');
    expect(r.out).not.toContain('runs it');
  });
});

describe('stepwise debug and wake', () => {
  it('steps a paused task, sets breakpoints, continues to the breakpoint and on', async () => {
    process.env.H7_BROKEN = '0';
    const id = (await cli(['start', 'ops/chain', '--debug'])).out.split(/\s+/)[0]!;
    const step = await cli(['debug', id, 'step', '--json']);
    // Left paused after the step: exits like `run` does for a task that is not finished.
    expect(step.code).toBe(3);
    const stepped = JSON.parse(step.out);
    expect(stepped.ran).toBe('a');
    expect(stepped.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual(['a:complete', 'b:ready', 'c:pending']);
    const noRun = await cli(['debug', id, 'step', '--no-run']);
    expect(noRun.code).toBe(1);
    expect(noRun.err).toContain('--no-run does not apply');
    // The step, then why the task is paused now (the bar and `tasks` say "paused", reason step).
    expect(stepped.transitions.map((t: { from: string; to: string }) => `${t.from}>${t.to}`)).toEqual(['ready>running', 'running>complete', 'pending>ready', 'debug_start>step']);
    expect(stepped.task).toMatchObject({ status: 'paused', paused: true });
    expect((await cli(['debug', id, 'break', 'c'])).out).toContain('breakpoints: c');
    const cont = await cli(['debug', id, 'continue', '--json']);
    expect(cont.code).toBe(3);
    expect(JSON.parse(cont.out).steps.map((s: { state: string }) => s.state)).toEqual(['complete', 'complete', 'ready']);
    expect((await cli(['debug', id, 'nope'])).err).toContain("Unknown debug action 'nope'");
    const last = await cli(['debug', id, 'continue', '--json']);
    expect(last.code).toBe(0);
    expect(JSON.parse(last.out).task.status).toBe('complete');
  });

  it('wake runs a task that nothing runs yet', async () => {
    process.env.H7_BROKEN = '0';
    const id = JSON.parse((await cli(['start', 'ops/chain', '--json'])).out).task.id;
    const r = await cli(['wake', id, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).task.status).toBe('complete');
  });
});
