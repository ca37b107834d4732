/**
 * The canvas views at the suite's 1400×860 with the inspector open: the graph is fitted again
 * (or, too big to read fitted, the selected node is brought into view) when the inspector
 * narrows the canvas, and the view toolbar wraps its actions instead of cutting the title or
 * clipping the LR/TB toggle; the template editor's canvas refits the same way.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { generatedWorkflowYaml } from './generatedWorkflow.js';
import { waitForFit } from './debuggerHelpers.js';
import { startServe, tempWorkspace, type ServeHandle } from './serveProcess.js';

let host: ServeHandle;
let cleanup: () => void = () => undefined;

test.beforeAll(async () => {
  const ws = tempWorkspace('stepwise-e2e-layout-');
  mkdirSync(path.join(ws.dir, 'templates', 'bench'), { recursive: true });
  writeFileSync(path.join(ws.dir, 'templates', 'bench', 'generated.yaml'), generatedWorkflowYaml(250));
  writeFileSync(path.join(ws.dir, 'handlers', 'bench.ts'), 'export const noop = () => null;\n');
  host = await startServe({ workspace: ws.dir, db: ws.db });
  cleanup = ws.cleanup;
});
test.afterAll(async () => {
  await host?.stop();
  cleanup();
});

async function openTemplate(page: Page, ref: string): Promise<Locator> {
  await page.goto(`${host.info.openUrl}#/template/${encodeURIComponent(ref)}`);
  const canvas = page.locator('.canvas-wrap');
  await expect(canvas).toHaveAttribute('data-graph-ready', 'true', { timeout: 60_000 });
  return canvas;
}

type Box = { x: number; y: number; width: number; height: number };
const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x - 1 && inner.y >= outer.y - 1 && inner.x + inner.width <= outer.x + outer.width + 1 && inner.y + inner.height <= outer.y + outer.height + 1;

/** Every node element's box lies inside the canvas (polled: the refit animates). */
async function expectAllInside(canvas: Locator, nodes: Locator): Promise<void> {
  await expect
    .poll(async () => {
      const outer = (await canvas.boundingBox())!;
      const boxes = await nodes.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })));
      return boxes.length > 0 && boxes.every((b) => inside(b, outer));
    })
    .toBe(true);
}

