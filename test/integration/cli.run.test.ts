import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { openCliContext } from '../../core/cli/context.js';
import { openStorage } from '../../core/storage/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const examples = join(root, 'resources/examples');
const fixture = join(root, 'test/fixtures/engine/workspace');
const bin = join(root, 'bin/stepwise.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
  dirs.push(dir);
  return join(dir, 'cli.db');
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const { Terminal: XTerm } = xterm;
const order = JSON.stringify({ order_id: 7, customer_id: 'c-1', items: [{ sku: 'A', quantity: 2, unit_price: 12.5 }] });

describe('stepwise run / show / tasks', () => {
  it('runs order_fulfillment from the examples to completion and shows its transitions', async () => {
    const db = tempDb();
    const run = await cli(['run', 'order_fulfillment', '--workspace', examples, '--db', db, '--input', order, '--json']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out);
    expect(report.task).toMatchObject({ status: 'complete', template: 'ecommerce/order_fulfillment@1.0.0' });
    expect(report.steps.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['validate_order', 'complete'],
      ['charge_payment', 'complete'],
      ['choose_shipping', 'complete'],
      ['ship_express', 'skipped'],
      ['ship_standard', 'complete'],
      ['notify', 'complete'],
    ]);
    expect(report.steps[0]).toMatchObject({ type: 'standard', attempts: 1, results: { total: 25 }, error: null });

    const show = await cli(['show', report.task.id, '--workspace', examples, '--db', db]);
    expect(show.code).toBe(0);
    expect(show.out).toContain('transitions:');
    expect(show.out).toMatch(/validate_order\s+ready → running/);
    expect(show.out).toMatch(/task status\s+running → complete/);
    const shown = JSON.parse((await cli(['show', report.task.id, '--workspace', examples, '--db', db, '--json'])).out);
    expect(shown.transitions.length).toBeGreaterThan(10);
    expect(shown.attempts.map((a: { step: string }) => a.step)).toContain('notify');

    const tasks = JSON.parse((await cli(['tasks', '--workspace', examples, '--db', db, '--json', '--status', 'complete'])).out);
    expect(tasks.tasks.map((t: { id: string }) => t.id)).toEqual([report.task.id]);
    const none = JSON.parse((await cli(['tasks', '--workspace', examples, '--db', db, '--json', '--template', 'demo/diamond'])).out);
    expect(none.total).toBe(0);
    const typo = await cli(['tasks', '--workspace', examples, '--db', db, '--status', 'complete,compelte']);
    expect(typo.code).toBe(1);
    expect(typo.err).toContain("Unknown task status 'compelte'; use one of: pending, running, paused, waiting, complete, error, cancelled.");
  });

  it('prints plain progress lines when not on a terminal', async () => {
    const run = await cli(['run', 'demo/diamond', '--workspace', examples, '--db', tempDb()]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/▶ fetch_sales started \(attempt 1\)/);
    expect(run.out).toMatch(/✔ publish_report complete/);
    expect(run.out).toMatch(/result: /);
  });

  it('refuses a bad input with exit 1 and stores nothing', async () => {
    const db = tempDb();
    const run = await cli(['run', 'order_fulfillment', '--workspace', examples, '--db', db, '--input', '{"order_id": "seven"}']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/INPUT_INVALID/);
    expect(run.err).toContain('/customer_id is required');
    const storage = await openStorage({ kind: 'sqlite', file: db });
    expect((await storage.listTasks()).total).toBe(0);
    await storage.close();
  });

  it('exits 3 while a wait step waits, then signal completes it and exits 0; cancel refuses a finished task', async () => {
    const db = tempDb();
    const run = await cli(['run', 'approval', '--workspace', fixture, '--db', db, '--input', '{"amount": 40}', '--json']);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.out);
    expect(report.task.status).toBe('waiting');
    expect(report.steps.find((s: { name: string }) => s.name === 'approve').state).toBe('waiting');

    const signal = await cli(['signal', report.task.id, 'approve', '--payload', '{"by":"ada"}', '--workspace', fixture, '--db', db, '--json']);
    expect(signal.code).toBe(0);
    const after = JSON.parse(signal.out);
    expect(after.task).toMatchObject({ status: 'complete', result: { apply: { applied: true, approval: { by: 'ada' } } } });

    const cancel = await cli(['cancel', report.task.id, '--yes', '--workspace', fixture, '--db', db]);
    expect(cancel.code).toBe(1);
    expect(cancel.err).toMatch(/INVALID_STATE: cancelTask: task .* is complete; cancelTask accepts a task in: pending, running, waiting, error/);
  });

  it('cancels a waiting task', async () => {
    const db = tempDb();
    const run = JSON.parse((await cli(['run', 'approval', '--workspace', fixture, '--db', db, '--input', '{"amount": 1}', '--json'])).out);
    const unconfirmed = await cli(['cancel', run.task.id, '--workspace', fixture, '--db', db]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.err).toMatch(/cancelTask on task .* will change/);
    expect(unconfirmed.err).toMatch(/CONFIRMATION_REQUIRED/);
    const cancel = await cli(['cancel', run.task.id, '--reason', 'not needed', '--yes', '--workspace', fixture, '--db', db, '--json']);
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.out).task.status).toBe('cancelled');
    const show = JSON.parse((await cli(['show', run.task.id, '--workspace', fixture, '--db', db, '--json'])).out);
    expect(show.steps.map((s: { state: string }) => s.state)).toEqual(['complete', 'cancelled', 'cancelled']);
    expect(show.transitions.at(-1)).toMatchObject({ to: 'cancelled', actor: 'user', reason: 'not needed' });
  });

  it('cancel asks first: "n" changes nothing, "y" cancels and prints the status; nothing runs after', async () => {
    const db = tempDb();
    const run = JSON.parse((await cli(['run', 'approval', '--workspace', fixture, '--db', db, '--input', '{"amount": 1}', '--json'])).out);
    const asked: string[] = [];
    const ask = async (answer: string, args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIO = { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false, prompt: async (q) => (asked.push(q), answer) };
      const code = await main(args, io);
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const no = await ask('n', ['cancel', run.task.id, '--workspace', fixture, '--db', db]);
    expect(no.code).toBe(1);
    expect(no.err).toMatch(/Not applied; nothing was changed/);
    expect(JSON.parse((await cli(['show', run.task.id, '--workspace', fixture, '--db', db, '--json'])).out).task.status).toBe('waiting');
    const yes = await ask('y', ['cancel', run.task.id, '--workspace', fixture, '--db', db]);
    expect(asked).toEqual([`Apply cancelTask to ${run.task.id}? [y/N] `, `Apply cancelTask to ${run.task.id}? [y/N] `]);
    expect(yes.code).toBe(0);
    expect(yes.out).toBe(`${run.task.id} cancelled`);
    const noRun = await cli(['cancel', run.task.id, '--no-run', '--yes', '--workspace', fixture, '--db', db]);
    expect(noRun.code).toBe(1);
    expect(noRun.err).toMatch(/unknown option '--no-run'/);
  });

  it('says what is wrong for an unknown task or a missing database', async () => {
    const db = tempDb();
    const missing = await cli(['tasks', '--workspace', fixture, '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/There is no database at/);
    await cli(['run', 'flaky', '--workspace', fixture, '--db', db]);
    const show = await cli(['show', 'nope', '--workspace', fixture, '--db', db]);
    expect(show.code).toBe(1);
    expect(show.err).toMatch(/NOT_FOUND: Task 'nope' was not found/);
  });
});

describe('stepwise runner', () => {
  it('runs tasks of the database, picks up due retries, keeps a heartbeat and stops cleanly on SIGTERM', async () => {
    const db = tempDb();
    // Create the task without running it.
    const setup = await openCliContext({ workspace: fixture, db });
    const task = await setup.engine.start('flaky', {});
    await setup.close();

    const proc = spawn(process.execPath, [bin, 'runner', '--workspace', fixture, '--db', db, '--poll-ms', '50', '--executor', 'pool'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (b) => (out += String(b)));
    proc.stderr.on('data', (b) => (err += String(b)));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

    const storage = await openStorage({ kind: 'sqlite', file: db });
    try {
      await vi.waitFor(async () => expect((await storage.getTask(task.id))!.status, out + err).toBe('complete'), { timeout: 30_000, interval: 100 });
      const attempts = await storage.listAttempts(task.id, 'wobble');
      expect(attempts.map((a) => a.outcome)).toEqual(['error', 'success']);
      const beats = await storage.heartbeats();
      expect(beats).toHaveLength(1);
      expect(beats[0]).toMatchObject({ kind: 'runner', pid: proc.pid });
      expect(out).toMatch(/runner \S+ serving /);

      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('runner stopped');
      expect(await storage.heartbeats()).toEqual([]);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await storage.close();
    }
  });
});

describe('stepwise run on a terminal', () => {
  /** The screen a real terminal of this size shows after everything written to it. */
  async function screen(writes: string[], cols: number, rows: number): Promise<string[]> {
    const term = new XTerm({ cols, rows, allowProposedApi: true, scrollback: 1000 });
    for (const w of writes) await new Promise<void>((done) => term.write(w.replace(/(?<!\r)\n/g, '\r\n'), done));
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y)!.translateToString(true));
    term.dispose();
    return lines.filter((l) => l.trim() !== '');
  }

  it('redraws one line per step in place, with the final states, even where lines wrap', async () => {
    // 44 columns: the header line and the step lines are wider, so they wrap.
    const writes: string[] = [];
    const terminal = { write: (s: string) => void writes.push(s), columns: 44, rows: 30, isTTY: true };
    const io: CliIO = { out: (s) => void writes.push(s.endsWith('\n') ? s : s + '\n'), err: () => undefined, isTTY: true, terminal };
    const code = await main(['run', 'demo/diamond', '--workspace', examples, '--db', tempDb()], io);
    expect(code).toBe(0);
    const shown = await screen(writes, 44, 30);
    const text = shown.join('\n');
    // Each step shows once, in its final state: no stale frames left behind by the wrapping.
    for (const step of ['fetch_sales', 'compute_totals', 'compute_trends', 'publish_report']) {
      expect(text.match(new RegExp(`✔ ${step}\\s+complete`, 'g')), text).toHaveLength(1);
      expect(text, text).not.toMatch(new RegExp(`${step}\\s+(running|ready|pending)`));
    }
    // One progress header (in its final state), then the report's headline.
    expect(text.match(/\(4 complete\)/g), text).toHaveLength(1);
    expect(text.match(/demo\/diamond@/g), text).toHaveLength(2);
    expect(text).toMatch(/result: /);
  });
});
