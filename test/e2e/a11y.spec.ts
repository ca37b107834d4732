/**
 * Accessibility of the main views with axe-core: the template view, a task view with the
 * inspector open, each dialog (start task, operation, interaction, add step; those of issue 17:
 * mark complete with its prefill, retry and reset past the budget, run again with edited input,
 * the bulk confirmation over all matching tasks and its outcome) and the template editor have no
 * serious or critical violation (WCAG 2.x A/AA rules and axe's best practices).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { node, openPage, startDebugHost, startFromForm, waitForGraph, type DebugHost } from './debuggerHelpers.js';

let host: DebugHost;

test.beforeAll(async () => {
  host = await startDebugHost('stepwise-e2e-a11y-');
});
test.afterAll(async () => {
  await host?.stop();
});

/** Serious and critical violations on the page (or inside `include`), each with its nodes. */
async function violations(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length}): ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`).join('\n  ')}`);
}

test('the template view and the start task dialog', async ({ page }) => {
  await openPage(page, host, `#/template/${encodeURIComponent('billing/invoice_sync@1.0.0')}`);
  await waitForGraph(page);
  expect.soft(await violations(page), 'template view').toEqual([]);
  await page.getByRole('button', { name: 'Start task' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  expect.soft(await violations(page), 'start task dialog').toEqual([]);
});

test('the home view with its insights and event log', async ({ page }) => {
  await openPage(page, host, '#/');
  await page.getByRole('tab', { name: 'Insights' }).click();
  await expect(page.getByTestId('insights')).toBeVisible();
  expect.soft(await violations(page), 'home insights').toEqual([]);
  await page.getByRole('tab', { name: 'Events' }).click();
  expect.soft(await violations(page), 'home events').toEqual([]);
});

test('a task view with the inspector, its panels, and the operation dialog', async ({ page }) => {
  const task = await host.api.debug.start.mutate({ ref: 'billing/invoice_sync@1.0.0', input: { account_id: 'A11Y-1', ledger_online: false } });
  await expect.poll(async () => (await host.api.task.query({ id: task.id })).task.status, { timeout: 20_000 }).toBe('error');
  await openPage(page, host, `#/task/${encodeURIComponent(task.id)}`);
  await waitForGraph(page);
  await node(page, 'push_to_ledger').click();
  await expect(page.getByTestId('inspector').getByTestId('inspector-error')).toBeVisible();
  for (const tab of ['Timeline', 'Events', 'Insights']) {
    await page.getByRole('tab', { name: tab }).click();
    expect.soft(await violations(page), `task view, ${tab}`).toEqual([]);
  }
  await page.getByTestId('inspector').getByRole('button', { name: 'Retry step' }).click();
  await expect(page.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  expect.soft(await violations(page), 'operation dialog').toEqual([]);
});

test('the interaction dialog', async ({ page }) => {
  await startFromForm(page, host, 'accounts/user_onboarding@1.0.0', async (p) => void (await p.locator('#root_user_id').fill('7')));
  await expect(page.locator('.canvas-wrap')).toHaveAttribute('data-current-state', 'ask_for_email');
  await page.getByTestId('debugbar').getByRole('button', { name: 'provide_email' }).click();
  await expect(page.getByTestId('interaction-dialog')).toBeVisible();
  expect.soft(await violations(page), 'interaction dialog').toEqual([]);
});

test('the template editor and its add step dialog', async ({ page }) => {
  await openPage(page, host, `#/template/${encodeURIComponent('ecommerce/order_fulfillment@1.0.0')}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const editor = page.getByRole('main', { name: 'Template editor' });
  await expect(editor.locator('.canvas-wrap')).toHaveAttribute('data-graph-ready', 'true');
  await editor.locator('[data-step="charge_payment"]').click();
  expect.soft(await violations(page), 'editor').toEqual([]);
  await page.getByRole('button', { name: /Add step/ }).click();
  await expect(page.getByTestId('add-node-dialog')).toBeVisible();
  expect.soft(await violations(page), 'add step dialog').toEqual([]);
});

test('the dialogs of issue 17: mark complete prefilled, retry and reset, run again with edited input, bulk over all matching', async ({ page }) => {
  const failed: string[] = [];
  for (const n of [1, 2]) failed.push((await host.api.debug.start.mutate({ ref: 'billing/invoice_sync@1.0.0', input: { account_id: `A11Y-BULK-${n}`, ledger_online: false } })).id);
  for (const id of failed) await expect.poll(async () => (await host.api.task.query({ id })).task.status, { timeout: 20_000 }).toBe('error');
  await openPage(page, host, `#/task/${encodeURIComponent(failed[0]!)}`);
  await waitForGraph(page);
  await node(page, 'push_to_ledger').click();
  const inspector = page.getByTestId('inspector');
  const dialog = page.getByTestId('op-dialog');

  await inspector.getByRole('button', { name: 'Mark complete' }).click();
  await expect(dialog.getByTestId('results-hint')).toBeVisible();
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  expect.soft(await violations(page), 'mark complete with its prefill').toEqual([]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Past the budget: the retry dialog's note, then the reset dialog's.
  await inspector.getByRole('button', { name: 'Retry step' }).click();
  await expect(dialog.getByTestId('op-preview')).toContainText('one more');
  expect.soft(await violations(page), 'retry past the budget').toEqual([]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await inspector.getByRole('button', { name: 'Reset for retry' }).click();
  await expect(dialog.getByTestId('op-preview')).toContainText('gets a new set of');
  expect.soft(await violations(page), 'reset for retry').toEqual([]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The other task, no node selected: its summary has Run again.
  await openPage(page, host, `#/task/${encodeURIComponent(failed[1]!)}`);
  await waitForGraph(page);
  const details = page.getByRole('button', { name: 'Details', exact: true });
  if ((await details.getAttribute('aria-pressed')) !== 'true') await details.click();
  await page.getByTestId('task-summary').getByRole('button', { name: 'Run again with edited input' }).click();
  await expect(page.getByTestId('start-dialog').locator('#root_account_id')).toHaveValue('A11Y-BULK-2');
  expect.soft(await violations(page), 'run again with edited input').toEqual([]);
  await page.keyboard.press('Escape');

  // Bulk over all matching: the preview with its counts and reasons, then the outcome.
  await page.getByLabel('Search tasks').fill('A11Y-BULK');
  await expect(page.locator('[data-task]')).toHaveCount(2);
  const bar = page.getByTestId('bulk-bar');
  await bar.getByRole('checkbox').check();
  await bar.getByTestId('select-all-matching').click();
  expect.soft(await violations(page, '[data-testid="bulk-bar"]'), 'bulk bar').toEqual([]);
  await bar.getByRole('button', { name: 'Mark complete' }).click();
  const bulk = page.getByTestId('bulk-dialog');
  await expect(bulk.getByTestId('bulk-counts')).toContainText('2 of 2 tasks will change');
  expect.soft(await violations(page), 'bulk confirmation').toEqual([]);
  await bulk.getByLabel(/Results for each failed step/).fill('{ "pushed": [] }');
  await bulk.getByLabel(/Reason/).fill('a11y check');
  await bulk.getByRole('button', { name: 'Confirm: mark complete 2 tasks' }).click();
  await expect(bulk.getByTestId('bulk-outcome')).toContainText('2 done');
  expect.soft(await violations(page), 'bulk outcome').toEqual([]);
});
