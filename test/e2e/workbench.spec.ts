/**
 * The workbench in a browser, against `stepwise serve` on the example workspace: the template
 * list, every template drawn, a task started from the form and followed live to the end, a
 * failing step, live updates without reload. Screenshots of each screen go to test-results/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parse } from 'yaml';

interface HostInfo {
  url: string;
  token: string;
  workspace: string;
}

const host = (): HostInfo => JSON.parse(process.env.STEPWISE_E2E ?? '{}') as HostInfo;

async function open(page: Page, hash = ''): Promise<void> {
  await page.goto(`${host().url}/?token=${encodeURIComponent(host().token)}${hash}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'open');
}

interface TemplateSummary {
  ref: string;
  kind: string;
  file: string | null;
  nodeCount: number;
}

/** The host's template list (its HTTP API), checked against the YAML files themselves. */
async function expectedTemplates(): Promise<TemplateSummary[]> {
  const res = await fetch(`${host().url}/api/templates`, { headers: { Authorization: `Bearer ${host().token}` } });
  const templates = (await res.json()) as TemplateSummary[];
  const dir = path.join(host().workspace, 'templates');
  const yamlFiles = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
  for (const file of yamlFiles) {
    const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as { steps?: unknown[]; states?: Record<string, unknown> };
    const summary = templates.find((t) => t.file === path.join('templates', file));
    expect(summary, `${file} is listed`).toBeDefined();
    expect(summary!.nodeCount, file).toBe(doc.steps ? doc.steps.length : Object.keys(doc.states ?? {}).length);
  }
  return templates;
}

async function waitForGraph(page: Page): Promise<void> {
  await expect(page.locator('.canvas-wrap[data-graph-ready="true"]')).toBeVisible({ timeout: 30_000 });
}

type Box = { x: number; y: number; width: number; height: number };
function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
}

async function startFromForm(page: Page, ref: string, fill: (page: Page) => Promise<void>): Promise<string> {
  await open(page, `#/template/${encodeURIComponent(ref)}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Start task' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await fill(page);
  await dialog.getByRole('button', { name: 'Start task' }).click();
  await expect(page).toHaveURL(/#\/task\//);
  return decodeURIComponent(page.url().split('#/task/')[1]!);
}

test('the sidebar lists every template, grouped by namespace', async ({ page }, info) => {
  await open(page);
  const expected = await expectedTemplates();
  const list = page.getByTestId('template-list');
  await expect(list.locator('[data-template]')).toHaveCount(expected.length);
  for (const t of expected) await expect(list.locator(`[data-template="${t.ref}"]`)).toBeVisible();
  const namespaces = [...new Set(expected.map((t) => t.ref.split('/')[0]!))].sort();
  await expect(list.locator('.ns')).toHaveText(namespaces);
  await page.screenshot({ path: info.outputPath('01-template-list.png') });
});

test('every template is drawn with one node per step or state, none overlapping', async ({ page }, info) => {
  await open(page);
  for (const t of await expectedTemplates()) {
    await page.locator(`[data-template="${t.ref}"]`).click();
    await waitForGraph(page);
    const nodes = page.locator('[data-step]');
    await expect(nodes, t.ref).toHaveCount(t.nodeCount);
    // Edges are drawn (every template here has at least one dependency or transition). React Flow
    // draws them a frame after it has measured the nodes, so this waits for them (a one-off count
    // failed on a quiet machine: 0 edges right after the nodes appeared).
    await expect.poll(() => page.locator('.react-flow__edge path').count(), { message: t.ref }).toBeGreaterThan(0);
    const boxes = await nodes.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as Box));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i]!, boxes[j]!), `${t.ref}: nodes ${i} and ${j} overlap`).toBe(false);
    }
    await page.screenshot({ path: info.outputPath(`02-template-${t.ref.replace(/[/@.]/g, '_')}.png`) });
  }
});

test('the layout direction toggles between left-right and top-down', async ({ page }, info) => {
  await open(page, `#/template/${encodeURIComponent('demo/diamond@1.0.0')}`);
  await waitForGraph(page);
  const x = async (name: string) => (await page.locator(`[data-step="${name}"]`).boundingBox())!;
  expect((await x('publish_report')).x).toBeGreaterThan((await x('fetch_sales')).x + 100);
  await page.getByRole('button', { name: 'TB' }).click();
  await waitForGraph(page);
  await expect.poll(async () => (await x('publish_report')).y - (await x('fetch_sales')).y).toBeGreaterThan(100);
  await page.screenshot({ path: info.outputPath('03-diamond-top-down.png') });
  await page.getByRole('button', { name: 'LR' }).click();
});

