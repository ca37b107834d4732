/**
 * Issue 17 point 9, walked with the real CLI (`node bin/stepwise.mjs` as a child process) on the
 * database a `stepwise serve` uses, in the workspace's folder with STEPWISE_DB set, as a user in
 * a terminal would: one status vocabulary, a header row, a flow that ends waiting says what to
 * type (and that command works), the complete preview prints an error once and no stack, complete
 * on a complete step refuses instead of replacing its results, short ids and prefixes, and a
 * task started from the CLI appears live in the workbench.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openPage, startDebugHost, type DebugHost } from './debuggerHelpers.js';
import { REPO } from './serveProcess.js';

let host: DebugHost;
test.beforeAll(async () => {
  host = await startDebugHost('stepwise-e2e-cli-');
});
test.afterAll(async () => {
  await host?.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = path.join(REPO, 'bin/stepwise.mjs');

/** A shell command line as a user types it, `stepwise` being the CLI of this checkout. */
function sh(line: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', line.replace(/^stepwise /, `'${process.execPath}' '${BIN}' `)],
      { cwd: host.dir, env: { ...process.env, STEPWISE_DB: host.db, NODE_ENV: 'production', NO_COLOR: '1' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
const q = (v: unknown) => `'${JSON.stringify(v)}'`;
const idIn = (text: string) => /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/.exec(text)?.[1];

test('9. the CLI: one vocabulary, a header row, what to type for a waiting flow, one error line, complete refuses a complete step, short ids, live in the workbench', async ({ page }, info) => {
  // A flow that ends waiting names its interaction and the exact command; that command works.
  const flow = await sh(`stepwise run accounts/user_onboarding --input ${q({ user_id: 7 })}`);
  info.attach('run flow', { body: flow.stdout + flow.stderr, contentType: 'text/plain' });
  expect(flow.code, flow.stdout + flow.stderr).toBe(3);
  const flowId = idIn(flow.stdout)!;
  expect(flow.stdout).toContain('waiting in ask_for_email for an interaction:');
  const command = flow.stdout.split('\n').find((l) => l.trim().startsWith(`stepwise interact ${flowId} provide_email`))!.trim();
  expect(command).toBe(`stepwise interact ${flowId} provide_email --params '{"email":"…"}'`);
  const fired = await sh(command.replace('…', 'ada@example.com'));
  expect(fired.code, fired.stdout + fired.stderr).toBe(0);
  expect(fired.stdout).toContain('provide_email accepted');
  await expect.poll(async () => (await host.api.task.query({ id: flowId })).task.status, { timeout: 20_000 }).toBe('complete');

  // A workflow ends `complete` too: one word in `tasks` and in its filter (the old `completed` still finds flows).
  const wf = await sh(`stepwise run billing/invoice_sync --input ${q({ account_id: 'CLI-1' })}`);
  expect(wf.code, wf.stdout + wf.stderr).toBe(0);
  const wfId = idIn(wf.stdout)!;
  const tasks = await sh('stepwise tasks');
  expect(tasks.code).toBe(0);
  const lines = tasks.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^ID\s+SHORT\s+TEMPLATE\s+STATUS\s+CREATED$/);
  const rowOf = (id: string) => lines.find((l) => l.startsWith(id))!;
  expect(rowOf(flowId)).toMatch(/\scomplete\s/);
  expect(rowOf(wfId)).toMatch(/\scomplete\s/);
  expect(tasks.stdout).not.toMatch(/\bcompleted\b|\bactive\b|\bfailed\b/);
  for (const word of ['complete', 'completed']) {
    const filtered = await sh(`stepwise tasks --status ${word}`);
    expect(filtered.code).toBe(0);
    expect(filtered.stdout).toContain(flowId);
    expect(filtered.stdout).toContain(wfId);
  }
  const help = await sh('stepwise tasks --help');
  expect(help.stdout).not.toContain('completed');

  // show takes the short id and any unique prefix of the id.
  const short = wfId.replace(/-/g, '').slice(-8);
  expect(rowOf(wfId)).toContain(short);
  for (const ref of [short, wfId.slice(0, 28)]) {
    const shown = await sh(`stepwise show ${ref}`);
    expect(shown.code, `${ref}: ${shown.stdout}${shown.stderr}`).toBe(0);
    expect(shown.stdout).toContain(wfId);
  }

  // The complete preview: the error once, on one line, no stack.
  const failing = await sh(`stepwise run billing/invoice_sync --input ${q({ account_id: 'CLI-2', ledger_online: false })}`);
  expect(failing.code).toBe(1);
  const failedId = idIn(failing.stdout)!;
  const preview = await sh(`stepwise complete ${failedId.replace(/-/g, '').slice(-8)} push_to_ledger --results ${q({ ledger: 'acme-books', pushed: ['INV-9'] })}`);
  info.attach('complete preview', { body: preview.stdout + preview.stderr, contentType: 'text/plain' });
  const both = preview.stdout + preview.stderr;
  expect(preview.code).not.toBe(0);
  expect(both).toContain('CONFIRMATION_REQUIRED');
  expect(both.match(/Ledger acme-books is offline/g)).toHaveLength(1);
  expect(both).toMatch(/error: Error: Ledger acme-books is offline[^\n]*→ ∅/);
  expect(both).toMatch(/error: the error above → ∅/);
  expect(both).not.toMatch(/^\s+at /m);
  const done = await sh(`stepwise complete ${failedId} push_to_ledger --results ${q({ ledger: 'acme-books', pushed: ['INV-9'] })} --yes --reason 'pushed by hand'`);
  expect(done.code, done.stdout + done.stderr).toBe(0);
  await expect.poll(async () => (await host.api.task.query({ id: failedId })).task.status, { timeout: 20_000 }).toBe('complete');

  // complete on a step that is already complete does not quietly replace its results.
  const again = await sh(`stepwise complete ${failedId} push_to_ledger --results ${q({ pushed: [] })} --yes`);
  expect(again.code).not.toBe(0);
  expect(again.stderr + again.stdout).toContain(`Step 'push_to_ledger' of task ${failedId} is already resolved_manually`);
  expect(again.stderr + again.stdout).toContain(`stepwise update ${failedId} push_to_ledger --results JSON`);
  const step = (await host.api.task.query({ id: failedId })).steps.find((s) => s.name === 'push_to_ledger')!;
  expect(step.results).toEqual({ ledger: 'acme-books', pushed: ['INV-9'] });

  // A task started from the CLI shows up in the open workbench, live.
  await openPage(page, host, '#/');
  await expect(page.locator(`[data-task="${failedId}"]`)).toHaveAttribute('data-status', 'complete');
  const started = await sh(`stepwise start demo/diamond --input ${q({ region: 'CLI-LIVE' })}`);
  expect(started.code, started.stdout + started.stderr).toBe(0);
  const liveId = idIn(started.stdout)!;
  // Says what the database shows at that instant (the workbench's engine claimed a step, or not yet), never a guess.
  expect(started.stdout).toMatch(/^(queued, not claimed yet; serving this database: host \S+|host \S+ runs steps? \S.*|already complete: .*)$/m);
  const row = page.locator(`[data-task="${liveId}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('region CLI-LIVE');
  await expect(row).toHaveAttribute('data-status', 'complete');
  await page.screenshot({ path: info.outputPath('n09-cli-task-live.png') });
});
