/**
 * Issue 17's CLI points, in-process on the example workspace: every command takes a task's short
 * id (or a unique prefix) where it takes an id, and says which tasks an ambiguous one names;
 * `tasks` has a header row and says `paused`; a flow run that ends waiting names the interaction
 * to fire and the command; `complete` on a complete step is refused (not silently an update);
 * a preview shows an error on one line, not its stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { shortTaskId } from '../../core/model/taskId.js';

const examples = join(fileURLToPath(new URL('../..', import.meta.url)), 'resources/examples');
let dir: string;
let db: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-out-'));
  db = join(dir, 'cli.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false };
  const code = await main([...args, '--workspace', examples, '--db', db], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** An invoice_sync task whose push_to_ledger failed (the ledger is offline). */
async function failedInvoice(account: string): Promise<string> {
  const run = await cli('run', 'invoice_sync', '--input', JSON.stringify({ account_id: account, ledger_online: false }), '--executor', 'inline', '--json');
  expect(run.code).toBe(1);
  return JSON.parse(run.out).task.id as string;
}

describe('task ids in the CLI', () => {
  it('show, retry and the other commands take the short id or a unique prefix; an ambiguous prefix lists the tasks', async () => {
    const a = await failedInvoice('A-1');
    const b = await failedInvoice('B-2');
    const shown = await cli('show', shortTaskId(a), '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out).task).toMatchObject({ id: a, short_id: shortTaskId(a) });
    // Dashes are optional in a prefix; the whole id still works.
    expect(JSON.parse((await cli('show', b.replace(/-/g, '').slice(0, 30), '--json')).out).task.id).toBe(b);
    // Both ids start with the same time prefix (UUIDv7, created seconds apart): ambiguous.
    let common = 0;
    while (a[common] === b[common]) common++;
    const prefix = a.slice(0, Math.min(common, 8));
    expect(prefix.length).toBeGreaterThanOrEqual(4);
    const ambiguous = await cli('show', prefix);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain(`'${prefix}' names 2 tasks`);
    expect(ambiguous.err).toContain(shortTaskId(b));
    const missing = await cli('show', 'ffffffff');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("Task 'ffffffff' was not found in");
    // A mutating command resolves the short id too, and acts on the whole id.
    const retried = await cli('retry', shortTaskId(b), 'push_to_ledger', '--yes', '--no-run', '--json');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.out).task.id).toBe(b);
  });

  it('tasks prints a header row, the short id, and paused for a task the debugger holds', async () => {
    const failed = await failedInvoice('C-3');
    const started = await cli('start', 'diamond', '--debug', '--json');
    const paused = JSON.parse(started.out).task.id as string;
    const list = await cli('tasks');
    const [head, ...rows] = list.out.split('\n');
    expect(head).toMatch(/^ID\s+SHORT\s+TEMPLATE\s+STATUS\s+CREATED$/);
    const row = (id: string) => rows.find((r) => r.startsWith(id))!;
    expect(row(paused).split(/\s+/).slice(1, 4)).toEqual([shortTaskId(paused), 'demo/diamond@1.0.0', 'paused']);
    expect(row(failed).split(/\s+/).slice(1, 4)).toEqual([shortTaskId(failed), 'billing/invoice_sync@1.0.0', 'error']);
    // One word per outcome: `failed` finds a workflow in error (flows store `failed`), `error` the same.
    expect(JSON.parse((await cli('tasks', '--status', 'failed', '--json')).out).tasks.map((t: { id: string }) => t.id)).toEqual([failed]);
    expect(JSON.parse((await cli('tasks', '--status', 'error', '--json')).out).tasks.map((t: { id: string }) => t.id)).toEqual([failed]);
    // The columns line up: STATUS starts at the same place in every row.
    const at = head!.indexOf('STATUS');
    for (const r of rows) expect(r.slice(at).split(/\s+/)[0]).toMatch(/^(paused|error)$/);
  });
});

describe('what the CLI says next', () => {
  it('a flow run that ends waiting names the interaction and the command that fires it', async () => {
    const run = await cli('run', 'user_onboarding', '--input', '{"user_id":42}');
    expect(run.code).toBe(3);
    const id = /task\s+(\S+)/.exec(run.out)![1]!;
    expect(run.out).toContain('waiting in ask_for_email for an interaction:');
    expect(run.out).toContain(`stepwise interact ${id} provide_email --params '{"email":"…"}'`);
  });

  it('complete on a complete step is refused and points to update', async () => {
    const id = await failedInvoice('D-4');
    const r = await cli('complete', id, 'fetch_invoices', '--results', '{}', '--yes');
    expect(r.code).toBe(1);
    expect(r.err).toContain("Step 'fetch_invoices' of task");
    expect(r.err).toContain(`stepwise update ${id} fetch_invoices --results JSON`);
  });

  it('the preview of complete shows the error it clears on one line, without its stack', async () => {
    const id = await failedInvoice('E-5');
    const r = await cli('complete', id, 'push_to_ledger', '--results', '{"pushed":3}');
    // No terminal to confirm: refused after the preview.
    expect(r.code).toBe(1);
    const lines = r.err.split('\n');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(lines.some((l) => / error: .*Error: Ledger acme-books is offline.* → ∅$/.test(l))).toBe(true);
  });
});
