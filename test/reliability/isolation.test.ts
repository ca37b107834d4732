/**
 * User code cannot take the engine down (issue 11 item 3): handlers that call process.exit,
 * leak a rejection, throw from a timer, throw cyclic details, hang or run out of memory each cost
 * their own attempt, with an error that says what happened, and nothing else; so do a flow's
 * condition that calls process.exit and its on_timeout handler that leaks a rejection (code that
 * runs inside a transition, in the engine's own process) — under
 * `stepwise run` (handlers in process, behind the guards), `stepwise runner` and `stepwise serve`
 * (handlers in worker threads by default). Every process here is the real command, started with
 * the environment of a user's shell (no test-mode executor).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { parseReadyLine } from '../../core/host/ready.js';
import type { TaskRecord } from '../../core/model/runtime.js';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { userEnv } from './shared.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin/stepwise.mjs');
const root = mkdtempSync(path.join(tmpdir(), 'stepwise-reliability-isolation-'));
const workspace = path.join(root, 'workspace');
cpSync(path.join(import.meta.dirname, 'fixtures/crashing'), workspace, { recursive: true });
symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
afterAll(() => rmSync(root, { recursive: true, force: true }));


interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function stepwise(args: string[], timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--workspace', workspace], { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += String(b)));
    child.stderr.on('data', (b) => (err += String(b)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stepwise ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

/** `stepwise run TEMPLATE --json` in a fresh database: the exit code and the final task and steps. */
async function run(template: string, extra: string[] = []) {
  const db = path.join(root, `${template.replace('/', '_')}-${Math.random().toString(36).slice(2)}.db`);
  const ran = await stepwise(['run', template, '--json', '--db', db, ...extra]);
  let report: { task: { status: string; error: { message: string } | null }; steps: Array<{ name: string; state: string; attempts: number; error: { message: string; details?: unknown } | null }> };
  try {
    report = JSON.parse(ran.out);
  } catch {
    throw new Error(`stepwise run ${template} printed no report (exit ${ran.code}, signal ${ran.signal}):\n${ran.out}\n${ran.err}`);
  }
  return { ...ran, ...report };
}

