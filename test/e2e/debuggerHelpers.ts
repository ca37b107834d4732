/**
 * Helpers of the debugger e2e tests: one `stepwise serve` per spec file on its own copy of the
 * example workspace (the tests change its files), a node-side tRPC client for what the page does
 * not show (workspace reloads), and starting tasks from the page's form.
 */
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client';
import { expect, type Locator, type Page } from '@playwright/test';
import WebSocket from 'ws';
import type { AppRouter } from '../../core/host/router.js';
import { startServe, tempWorkspace, type ServeHandle } from './serveProcess.js';

export interface DebugHost {
  serve: ServeHandle;
  dir: string;
  db: string;
  api: TRPCClient<AppRouter>;
  stop(): Promise<void>;
}

export async function startDebugHost(prefix: string): Promise<DebugHost> {
  const ws = tempWorkspace(prefix);
  const serve = await startServe({ workspace: ws.dir, db: ws.db });
  const wsClient = createWSClient({ url: `ws://127.0.0.1:${serve.info.port}/trpc?token=${serve.info.token}`, WebSocket: WebSocket as never });
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  return {
    serve,
    dir: ws.dir,
    db: ws.db,
    api,
    stop: async () => {
      wsClient.close();
      await serve.stop();
      ws.cleanup();
    },
  };
}

export async function openPage(page: Page, host: DebugHost, hash = ''): Promise<void> {
  await page.goto(`${host.serve.info.url}/?token=${encodeURIComponent(host.serve.info.token)}${hash}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'open');
}

export async function waitForGraph(page: Page): Promise<void> {
  await expect(page.locator('.canvas-wrap[data-graph-ready="true"]')).toBeVisible({ timeout: 30_000 });
}

/**
 * Waits until the canvas's viewport has settled for the canvas's current size: GraphCanvas sets
 * `data-fit="W×H"` when its fit or refit for that size has finished (an animated refit is not
 * caught half-way, however slow the machine).
 */
export async function waitForFit(canvas: Locator): Promise<void> {
  await expect
    .poll(() => canvas.evaluate((el) => (el as HTMLElement).dataset.fit === `${el.clientWidth}x${el.clientHeight}`), { timeout: 30_000 })
    .toBe(true);
}

/** Opens the template, fills the Start task form and starts it; returns the task id. */
export async function startFromForm(page: Page, host: DebugHost, ref: string, fill: (page: Page) => Promise<void>, options: { paused?: boolean } = {}): Promise<string> {
  await openPage(page, host, `#/template/${encodeURIComponent(ref)}`);
  await waitForGraph(page);
  await page.getByRole('button', { name: 'Start task' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await fill(page);
  if (options.paused) await dialog.getByLabel('Start paused').check();
  await dialog.getByRole('button', { name: 'Start task' }).click();
  await expect(page).toHaveURL(/#\/task\//);
  await waitForGraph(page);
  return decodeURIComponent(page.url().split('#/task/')[1]!);
}

export const node = (page: Page, name: string) => page.locator(`[data-step="${name}"]`);
