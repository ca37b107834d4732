/**
 * Follow-ups of the visual debugger (browser mode, own `stepwise serve` on a copy of the example
 * workspace): the sidebar's task list follows a flow's state and status live; the inspector
 * shows a step as it was at the scrubbed transition (marked as history) and returns to live;
 * Skip wait of a waiting flow goes through the previewed, confirmed operation; while scrubbing,
 * the header shows the status then and the debug bar's live controls are disabled.
 */
import { expect, test, type Page } from '@playwright/test';
import { node, openPage, startDebugHost, startFromForm, type DebugHost } from './debuggerHelpers.js';

let host: DebugHost;
test.beforeAll(async () => {
  host = await startDebugHost('stepwise-e2e-history-');
});
test.afterAll(async () => {
  await host?.stop();
});

/** The sidebar row of a task must match within a moment: events patch it, no refetch needed. */
async function expectRow(page: Page, id: string, status: string, state: string): Promise<void> {
  const row = page.locator(`[data-task="${id}"]`);
  await expect(row).toHaveAttribute('data-status', status, { timeout: 3_000 });
  await expect(row).toHaveAttribute('data-current-state', state, { timeout: 3_000 });
  await expect(row).toContainText(state);
}

test("the sidebar follows a flow's state and status as it moves", async ({ page }, info) => {
  const id = await startFromForm(page, host, 'accounts/user_onboarding@1.0.0', async (p) => void (await p.locator('#root_user_id').fill('11')), { paused: true });
  const bar = page.getByTestId('debugbar');
  await expectRow(page, id, 'paused', 'check_email');
  await bar.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.locator('.canvas-wrap')).toHaveAttribute('data-current-state', 'ask_for_email');
  await expectRow(page, id, 'paused', 'ask_for_email');
  await bar.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'waiting');
  await expectRow(page, id, 'waiting', 'ask_for_email');
  await page.screenshot({ path: info.outputPath('h01-sidebar-flow-waiting.png') });
  // A change made by another client (the node-side API) reaches the row as well.
  await host.api.ops.perform.mutate({ request: { op: 'fireInteraction', taskId: id, name: 'provide_email', params: { email: 'grace@example.com' } }, expectedVersion: (await host.api.inspect.controls.query({ taskId: id })).task.version, reason: 'e2e' });
  await expectRow(page, id, 'complete', 'done');
});

test('the inspector shows the scrubbed point as history and returns to live', async ({ page }, info) => {
  await startFromForm(page, host, 'demo/diamond@1.0.0', async () => undefined);
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
  await node(page, 'fetch_sales').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-state')).toHaveText('complete');
  await expect(inspector.getByTestId('inspector-attempts')).toContainText('1 of');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await expect(page.getByTestId('transition-list')).not.toHaveAttribute('data-count', '0');
  const liveTransitions = Number(await inspector.getByTestId('transitions').locator('.count').textContent());

  // The very first transition: nothing has run yet.
  await page.getByTestId('scrubber').focus();
  await page.keyboard.press('Home');
  await expect(inspector).toHaveAttribute('data-history', 'true');
  await expect(inspector.getByTestId('inspector-history')).toContainText('after transition 1 of');
  await expect(inspector.getByTestId('inspector-state')).not.toHaveText('complete');
  await expect(inspector.getByTestId('inspector-attempts')).toContainText('0 of');
  await expect(inspector.getByRole('group', { name: 'Operations' })).toHaveCount(0);
  await expect(inspector.getByTestId('attempts')).toContainText('Not run yet');
  await page.screenshot({ path: info.outputPath('h02-inspector-history-start.png') });

  // While fetch_sales ran: one attempt, running, and fewer transitions than now.
  await page.locator('.trow', { hasText: 'fetch_sales' }).filter({ hasText: '→ running' }).first().click();
  await expect(inspector.getByTestId('inspector-state')).toHaveText('running');
  await expect(inspector.getByTestId('inspector-attempts')).toContainText('1 of');
  await expect(inspector.locator('.attempt')).toHaveAttribute('data-outcome', 'running');
  await expect.poll(async () => Number(await inspector.getByTestId('transitions').locator('.count').textContent())).toBeLessThan(liveTransitions);
  await page.screenshot({ path: info.outputPath('h03-inspector-history-running.png') });

  await inspector.getByRole('button', { name: 'Back to live' }).click();
  await expect(page.getByTestId('history-banner')).toBeHidden();
  await expect(inspector).toHaveAttribute('data-history', 'false');
  await expect(inspector.getByTestId('inspector-state')).toHaveText('complete');
  await expect(inspector.locator('.attempt')).toHaveAttribute('data-outcome', 'success');
  await expect(inspector.getByRole('group', { name: 'Operations' })).toBeVisible();
});