test("a template node's inspector says its settings in words, not the API's names", async ({ page }) => {
  await open(page, `#/template/${encodeURIComponent('billing/invoice_sync@1.0.0')}`);
  await waitForGraph(page);
  await page.locator('[data-step="push_to_ledger"]').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toContainText('push_to_ledger');
  await expect(inspector).toContainText('attempts allowed');
  await expect(inspector).not.toContainText('maxAttempts');
});

test('the start form validates its input inline and starts nothing when it is invalid', async ({ page }, info) => {
  await open(page, `#/template/${encodeURIComponent('billing/invoice_sync@1.0.0')}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Start task' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Start task' }).click();
  await expect(dialog.locator('.error-detail, .text-danger').first()).toContainText(/required/i);
  await expect(page).not.toHaveURL(/#\/task\//);
  await page.screenshot({ path: info.outputPath('04-start-form-invalid.png') });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('a task started from the form runs live until every node is complete', async ({ page }, info) => {
  const taskId = await startFromForm(page, 'demo/diamond@1.0.0', async (p) => {
    await p.locator('#root_region').fill('apac');
  });
  await waitForGraph(page);
  const nodes = page.locator('[data-step]');
  await expect(nodes).toHaveCount(4);
  for (const name of ['fetch_sales', 'compute_totals', 'compute_trends', 'publish_report']) {
    await expect(page.locator(`[data-step="${name}"]`)).toHaveAttribute('data-state', 'complete');
  }
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'complete');
  await expect(page.locator(`[data-task="${taskId}"]`)).toHaveAttribute('data-status', 'complete');
  await page.screenshot({ path: info.outputPath('05-task-complete.png') });

  // Keyboard: Tab reaches a node, Enter opens the inspector with its attempts.
  await page.locator('[data-id="publish_report"]').focus();
  await page.keyboard.press('Enter');
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toContainText('publish_report');
  await expect(inspector.locator('.attempt')).toHaveCount(1);
  await expect(inspector).toContainText('success');
  await page.screenshot({ path: info.outputPath('06-inspector.png') });
});

test('a failing step is shown as error, and what depends on it never runs', async ({ page }, info) => {
  await startFromForm(page, 'billing/invoice_sync@1.0.0', async (p) => {
    await p.locator('#root_account_id').fill('ACME-42');
    await p.locator('#root_ledger_online').uncheck();
  });
  await waitForGraph(page);
  await expect(page.locator('[data-step="fetch_invoices"]')).toHaveAttribute('data-state', 'complete');
  await expect(page.locator('[data-step="push_to_ledger"]')).toHaveAttribute('data-state', 'error');
  await expect(page.locator('[data-step="mark_synced"]')).toHaveAttribute('data-state', 'pending');
  await expect(page.getByTestId('task-status')).toHaveAttribute('data-status', 'error');
  await expect(page.locator('[data-step="push_to_ledger"]')).toContainText('×2/2');
  await page.locator('[data-step="push_to_ledger"]').click();
  await expect(page.getByTestId('inspector')).toContainText('Ledger acme-books is offline');
  await page.screenshot({ path: info.outputPath('07-task-error.png') });
});

test('a flow shows its current state and the interactions it accepts', async ({ page }, info) => {
  await startFromForm(page, 'accounts/user_onboarding@1.0.0', async (p) => {
    await p.locator('#root_user_id').fill('7');
  });
  await waitForGraph(page);
  await expect(page.locator('.canvas-wrap')).toHaveAttribute('data-current-state', 'ask_for_email');
  const wait = page.locator('[data-step="ask_for_email"]');
  await expect(wait).toHaveAttribute('data-state', 'waiting');
  await expect(wait).toHaveAttribute('data-state-name', 'ask_for_email');
  await expect(wait).toContainText('provide_email');
  await expect(page.locator('[data-step="check_email"]')).toHaveAttribute('data-state', 'visited');
  await page.screenshot({ path: info.outputPath('08-flow-waiting.png') });
});

test('new tasks and their progress arrive live, without a reload', async ({ page, browser }, info) => {
  await open(page);
  await expect(page.locator('#tasks-head .count')).not.toHaveText('');
  const before = await page.locator('[data-task]').count();
  // A second tab starts a task; the first one must see it appear and finish.
  const other = await browser.newPage();
  const taskId = await startFromForm(other, 'demo/tree@1.0.0', async () => undefined);
  await other.close();
  await expect(page.locator('[data-task]')).toHaveCount(before + 1);
  await expect(page.locator(`[data-task="${taskId}"]`)).toHaveAttribute('data-status', 'complete');
  await page.screenshot({ path: info.outputPath('09-live-task-list.png') });
});
