/**
 * Template editing and export in the browser (issue 7), on a `stepwise serve` of its own over a
 * copy of the example workspace: add a step, connect it by dragging between handles, see
 * validation on the nodes, undo/redo, save, reload and find it in the file; TypeScript
 * templates read-only; DOT export identical to `stepwise graph` and valid for GraphViz, SVG and
 * PNG downloads, the export shortcut.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Download } from '@playwright/test';
import { instance } from '@viz-js/viz';
import { parse } from 'yaml';
import { REPO } from './serveProcess.js';
import { node, openPage, startDebugHost, waitForGraph, type DebugHost } from './debuggerHelpers.js';

let host: DebugHost;

test.beforeAll(async () => {
  host = await startDebugHost('stepwise-e2e-editor-');
});
test.afterAll(async () => {
  await host?.stop();
});

const DIAMOND = 'demo/diamond@1.0.0';

async function text(download: Download): Promise<string> {
  return readFileSync((await download.path())!, 'utf8');
}

test('add a step, connect it by dragging, undo/redo, save, reload and find it in the file', async ({ page }, info) => {
  const file = path.join(host.dir, 'templates/demo/diamond.yaml');
  await openPage(page, host, `#/template/${encodeURIComponent(DIAMOND)}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const editor = page.getByRole('main', { name: 'Template editor' });
  await expect(editor.locator('.canvas-wrap[data-graph-ready="true"]')).toBeVisible();
  await expect(editor.locator('[data-step]')).toHaveCount(4);

  // Add a step after publish_report (selected), with an unknown handler: validation flags it on the node.
  await node(page, 'publish_report').click();
  await page.getByRole('button', { name: '+ Add step' }).click();
  const dialog = page.getByTestId('add-node-dialog');
  await dialog.getByLabel('Name').fill('archive_report');
  await dialog.getByLabel('Handler').fill('archive_everything');
  await expect(dialog.getByLabel('publish_report')).toBeChecked();
  await dialog.getByRole('button', { name: 'Add step' }).click();
  await expect(node(page, 'archive_report')).toBeVisible();
  await expect(node(page, 'archive_report')).toHaveAttribute('data-problems', '1');
  await expect(page.getByTestId('editor-problems-count')).toHaveText('1 error');
  await expect(page.getByTestId('editor-problems')).toContainText('UNKNOWN_HANDLER');
  await page.screenshot({ path: info.outputPath('e01-editor-added-step-problem.png') });

  // Fix it in the side form.
  await node(page, 'archive_report').click();
  const handler = page.getByTestId('pf-handler');
  await handler.fill('publish_report');
  await handler.press('Enter');
  await expect(page.getByTestId('editor-problems-count')).toHaveText('valid');
  await expect(node(page, 'archive_report')).toHaveAttribute('data-problems', '0');

  // Drag from fetch_sales's outgoing handle onto archive_report: a new dependency.
  await expect(editor.locator('.canvas-wrap[data-graph-ready="true"]')).toBeVisible();
  const from = page.locator('[data-id="fetch_sales"] .react-flow__handle.source');
  const to = page.locator('[data-id="archive_report"] .react-flow__handle.target');
  await from.hover();
  await page.mouse.down();
  const box = (await to.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.getByRole('tab', { name: 'YAML' }).click();
  await expect(page.getByTestId('editor-yaml')).toContainText('depends_on: [publish_report, fetch_sales]');
  await page.screenshot({ path: info.outputPath('e02-editor-connected.png') });

  // Undo the connection, redo it.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('editor-yaml')).not.toContainText('depends_on: [publish_report, fetch_sales]');
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(page.getByTestId('editor-yaml')).toContainText('depends_on: [publish_report, fetch_sales]');

  // Save: the file keeps its comment and gains the step.
  const before = (await host.api.workspace.query()).lastChange?.seq ?? 0;
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('announcer')).toContainText('Saved templates/demo/diamond.yaml');
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  const saved = readFileSync(file, 'utf8');
  expect(saved).toContain('# The diamond: one step fans out');
  const doc = parse(saved) as { steps: Array<{ name: string; handler: string; depends_on?: string[] }> };
  expect(doc.steps.map((s) => s.name)).toEqual(['fetch_sales', 'compute_totals', 'compute_trends', 'publish_report', 'archive_report']);
  expect(doc.steps[4]).toEqual({ name: 'archive_report', handler: 'publish_report', depends_on: ['publish_report', 'fetch_sales'] });
  await expect.poll(async () => (await host.api.workspace.query()).lastChange?.seq ?? 0, { timeout: 20_000 }).toBeGreaterThan(before);

  // Reload: the editor is still open, on the saved file.
  await page.reload();
  await expect(page.getByRole('main', { name: 'Template editor' }).locator('[data-step]')).toHaveCount(5);
  await expect(node(page, 'archive_report')).toBeVisible();
  await page.screenshot({ path: info.outputPath('e03-editor-after-reload.png') });
  await page.getByRole('button', { name: 'Close editor' }).click();
  await waitForGraph(page);
  await expect(page.locator('[data-step]')).toHaveCount(5);
});

test('a TypeScript template opens read-only with its file path', async ({ page }, info) => {
  await openPage(page, host, `#/template/${encodeURIComponent('documents/document_approval@1.0.0')}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'View source' }).click();
  await expect(page.getByTestId('read-only')).toContainText('flows/document_approval.ts');
  const editor = page.getByRole('main', { name: 'Template editor' });
  await expect(editor.locator('.canvas-wrap[data-graph-ready="true"]')).toBeVisible();
  await expect(editor.locator('[data-step]').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('e04-editor-read-only.png') });
  await page.getByRole('button', { name: 'Close editor' }).click();
});

test("a flow state's side form edits its branches and wait conditions", async ({ page }, info) => {
  await openPage(page, host, `#/template/${encodeURIComponent('accounts/user_onboarding@1.0.0')}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const editor = page.getByRole('main', { name: 'Template editor' });
  await expect(editor.locator('.canvas-wrap[data-graph-ready="true"]')).toBeVisible();
  await page.getByRole('tab', { name: 'YAML' }).click();
  const yaml = page.getByTestId('editor-yaml');
  const form = page.getByTestId('prop-form');

  await node(page, 'ask_for_email').click();
  const wait = form.getByTestId('pf-wait-conditions');
  await expect(wait.getByLabel('Condition 1', { exact: true })).toHaveValue('has_email');
  await wait.getByLabel('then go to').selectOption('done');
  await expect(yaml).toContainText(/conditions:\W*condition: has_email,? go_to: done/);
  await expect(page.getByTestId('editor-problems-count')).toHaveText('valid');

  // A decision's branch: sending "no email" straight to expired leaves ask_for_email unreachable.
  // The edit above re-lays the graph out: a click made while the nodes move can land on the pane
  // (which clears the selection), so click again until check_email's form is open.
  await expect(async () => {
    await node(page, 'check_email').click();
    await expect(form.getByTestId('pf-condition')).toHaveValue('has_email', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(form.getByLabel('If true')).toHaveValue('send_welcome');
  await form.getByLabel('If false').selectOption('expired');
  await expect(yaml).toContainText('if_false: expired');
  await expect(page.getByTestId('editor-problems-count')).toHaveText('1 error');
  await expect(node(page, 'ask_for_email')).toHaveAttribute('data-problems', '1');
  // The toolbar keeps the title whole with the form open.
  const title = page.getByRole('toolbar', { name: 'Editor' }).locator('h1');
  expect(await title.evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
  await page.screenshot({ path: info.outputPath('e04b-editor-flow-state-form.png') });

  // Nothing saved: undo both edits, the file is as it was.
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(yaml).toContainText('if_false: ask_for_email');
  await expect(yaml).toContainText('ask_for_email: { type: wait, conditions: [ { condition: has_email, go_to: send_welcome } ] }');
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await page.getByRole('button', { name: 'Close editor' }).click();
  expect(readFileSync(path.join(host.dir, 'templates/accounts/user_onboarding.yaml'), 'utf8')).toContain('if_false: ask_for_email');
});

test('export: DOT identical to `stepwise graph` and valid for GraphViz; SVG, PNG and Mermaid download', async ({ page }, info) => {
  await openPage(page, host, `#/template/${encodeURIComponent('billing/invoice_sync@1.0.0')}`);
  await waitForGraph(page);
  // The keyboard shortcut opens the menu.
  await page.locator('body').press('Control+Shift+E');
  const menu = page.getByRole('menu', { name: 'Export as' });
  await expect(menu).toBeVisible();
  await page.screenshot({ path: info.outputPath('e05-export-menu.png') });
  const [dotDownload] = await Promise.all([page.waitForEvent('download'), menu.getByRole('menuitem', { name: /DOT/ }).click()]);
  const dot = await text(dotDownload);
  const cli = execFileSync(process.execPath, [path.join(REPO, 'bin/stepwise.mjs'), 'graph', 'billing/invoice_sync', '--workspace', host.dir, '--direction', 'LR', '--format', 'dot'], { encoding: 'utf8' });
  expect(dot).toBe(cli);
  const viz = await instance();
  const rendered = viz.render(dot, { format: 'svg' });
  expect(rendered.status).toBe('success');
  expect(rendered.errors.filter((e) => e.level === 'error')).toEqual([]);
  expect(rendered.output).toContain('push_to_ledger');

  // Drawn top-down, the export is what the CLI prints with its own default (TB), byte for byte.
  await page.getByRole('group', { name: 'Layout direction' }).getByRole('button', { name: 'TB' }).click();
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Export' }).click();
  await expect(page.getByRole('menu', { name: 'Export as' })).toContainText('--direction TB');
  const [tbDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /DOT/ }).click()]);
  const cliDefault = execFileSync(process.execPath, [path.join(REPO, 'bin/stepwise.mjs'), 'graph', 'billing/invoice_sync', '--workspace', host.dir, '--format', 'dot'], { encoding: 'utf8' });
  expect(await text(tbDownload)).toBe(cliDefault);
  expect(cliDefault).toContain('rankdir="TB"');
  await page.getByRole('group', { name: 'Layout direction' }).getByRole('button', { name: 'LR' }).click();

  await page.getByRole('button', { name: 'Export' }).click();
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /SVG/ }).click()]);
  expect(await text(svgDownload)).toContain('<svg');
  await page.getByRole('button', { name: 'Export' }).click();
  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /PNG/ }).click()]);
  const png = readFileSync((await pngDownload.path())!);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(pngDownload.suggestedFilename()).toMatch(/\.png$/);
  await page.getByRole('button', { name: 'Export' }).click();
  const [mmd] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /Mermaid/ }).click()]);
  expect(await text(mmd)).toMatch(/^flowchart LR$/m);
});

test('a task exports with its runtime colours', async ({ page }) => {
  const task = await host.api.debug.start.mutate({ ref: DIAMOND, input: {}, debug: true });
  await openPage(page, host, `#/task/${encodeURIComponent(task.id)}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Export' }).click();
  const [dotDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /DOT/ }).click()]);
  const dot = await text(dotDownload);
  const cli = execFileSync(process.execPath, [path.join(REPO, 'bin/stepwise.mjs'), 'graph', '--task', task.id, '--workspace', host.dir, '--db', host.db, '--direction', 'LR'], { encoding: 'utf8' });
  expect(dot).toBe(cli);
  expect(dot).toContain('ready');
});

test('a waiting flow task exports the same DOT as `stepwise graph --task`', async ({ page }) => {
  const task = await host.api.debug.start.mutate({ ref: 'accounts/user_onboarding@1.0.0', input: { user_id: 5 } });
  await expect.poll(async () => (await host.api.task.query({ id: task.id })).task.status, { timeout: 20_000 }).toBe('waiting');
  await openPage(page, host, `#/task/${encodeURIComponent(task.id)}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Export' }).click();
  const [dotDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /DOT/ }).click()]);
  const cli = execFileSync(process.execPath, [path.join(REPO, 'bin/stepwise.mjs'), 'graph', '--task', task.id, '--workspace', host.dir, '--db', host.db, '--direction', 'LR', '--format', 'dot'], { encoding: 'utf8' });
  expect(await text(dotDownload)).toBe(cli);
  expect(cli).toContain('ask_for_email');
});
