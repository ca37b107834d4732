/**
 * The page survives a host restart: it shows that it lost the host, reconnects by itself when
 * the host is back on the same port (the desktop app restarts a crashed host that way), picks
 * up what happened while it was away, and keeps updating live.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO, startServe, tempWorkspace, type ServeHandle } from './serveProcess.js';

const TOKEN = 'e2e-restart-token-0123456789';

test('the page reconnects after the host restarts and resumes live updates', async ({ page }, info) => {
  const ws = tempWorkspace('stepwise-restart-');
  let host: ServeHandle = await startServe({ workspace: ws.dir, db: ws.db, token: TOKEN });
  const port = host.info.port;
  try {
    await page.goto(host.info.openUrl + '#/template/' + encodeURIComponent('demo/diamond@1.0.0'));
    const connection = page.getByTestId('connection');
    await expect(connection).toHaveAttribute('data-status', 'open');
    await expect(page.locator('[data-step]')).toHaveCount(4);

    await host.stop('SIGKILL');
    await expect(connection).toHaveAttribute('data-status', 'reconnecting');
    await page.screenshot({ path: info.outputPath('10-host-down.png') });

    // While the host is down, a task runs to completion from the command line on the same database.
    const out = execFileSync(
      process.execPath,
      [path.join(REPO, 'bin/stepwise.mjs'), 'run', 'demo/diamond', '--workspace', ws.dir, '--db', ws.db, '--json', '--input', '{"region":"latam"}'],
      { cwd: REPO, encoding: 'utf8' },
    );
    const offline = (JSON.parse(out) as { task: { id: string; status: string } }).task;
    expect(offline.status).toBe('complete');

    host = await startServe({ workspace: ws.dir, db: ws.db, token: TOKEN, port });
    await expect(connection).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
    await expect(page.locator(`[data-task="${offline.id}"]`)).toHaveAttribute('data-status', 'complete');

    // And the reconnected page follows a new task live.
    await page.getByRole('button', { name: 'Start task' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start task' }).click();
    await expect(page).toHaveURL(/#\/task\//);
    for (const name of ['fetch_sales', 'compute_totals', 'compute_trends', 'publish_report']) {
      await expect(page.locator(`[data-step="${name}"]`)).toHaveAttribute('data-state', 'complete');
    }
    await page.screenshot({ path: info.outputPath('11-after-restart.png') });
  } finally {
    await host.stop();
    ws.cleanup();
  }
});
