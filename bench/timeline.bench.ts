/**
 * Timeline benchmark (`npx tsx bench/timeline.bench.ts [--transitions N]`), printed as JSON.
 *
 * A task of the example diamond gets N transitions (default 50,000: one step cycling through
 * ready → running → waiting_for_retry with attempt numbers, written straight into the task's
 * SQLite database), then the workbench opens it in Chromium with the Timeline tab:
 * - load: navigation to the whole history listed (every page of 5,000 read by the page);
 * - scroll: the transition list scrolled from top to bottom in 120 steps, one per frame, with
 *   frame times (median, p95, max) and main-thread long tasks while it scrolls;
 * - scrub: the scrubber moved to the middle, time until the canvas shows that past state;
 * - DOM rows mounted in the list (the windowing at work).
 * Needs /usr/bin/chromium (or STEPWISE_CHROMIUM) and a built renderer (built when missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import type { AppRouter } from '../core/host/router.js';
import type { NewTransition } from '../core/model/runtime.js';
import { SqliteStorage } from '../core/storage/sqlite.js';
import { REPO, startServe, tempWorkspace } from '../test/e2e/serveProcess.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('--transitions', 50_000);

function cycle(taskId: string, i: number, at: number): NewTransition {
  const phase = i % 3;
  const attempt = Math.floor(i / 3) + 1;
  const [from, to, reason] = phase === 0 ? ['waiting_for_retry', 'ready', 'retry due'] : phase === 1 ? ['ready', 'running', `attempt ${attempt} claimed`] : ['running', 'waiting_for_retry', 'handler failed: flaky upstream'];
  return { taskId, stepName: 'compute_trends', field: 'state', from, to, reason, actor: 'engine', at, details: phase === 1 ? { attempt } : {} };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
};
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  if (!existsSync(path.join(REPO, 'out/renderer/index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: REPO, stdio: 'inherit' });
  const ws = tempWorkspace('stepwise-bench-timeline-');
  const host = await startServe({ workspace: ws.dir, db: ws.db });
  const browser = await chromium.launch({
    executablePath: process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    // A paused task (the engine leaves it alone), then its long history written directly.
    const wsClient = createWSClient({ url: `ws://127.0.0.1:${host.info.port}/trpc?token=${host.info.token}`, WebSocket: WebSocket as never });
    const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const taskId = (await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true })).id;
    wsClient.close();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const storage = new SqliteStorage({ file: ws.db });
    const t0 = Date.now() - N * 10;
    for (let i = 0; i < N; i += 5000) {
      const batch: NewTransition[] = [];
      for (let j = i; j < Math.min(N, i + 5000); j++) batch.push(cycle(taskId, j, t0 + j * 10));
      await storage.commit({ transitions: batch });
    }
    await storage.close();

    const loadStart = Date.now();
    await page.goto(`${host.info.openUrl}#/task/${encodeURIComponent(taskId)}`);
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.waitForFunction(`Number(document.querySelector('[data-testid="transition-list"]')?.getAttribute('data-count') ?? 0) >= ${N}`, undefined, { timeout: 120_000 });
    const loadMs = Date.now() - loadStart;

    // A string, so this Node-typed file needs no DOM types.
    const scroll = (await page.evaluate(`(async () => {
      const list = document.querySelector('[data-testid="transition-list"]');
      const long = [];
      const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
      obs.observe({ type: 'longtask' });
      const frames = [];
      const steps = 120;
      let last = performance.now();
      for (let i = 1; i <= steps; i++) {
        list.scrollTop = (list.scrollHeight - list.clientHeight) * (i / steps);
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      obs.disconnect();
      return { frames, long, rows: list.querySelectorAll('.vrow').length };
    })()`)) as { frames: number[]; long: number[]; rows: number };

    const scrubStart = Date.now();
    const scrubber = page.getByTestId('scrubber');
    await scrubber.focus();
    await page.keyboard.press('Home');
    await page.waitForSelector('[data-testid="history-banner"]');
    await page.waitForFunction(`document.querySelector('[data-step="compute_trends"]')?.getAttribute('data-state') === 'pending'`);
    const scrubMs = Date.now() - scrubStart;

    const report = {
      benchmark: 'timeline',
      transitions: N,
      chromium: browser.version(),
      loadAllMs: loadMs,
      scroll: {
        frames: scroll.frames.length,
        frameMedianMs: round(pct(scroll.frames, 50)),
        frameP95Ms: round(pct(scroll.frames, 95)),
        frameMaxMs: round(Math.max(...scroll.frames)),
        longTasks: scroll.long.length,
        longestTaskMs: round(Math.max(0, ...scroll.long)),
      },
      rowsInDom: scroll.rows,
      scrubToStartMs: scrubMs,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } finally {
    await browser.close();
    await host.stop();
    ws.cleanup();
  }
}

await main();
