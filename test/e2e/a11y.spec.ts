/**
 * Accessibility of the main views with axe-core: the template view, a task view with the
 * inspector open, each dialog (start task, operation, interaction, add step) and the template
 * editor have no serious or critical violation (WCAG 2.x A/AA rules and axe's best practices).
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
