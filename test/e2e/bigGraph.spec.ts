/**
 * A 1,000-step workflow opens without mounting 1,000 React Flow nodes: zoomed out it is one
 * overview picture (a rectangle per step, still with data-step and clickable), zoomed in only
 * the visible nodes are mounted. Its ELK layout comes from the host, which keeps it: opening it
 * again is a cache hit. Mounting every node was a main-thread task of 0.4 s or more
 * (issue 6 allows none over 200 ms); bench/workbench.bench.ts measures the time itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { generatedWorkflowYaml } from './generatedWorkflow.js';
import { startServe, tempWorkspace } from './serveProcess.js';

test('a 1,000-step graph is drawn as an overview, and zooming in mounts only visible nodes', async ({ page }, info) => {
  test.setTimeout(180_000);
  const ws = tempWorkspace('stepwise-big-');
  mkdirSync(path.join(ws.dir, 'templates', 'bench'), { recursive: true });
  writeFileSync(path.join(ws.dir, 'templates', 'bench', 'generated.yaml'), generatedWorkflowYaml(1000));
  writeFileSync(path.join(ws.dir, 'handlers', 'bench.ts'), 'export const noop = () => null;\n');
  const host = await startServe({ workspace: ws.dir, db: ws.db });
  try {
    await page.goto(`${host.info.openUrl}#/template/${encodeURIComponent('bench/generated@1.0.0')}`);
    const canvas = page.locator('.canvas-wrap');
    await expect(canvas).toHaveAttribute('data-graph-ready', 'true', { timeout: 120_000 });
    await expect(canvas).toHaveAttribute('data-overview', 'true');
    await expect(canvas).toHaveAttribute('data-node-count', '1000');
    await expect(page.locator('[data-step]')).toHaveCount(1000);
    await expect(page.locator('.react-flow__node')).toHaveCount(0);
    // Drawn at once with a quick layout if the host had none yet; ELK's layout replaces it.
    await expect(canvas).toHaveAttribute('data-layout-engine', 'elk', { timeout: 120_000 });
    await page.screenshot({ path: info.outputPath('20-big-graph-overview.png') });

    // The host keeps the layout: opening the graph again (another page, a reload) is a cache hit.
    await page.reload();
    await expect(canvas).toHaveAttribute('data-graph-ready', 'true', { timeout: 120_000 });
    await expect(canvas).toHaveAttribute('data-layout-engine', 'elk', { timeout: 60_000 });
    await expect(page.locator('.canvas-status')).toContainText('ELK layered (cached)');

    // A step of the overview opens the inspector like a node does.
    await page.locator('[data-step="s0000"]').click({ force: true });
    await expect(page.getByTestId('inspector')).toContainText('s0000');
    await page.screenshot({ path: info.outputPath('21-big-graph-inspector.png') });

    // Zoomed in, real nodes come back, but only those in view.
    const zoomIn = page.getByRole('button', { name: /zoom in/i });
    // Each click zooms by 1.2 with a short animation; clicks made during one compound less.
    for (let i = 0; i < 40 && (await canvas.getAttribute('data-overview')) === 'true'; i++) {
      await zoomIn.click();
      await page.waitForTimeout(250);
    }
    await expect(canvas).toHaveAttribute('data-overview', 'false');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBeGreaterThan(0);
    expect(await page.locator('.react-flow__node').count()).toBeLessThan(1000);
    await page.screenshot({ path: info.outputPath('22-big-graph-zoomed-in.png') });
  } finally {
    await host.stop();
    ws.cleanup();
  }
});