test('while scrubbing, the header shows the status then and the live controls are disabled', async ({ page }, info) => {
  // Paused after one step: Continue, Step and Cancel act on the live task and are enabled.
  await startFromForm(page, host, 'demo/diamond@1.0.0', async () => undefined, { paused: true });
  const bar = page.getByTestId('debugbar');
  const status = page.getByTestId('task-status');
  await bar.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(node(page, 'fetch_sales')).toHaveAttribute('data-state', 'complete');
  const liveStatus = (await status.getAttribute('data-status'))!;
  await expect(status).toHaveAttribute('data-history', 'false');
  const live = ['Continue', 'Step', 'Wake now', 'Cancel task'] as const;
  for (const name of live) await expect(bar.getByRole('button', { name, exact: true })).toBeEnabled();

  await page.getByRole('tab', { name: 'Timeline' }).click();
  await expect(page.getByTestId('transition-list')).not.toHaveAttribute('data-count', '0');
  await page.getByTestId('scrubber').focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('history-banner')).toBeVisible();
  // The header: the status after the first transition, tagged as history (not the live one).
  await expect(status).toHaveAttribute('data-history', 'true');
  await expect(status).toContainText('history');
  await expect(status).toHaveAttribute('title', new RegExp(`Status after transition 1 \\(history\\); live: ${liveStatus}`));
  // The bar: every control on the live task is disabled and says how to use it.
  await expect(bar).toHaveAttribute('data-history', 'true');
  await expect(bar.getByTestId('pause-reason')).toContainText('live task:');
  for (const name of [...live, 'Pause', 'Skip wait']) {
    const button = bar.getByRole('button', { name, exact: true });
    await expect(button).toBeDisabled();
    await expect(button).toHaveAttribute('title', /^Back to live to /);
  }
  await expect(bar.getByRole('button', { name: 'Continue', exact: true })).toHaveAttribute('title', 'Back to live to continue the task');
  await page.screenshot({ path: info.outputPath('h06-history-header-debugbar.png') });

  await bar.getByRole('button', { name: 'Back to live' }).click();
  await expect(page.getByTestId('history-banner')).toBeHidden();
  await expect(bar).toHaveAttribute('data-history', 'false');
  await expect(status).toHaveAttribute('data-history', 'false');
  await expect(status).toHaveAttribute('data-status', liveStatus);
  for (const name of live) await expect(bar.getByRole('button', { name, exact: true })).toBeEnabled();
});

test('the header shows the past status of a finished task while scrubbing', async ({ page }) => {
  const id = await startFromForm(page, host, 'demo/diamond@1.0.0', async () => undefined);
  const status = page.getByTestId('task-status');
  await expect(status).toHaveAttribute('data-status', 'complete');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  // Every transition read (the last one is the task completing), so End is the finished point.
  const all = await host.api.inspect.transitions.query({ taskId: id, afterSeq: 0, limit: 5_000 });
  await expect(page.getByTestId('transition-list')).toHaveAttribute('data-count', String(all.transitions.length));
  await page.getByTestId('scrubber').focus();
  await page.keyboard.press('Home');
  await expect(status).toHaveAttribute('data-history', 'true');
  await expect(status).not.toHaveAttribute('data-status', 'complete');
  // The last transition: complete then too, still marked as history until Back to live.
  await page.keyboard.press('End');
  await expect(status).toHaveAttribute('data-status', 'complete');
  await expect(status).toHaveAttribute('data-history', 'true');
  await page.getByTestId('debugbar').getByRole('button', { name: 'Back to live' }).click();
  await expect(status).toHaveAttribute('data-history', 'false');
});

test('Skip wait of a waiting flow: previewed, confirmed, and the timeout fires', async ({ page }, info) => {
  const id = await startFromForm(page, host, 'accounts/user_onboarding@1.0.0', async (p) => void (await p.locator('#root_user_id').fill('12')), { paused: true });
  const bar = page.getByTestId('debugbar');
  const skip = bar.getByRole('button', { name: 'Skip wait' });
  // Not waiting yet (active in check_email): nothing to skip.
  await expect(skip).toBeDisabled();
  await bar.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'waiting');
  await expect(skip).toBeEnabled();
  await skip.click();
  const dialog = page.getByTestId('op-dialog');
  const confirm = dialog.getByRole('button', { name: 'Confirm skip wait' });
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  await expect(dialog.locator('[data-change-field="wakeAt"]')).toBeVisible();
  await dialog.getByRole('radio', { name: /Time out now/ }).check();
  await expect(dialog.getByTestId('wait-choice')).toContainText('go to expired');
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  await expect(dialog.locator('[data-change-field="timeoutAt"]')).toBeVisible();
  await expect(confirm).toBeDisabled(); // no reason yet
  await dialog.getByLabel('Reason (kept in the history)').fill('nobody will answer in this test');
  await expect(confirm).toBeEnabled();
  await page.screenshot({ path: info.outputPath('h04-skip-wait-flow.png') });
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
  await expect(page.locator('.canvas-wrap')).toHaveAttribute('data-current-state', 'expired');
  await expect(node(page, 'expired')).toHaveAttribute('data-state', 'complete');
  await expectRow(page, id, 'complete', 'expired');
  await expect(skip).toBeDisabled();
  await page.screenshot({ path: info.outputPath('h05-skip-wait-expired.png') });
});