describe('stepwise run', () => {
  it('ends a step whose handler calls process.exit(1) in error after its 2 attempts, and exits 1 (in process and in threads)', async () => {
    for (const executor of [[], ['--executor', 'threads']]) {
      const r = await run('crash/exits', executor);
      expect(r.code, r.err).toBe(1);
      expect(r.task.status).toBe('error');
      expect(r.steps[0]).toMatchObject({ name: 'exit_one', state: 'error', attempts: 2 });
      expect(r.steps[0]!.error!.message).toMatch(/^the handler's process exited with code 1/);
    }
  });

  it('never exits 0 while its task is unfinished: a handler calling process.exit(0) fails its attempt', async () => {
    const r = await run('crash/exit_zero');
    expect(r.code, r.err).toBe(1);
    expect(r.steps[0]).toMatchObject({ state: 'error', attempts: 1 });
    expect(r.steps[0]!.error!.message).toBe("the handler's process exited with code 0 (the handler called process.exit(0))");
  });

  it('survives a leaked rejection and a throw from a timer: each fails its own attempt, named', async () => {
    const leaks = await run('crash/leaks');
    expect(leaks.code, leaks.err).toBe(1);
    expect(leaks.steps[0]).toMatchObject({ state: 'error', attempts: 2, error: { message: 'unhandled rejection: leaked on purpose' } });
    const timer = await run('crash/timer_throws');
    expect(timer.code, timer.err).toBe(1);
    expect(timer.steps[0]).toMatchObject({ state: 'error', attempts: 1, error: { message: 'uncaught exception: thrown from a timer' } });
  });

  it('ends a handler that throws an error with cyclic details in error at once, with its message shown', async () => {
    const r = await run('crash/cyclic');
    expect(r.code, r.err).toBe(1);
    expect(r.task.error?.message).toBe('card declined: insufficient funds');
    expect(r.steps[0]).toMatchObject({ state: 'error', attempts: 1, error: { message: 'card declined: insufficient funds', details: { amount: '[BigInt 1234]', self: '[Circular → details]' } } });
  });
});

/** Creates tasks in the database without running them (a runner or the host serving it runs them). */
async function creator(db: string): Promise<{ engine: Engine; storage: Storage; start(ref: string): Promise<TaskRecord>; close(): Promise<void> }> {
  const ws = await loadWorkspace(workspace);
  const storage = await openStorage({ kind: 'sqlite', file: db });
  const engine = createEngine({ storage, templates: createTemplateRegistry(ws.templates), handlers: createHandlerRegistry(ws.handlers), executor: 'inline' });
  return {
    engine,
    storage,
    start: (ref) => engine.start(ref),
    async close() {
      await engine.close();
      await storage.close();
    },
  };
}

async function untilFinished(storage: Storage, ids: string[], child: ChildProcess, log: () => string, timeoutMs = 180_000): Promise<Map<string, TaskRecord>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await Promise.all(ids.map((id) => storage.getTask(id)));
    if (tasks.every((t) => t && ['complete', 'error', 'cancelled'].includes(t.status))) return new Map(tasks.map((t) => [t!.id, t!]));
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server died (exit ${child.exitCode}, signal ${child.signalCode}):\n${log()}`);
    if (Date.now() > deadline) throw new Error(`tasks did not finish: ${JSON.stringify(tasks.map((t) => [t?.templateRef, t?.status]))}\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every way to crash, plus a healthy task that must complete meanwhile. */
const CRASHES = ['crash/exits', 'crash/exit_zero', 'crash/leaks', 'crash/timer_throws', 'crash/cyclic', 'crash/memory', 'crash/hang', 'crash/condition_exits', 'crash/timeout_leaks'];

async function expectIsolated(storage: Storage, byRef: Map<string, TaskRecord>): Promise<void> {
  const step = async (ref: string) => (await storage.getSteps(byRef.get(ref)!.id))[0]!;
  expect(byRef.get('crash/healthy')!.status).toBe('complete');
  expect(await step('crash/exits')).toMatchObject({ state: 'error', attempts: 2, error: { message: "the handler's process exited with code 1" } });
  expect(await step('crash/exit_zero')).toMatchObject({ state: 'error', attempts: 1, error: { message: "the handler's process exited with code 0" } });
  expect(await step('crash/leaks')).toMatchObject({ state: 'error', attempts: 2, error: { message: 'unhandled rejection: leaked on purpose' } });
  expect(await step('crash/timer_throws')).toMatchObject({ state: 'error', error: { message: 'uncaught exception: thrown from a timer' } });
  expect(await step('crash/cyclic')).toMatchObject({ state: 'error', attempts: 1, error: { message: 'card declined: insufficient funds' } });
  expect((await step('crash/memory')).error?.message).toMatch(/^the handler ran out of memory \(its limit is 128 MB/);
  expect((await step('crash/hang')).error?.code).toBe('TIMEOUT');
  // Flow code that runs inside a transition, in the engine's own process (under its guards).
  expect(byRef.get('crash/condition_exits')).toMatchObject({ status: 'error', error: { code: 'HANDLER_EXITED' } });
  expect(byRef.get('crash/condition_exits')!.error!.message).toMatch(/^The conditions of state 'check' called process\.exit\(1\); the engine's process does not exit/);
  expect(byRef.get('crash/timeout_leaks')).toMatchObject({ status: 'error', error: { code: 'HANDLER_CRASHED', message: 'unhandled rejection: leaked from on_timeout' } });
}

async function startAll(db: string) {
  const c = await creator(db);
  const tasks = new Map<string, TaskRecord>();
  for (const ref of [...CRASHES, 'crash/healthy']) tasks.set(ref, await c.start(ref));
  return { c, tasks };
}

function byRef(tasks: Map<string, TaskRecord>, finished: Map<string, TaskRecord>): Map<string, TaskRecord> {
  return new Map([...tasks].map(([ref, t]) => [ref, finished.get(t.id)!]));
}

describe('stepwise runner', () => {
  it('keeps running every other task through handlers that exit, leak, throw, hang and run out of memory', async () => {
    const db = path.join(root, 'runner.db');
    const { c, tasks } = await startAll(db);
    const child = spawn(process.execPath, [BIN, 'runner', '--workspace', workspace, '--db', db, '--poll-ms', '50'], { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b) => (log += String(b)));
    child.stderr.on('data', (b) => (log += String(b)));
    try {
      const finished = await untilFinished(c.storage, [...tasks.values()].map((t) => t.id), child, () => log);
      expect(log).toMatch(/executor threads/);
      await expectIsolated(c.storage, byRef(tasks, finished));
      expect(child.exitCode).toBeNull();
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited, log).toBe(0);
      await c.close();
    }
  });
});

describe('stepwise serve', () => {
  let child: ChildProcess;
  let log = '';
  let url = '';
  beforeAll(async () => {
    child = spawn(process.execPath, [BIN, 'serve', '--workspace', workspace, '--db', path.join(root, 'serve.db'), '--no-watch'], { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (b) => (log += String(b)));
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        log += line + '\n';
        const info = parseReadyLine(line);
        if (info) resolve(info.openUrl);
      });
      child.once('exit', (code) => reject(new Error(`stepwise serve exited with ${code}:\n${log}`)));
    });
  }, 120_000);
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('keeps serving and running other tasks while handlers exit, leak, throw, hang and run out of memory', async () => {
    const { c, tasks } = await startAll(path.join(root, 'serve.db'));
    try {
      const finished = await untilFinished(c.storage, [...tasks.values()].map((t) => t.id), child, () => log);
      await expectIsolated(c.storage, byRef(tasks, finished));
      expect(child.exitCode).toBeNull();
      const page = await fetch(url);
      expect(page.status).toBe(200);
    } finally {
      await c.close();
    }
  });
});
