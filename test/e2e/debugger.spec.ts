/**
 * The visual debugger in a browser (issue 7), on its own `stepwise serve` over a copy of the
 * example workspace: a failing step found, fixed and retried through the confirmation dialog; a
 * paused diamond stepped one step at a time; a breakpoint; an interaction fired on the
 * onboarding flow; the timeline scrubbed through history. Screenshots of each screen go to
 * test-results/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { node, openPage, startDebugHost, startFromForm, type DebugHost } from './debuggerHelpers.js';

let host: DebugHost;

test.beforeAll(async () => {
  host = await startDebugHost('stepwise-e2e-debugger-');
});
test.afterAll(async () => {
  await host?.stop();
});

test('Mark complete resolves a failed step with results typed as JSON, and its dependents run', async ({ page }, info) => {
  // Runs before the handler fix below: the ledger is offline here.
  const task = await host.api.debug.start.mutate({ ref: 'billing/invoice_sync@1.0.0', input: { account_id: 'MANUAL-1', ledger_online: false } });
  await expect.poll(async () => (await host.api.task.query({ id: task.id })).task.status, { timeout: 20_000 }).toBe('error');
  await openPage(page, host, `#/task/${encodeURIComponent(task.id)}`);
  await node(page, 'push_to_ledger').click();
  await page.getByTestId('inspector').getByRole('button', { name: 'Mark complete' }).click();
  const dialog = page.getByTestId('op-dialog');
  const results = dialog.getByLabel('Results (JSON)');
  const confirm = dialog.getByRole('button', { name: 'Confirm mark complete' });
  await dialog.getByLabel('Reason (kept in the history)').fill('pushed by hand in the ledger UI');
  await results.fill('{ "ledger": "acme-books", pushed: [] }');
  await expect(dialog.getByRole('alert')).toContainText('Not valid JSON');
  await expect(confirm).toBeDisabled();
  await results.fill('{ "ledger": "acme-books", "pushed": ["INV-1", "INV-2"] }');
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  await expect(dialog.locator('[data-change-step="push_to_ledger"]').first()).toBeVisible();
  await expect(confirm).toBeEnabled();
  await page.screenshot({ path: info.outputPath('d00-mark-complete.png') });
  await confirm.click();
  await expect(node(page, 'push_to_ledger')).toHaveAttribute('data-state', 'resolved_manually');
  await expect(node(page, 'mark_synced')).toHaveAttribute('data-state', 'complete');
  await node(page, 'mark_synced').click();
  await expect(page.getByTestId('inspector')).toContainText('synced');
});

test('a failing step: read the error, fix the handler, retry through the confirmation dialog, see it complete', async ({ page }, info) => {
  const taskId = await startFromForm(page, host, 'billing/invoice_sync@1.0.0', async (p) => {
    await p.locator('#root_account_id').fill('ACME-42');
    await p.locator('#root_ledger_online').uncheck();
  });
  await expect(node(page, 'push_to_ledger')).toHaveAttribute('data-state', 'error');
  // The bar says what is true of a failed task (not "running": it is not paused, but not running).
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('pause-reason')).toHaveText('failed — retry or reset a step');
  await node(page, 'push_to_ledger').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-error')).toContainText('Ledger acme-books is offline');
  await expect(inspector.getByTestId('inspector-error')).toContainText('Error');
  await expect(inspector.locator('.attempt')).toHaveCount(2);
  // Operations the step's state does not allow are disabled, with core/ops's reason as tooltip.
  await expect(inspector.getByRole('button', { name: 'Retry step' })).toBeEnabled();
  const update = inspector.getByRole('button', { name: 'Update results' });
  await expect(update).toBeDisabled();
  await expect(update.locator('xpath=..')).toHaveAttribute('title', /updateResults: step 'push_to_ledger' is error/);
  await page.screenshot({ path: info.outputPath('d01-failed-step-inspector.png') });

  // The developer fixes the handler; the host reloads it.
  const before = (await host.api.workspace.query()).lastChange?.seq ?? 0;
  const file = path.join(host.dir, 'handlers/billing.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace('ctx.input.ledger_online === false', 'ctx.input.ledger_online === null'));
  await expect.poll(async () => (await host.api.workspace.query()).lastChange?.seq ?? 0, { timeout: 20_000 }).toBeGreaterThan(before);

  await inspector.getByRole('button', { name: 'Retry step' }).click();
  const dialog = page.getByTestId('op-dialog');
  await expect(dialog).toBeVisible();
  const confirm = dialog.getByRole('button', { name: 'Confirm retry step' });
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  await expect(dialog.locator('[data-change-step="push_to_ledger"]').first()).toBeVisible();
  await expect(confirm).toBeDisabled(); // no reason yet
  await dialog.getByLabel('Reason (kept in the history)').fill('ledger is back online');
  await expect(confirm).toBeEnabled();
  await page.screenshot({ path: info.outputPath('d02-retry-confirmation.png') });
  await confirm.click();
  await expect(dialog).toBeHidden();
  for (const name of ['fetch_invoices', 'push_to_ledger', 'mark_synced']) await expect(node(page, name)).toHaveAttribute('data-state', 'complete');
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
  await expect(inspector.locator('.transitions')).toContainText('ledger is back online');
  await expect(page.getByTestId('announcer')).toContainText(/complete|applied/);
  await page.screenshot({ path: info.outputPath('d03-retried-complete.png') });
  expect(taskId).toBeTruthy();
});

test('a paused diamond is stepped one step at a time', async ({ page }, info) => {
  await startFromForm(page, host, 'demo/diamond@1.0.0', async () => undefined, { paused: true });
  const bar = page.getByTestId('debugbar');
  await expect(bar.getByTestId('pause-reason')).toContainText('started paused');
  await expect(node(page, 'fetch_sales')).toHaveAttribute('data-state', 'ready');
  await page.screenshot({ path: info.outputPath('d04-diamond-paused.png') });
  const stepButton = bar.getByRole('button', { name: 'Step', exact: true });
  await stepButton.click();
  await expect(node(page, 'fetch_sales')).toHaveAttribute('data-state', 'complete');
  await expect(node(page, 'compute_totals')).toHaveAttribute('data-state', 'ready');
  await expect(node(page, 'compute_trends')).toHaveAttribute('data-state', 'ready');
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'pending');
  // "Run this step" on a chosen ready node: compute_trends runs before compute_totals.
  await node(page, 'compute_trends').click();
  await page.getByTestId('inspector').getByRole('button', { name: 'Run this step' }).click();
  await expect(node(page, 'compute_trends')).toHaveAttribute('data-state', 'complete');
  await expect(node(page, 'compute_totals')).toHaveAttribute('data-state', 'ready');
  await expect(bar.getByTestId('pause-reason')).toContainText('next: compute_totals');
  await page.screenshot({ path: info.outputPath('d05-diamond-stepped.png') });
  await stepButton.click();
  await expect(node(page, 'compute_totals')).toHaveAttribute('data-state', 'complete');
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'ready');
  await stepButton.click();
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'complete');
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
  await expect(stepButton).toBeDisabled();
});

test('a breakpoint set on a node stops the task there; Continue runs it to the end', async ({ page }, info) => {
  await startFromForm(page, host, 'demo/diamond@1.0.0', async () => undefined, { paused: true });
  const bar = page.getByTestId('debugbar');
  await expect(bar.getByTestId('pause-reason')).toContainText('started paused');
  // F9 on the focused node toggles its breakpoint.
  await page.locator('[data-id="publish_report"]').focus();
  await page.keyboard.press('F9');
  await expect(bar.getByTestId('breakpoints')).toContainText('publish_report');
  await expect(page.locator('.react-flow__node[data-id="publish_report"]')).toHaveClass(/has-breakpoint/);
  await bar.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(bar.getByTestId('pause-reason')).toContainText('stopped at breakpoint publish_report');
  await expect(node(page, 'compute_totals')).toHaveAttribute('data-state', 'complete');
  await expect(node(page, 'compute_trends')).toHaveAttribute('data-state', 'complete');
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'ready');
  await node(page, 'publish_report').click();
  await expect(page.getByTestId('inspector').getByTestId('toggle-breakpoint')).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: info.outputPath('d06-breakpoint-hit.png') });
  await bar.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'complete');
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
});

test('an interaction of the onboarding flow is disabled before its state and fired in it', async ({ page }, info) => {
  await startFromForm(page, host, 'accounts/user_onboarding@1.0.0', async (p) => void (await p.locator('#root_user_id').fill('7')), { paused: true });
  const bar = page.getByTestId('debugbar');
  const fire = bar.getByRole('button', { name: 'provide_email' });
  await expect(page.locator('.canvas-wrap')).toHaveAttribute('data-current-state', 'check_email');
  await expect(fire).toBeDisabled();
  await expect(fire.locator('xpath=..')).toHaveAttribute('title', /Only in state: ask_for_email/);
  await page.screenshot({ path: info.outputPath('d07-interaction-disabled.png') });
  await bar.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page.locator('.canvas-wrap')).toHaveAttribute('data-current-state', 'ask_for_email');
  await expect(fire).toBeEnabled();
  await fire.click();
  const dialog = page.getByTestId('interaction-dialog');
  await dialog.locator('#root_email').fill('ada@example.com');
  await page.screenshot({ path: info.outputPath('d08-interaction-form.png') });
  await dialog.getByRole('button', { name: 'Fire provide_email' }).click();
  await expect(dialog.getByTestId('interaction-result')).toContainText('ask_for_email → send_welcome');
  await page.screenshot({ path: info.outputPath('d09-interaction-fired.png') });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
  await expect(node(page, 'done')).toHaveAttribute('data-state', 'complete');
  // The state's inspector: the flow data the interaction stored, and the state's history.
  await node(page, 'ask_for_email').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toContainText('ada@example.com');
  await expect(inspector.getByTestId('transitions')).toContainText('ask_for_email → send_welcome');
  await page.screenshot({ path: info.outputPath('d09b-flow-state-inspector.png') });
});

test('the timeline scrubs back through history and returns to live', async ({ page }, info) => {
  await startFromForm(page, host, 'demo/diamond@1.0.0', async () => undefined);
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  const scrubber = page.getByTestId('scrubber');
  await expect(page.getByTestId('transition-list')).not.toHaveAttribute('data-count', '0');
  await scrubber.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('history-banner')).toBeVisible();
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-history', 'true');
  // At the first transition nothing has finished yet.
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'pending');
  await expect(node(page, 'fetch_sales')).not.toHaveAttribute('data-state', 'complete');
  await page.screenshot({ path: info.outputPath('d10-timeline-history-start.png') });
  // Forward until fetch_sales completed: its dependents are then ready, publish_report still pending.
  const rows = page.locator('.trow');
  await page.locator('.trow', { hasText: 'fetch_sales' }).filter({ hasText: '→ complete' }).first().click();
  await expect(node(page, 'fetch_sales')).toHaveAttribute('data-state', 'complete');
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'pending');
  await page.screenshot({ path: info.outputPath('d11-timeline-history-middle.png') });
  expect(await rows.count()).toBeGreaterThan(3);
  await page.getByRole('button', { name: 'Back to live' }).first().click();
  await expect(page.getByTestId('history-banner')).toBeHidden();
  await expect(node(page, 'publish_report')).toHaveAttribute('data-state', 'complete');
  await page.screenshot({ path: info.outputPath('d12-timeline-live.png') });

  // The panel's height and tab are kept across a reload (resized here with the keyboard).
  const dock = page.getByTestId('dock');
  const before = (await dock.boundingBox())!.height;
  await page.getByRole('separator', { name: 'Resize panels' }).focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect.poll(async () => (await dock.boundingBox())!.height).toBe(before + 48);
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Timeline' })).toHaveAttribute('aria-selected', 'true');
  await expect.poll(async () => (await page.getByTestId('dock').boundingBox())!.height).toBe(before + 48);
});

test('a STALE refusal shows what changed and previews again', async ({ page }, info) => {
  const task = await host.api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true });
  await openPage(page, host, `#/task/${encodeURIComponent(task.id)}`);
  await node(page, 'fetch_sales').click();
  const skip = page.getByTestId('inspector').getByRole('button', { name: 'Skip', exact: true });
  await expect(skip).toBeEnabled();
  await skip.click();
  const dialog = page.getByTestId('op-dialog');
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  await expect(dialog.locator('[data-change-step="fetch_sales"]').first()).toBeVisible();
  await dialog.getByLabel('Reason (kept in the history)').fill('sales come from elsewhere');
  // Meanwhile someone else changes the task (a new breakpoint is a new task version).
  await host.api.debug.setBreakpoints.mutate({ taskId: task.id, names: ['publish_report'] });
  await dialog.getByRole('button', { name: 'Confirm skip' }).click();
  const refusal = dialog.getByTestId('op-error');
  await expect(refusal).toContainText('The task changed since this preview');
  await expect(refusal).toContainText('setBreakpoints by a user');
  await page.screenshot({ path: info.outputPath('d15-stale-refusal.png') });
  await refusal.getByRole('button', { name: 'Preview again' }).click();
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  await dialog.getByRole('button', { name: 'Confirm skip' }).click();
  await expect(dialog).toBeHidden();
  await expect(node(page, 'fetch_sales')).toHaveAttribute('data-state', 'skipped');
});

test('the home view shows insights and the live event log', async ({ page }, info) => {
  const task = await host.api.debug.start.mutate({ ref: 'demo/tree@1.0.0', input: {} });
  await expect.poll(async () => (await host.api.task.query({ id: task.id })).task.status, { timeout: 20_000 }).toBe('complete');
  await openPage(page, host, '#/');
  await page.getByRole('tab', { name: 'Insights' }).click();
  const insights = page.getByTestId('insights');
  await expect(insights).toContainText('book_hotel');
  await expect(insights).toContainText('Slowest steps');
  await page.screenshot({ path: info.outputPath('d13-insights.png') });
  await page.getByRole('tab', { name: 'Events' }).click();
  await page.getByLabel('Filter events').fill('book_hotel');
  await expect(page.getByTestId('event-log').locator('.erow').first()).toContainText('book_hotel');
  await expect(page.getByTestId('event-log').locator('.erow', { hasText: 'plan_trip' })).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('d14-event-log.png') });
});