async function expectToolbarFits(page: Page): Promise<void> {
  const toolbar = page.getByRole('toolbar', { name: 'View' });
  const bar = (await toolbar.boundingBox())!;
  const title = toolbar.locator('h1');
  // The title is shown whole (not cut to "bench/gen…").
  expect(await title.evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
  for (const name of ['LR', 'TB', 'Export']) {
    const button = toolbar.getByRole('button', { name, exact: name !== 'Export' });
    await expect(button).toBeVisible();
    expect(inside((await button.boundingBox())!, bar)).toBe(true);
    expect(await button.evaluate((b) => b.scrollWidth <= b.clientWidth)).toBe(true);
  }
}

test('opening the inspector refits the graph and the toolbar wraps instead of clipping', async ({ page }, info) => {
  const canvas = await openTemplate(page, 'ecommerce/order_fulfillment@1.0.0');
  const nodes = page.locator('.react-flow__node');
  await expectAllInside(canvas, nodes);
  const wide = (await canvas.boundingBox())!.width;
  // The rightmost node: the one the inspector would cover without a refit.
  const rightmost = await nodes.evaluateAll((els) => {
    const xs = els.map((e) => ({ id: e.getAttribute('data-id'), right: e.getBoundingClientRect().right }));
    return xs.sort((a, b) => b.right - a.right)[0]!.id!;
  });
  await page.locator(`.react-flow__node[data-id="${rightmost}"]`).click();
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(wide - 200);
  await waitForFit(canvas);
  await expectAllInside(canvas, nodes);
  await expectToolbarFits(page);
  await page.screenshot({ path: info.outputPath('l01-inspector-refit.png') });
});

test('a graph too big to read fitted keeps the selected node in view, and the long title whole', async ({ page }, info) => {
  const canvas = await openTemplate(page, 'bench/generated@1.0.0');
  await page.getByRole('button', { name: 'Fit View' }).click();
  // Zoom in on the left end, then pick a node there: the inspector must not hide it.
  for (let i = 0; i < 6; i++) await page.getByRole('button', { name: /zoom in/i }).click();
  await expect.poll(() => page.locator('.react-flow__node').count()).toBeGreaterThan(0);
  const outer = (await canvas.boundingBox())!;
  const candidates = await page.locator('.react-flow__node').evaluateAll((els, box) => {
    return els
      .map((e) => ({ id: e.getAttribute('data-id')!, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.left >= box.x && r.right <= box.x + box.width && r.top >= box.y && r.bottom <= box.y + box.height)
      .sort((a, b) => b.r.right - a.r.right)
      .map((c) => c.id);
  }, outer);
  expect(candidates.length).toBeGreaterThan(0);
  const id = candidates[0]!;
  await page.locator(`.react-flow__node[data-id="${id}"]`).click();
  await expect(page.getByTestId('inspector')).toContainText(id);
  // The canvas narrowed: wait for its refit to finish (under load the 150 ms move was caught
  // half-way, zoom 0.26 on its way to 0.4), not for the node to pass through the canvas.
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(outer.width - 200);
  await waitForFit(canvas);
  await expectToolbarFits(page);
  await expect(page.getByRole('toolbar', { name: 'View' }).locator('h1')).toHaveText('bench/generated');
  await expect
    .poll(async () => {
      const box = await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox();
      return box !== null && inside(box, (await canvas.boundingBox())!);
    })
    .toBe(true);
  // Still readable: not zoomed out to the whole graph (node drawn at 40% of its size or more).
  const scale = await page.locator(`.react-flow__node[data-id="${id}"]`).evaluate((e) => e.getBoundingClientRect().width / (e as HTMLElement).offsetWidth);
  expect(scale).toBeGreaterThanOrEqual(0.39);
  await page.screenshot({ path: info.outputPath('l02-big-graph-selected-in-view.png') });
});

test('the template editor refits its canvas when the side form opens or the canvas narrows', async ({ page }, info) => {
  await openTemplate(page, 'ecommerce/order_fulfillment@1.0.0');
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const editor = page.getByRole('main', { name: 'Template editor' });
  const canvas = editor.locator('.canvas-wrap');
  await expect(canvas).toHaveAttribute('data-graph-ready', 'true');
  const nodes = canvas.locator('.react-flow__node');
  await expectAllInside(canvas, nodes);
  // The rightmost node opens the side form; every node stays in view.
  const rightmost = await nodes.evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-id')!, right: e.getBoundingClientRect().right })).sort((a, b) => b.right - a.right)[0]!.id);
  await canvas.locator(`.react-flow__node[data-id="${rightmost}"]`).click();
  await expect(page.getByRole('complementary', { name: 'Properties' }).getByRole('heading', { name: rightmost })).toBeVisible();
  await expectAllInside(canvas, nodes);
  // Narrower (what a wider side panel does), as in the view: too narrow to read the whole
  // graph fitted, the selected node is kept in view at a readable zoom...
  const wide = (await canvas.boundingBox())!.width;
  await page.setViewportSize({ width: 900, height: 860 });
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(wide - 200);
  await waitForFit(canvas);
  const selectedNode = canvas.locator(`.react-flow__node[data-id="${rightmost}"]`);
  await expectAllInside(canvas, selectedNode);
  await page.screenshot({ path: info.outputPath('l03-editor-narrow-selected.png') });
  // ...and with nothing selected, the next resize fits the whole graph again.
  await canvas.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
  await expect(page.getByRole('complementary', { name: 'Properties' }).getByRole('heading', { name: 'Properties' })).toBeVisible();
  await page.setViewportSize({ width: 1250, height: 860 });
  await expectAllInside(canvas, nodes);
  await page.screenshot({ path: info.outputPath('l04-editor-refit.png') });
});
