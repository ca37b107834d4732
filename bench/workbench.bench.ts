/**
 * Workbench benchmark (`npx tsx bench/workbench.bench.ts [--runs N] [--steps N] [--big N]`), printed as JSON.
 *
 * Generated workflows (layers of varying width, each step depending on one to three steps of the
 * layer before, seeded so every run draws the same graph) opened in Chromium on one
 * `stepwise serve` started just before (renderer built first when out/renderer is missing):
 * - templateView (1,000 steps): time from navigation to a drawn graph (laid out, nodes
 *   positioned and fitted), the layout time the page saw, and the longest main-thread task
 *   (PerformanceObserver `longtask`); `--runs` page loads, the first one reported apart
 *   (`firstOpenMs`: what a user who opens it right after starting the workbench waits);
 * - bigTemplate (5,000 steps, `--big`): one open, then zooming in, panning and zooming out, with
 *   the longest main-thread task while drawing and while interacting ("usable": drawn ≤ 5 s, no
 *   task over 200 ms);
 * - runtimeView: the 1,000-step workflow as a finished task (the graph painted with states).
 * Needs /usr/bin/chromium (or STEPWISE_CHROMIUM).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { generatedWorkflowYaml } from '../test/e2e/generatedWorkflow.js';
import { REPO, startServe, tempWorkspace } from '../test/e2e/serveProcess.js';
import { staleBuildReason } from '../scripts/staleBuild.mjs';
import { finishedTask } from './lib/finishedTask.js';
import { interactWithCanvas } from './lib/interactWithCanvas.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('--runs', 3);
const STEPS = arg('--steps', 1000);
const BIG = arg('--big', 5000);

interface Measure {
  /** The page's `stepwise:graph-drawn` mark: ms from navigation start to the drawn graph, as the browser timed it. */
  timeToDrawnMs: number;
  /** The same seen from this process (Date.now() around goto + polling over CDP): includes the harness's own latency. */
  observedMs: number;
  layoutMs: number;
  longestTaskMs: number;
  longTasksOver50: number;
  nodesInGraph: number;
  nodesInDom: number;
  engine: string;
  /** Marks (layout-start, layout-done, graph-drawn) and long tasks, ms since navigation. */
  timeline: string[];
}

async function measure(browser: Browser, url: string, interact = false): Promise<Measure & { interactionLongestTaskMs?: number }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // Page-side code as strings: this file is type-checked without the DOM library.
  await page.addInitScript(`
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ start: Math.round(entry.startTime), ms: Math.round(entry.duration) });
    }).observe({ type: 'longtask', buffered: true });
  `);
  // The page's errors, to say why a page never drew (a timeout alone says nothing).
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  const started = Date.now();
  await page.goto(url);
  try {
    await page.waitForSelector('.canvas-wrap[data-graph-ready="true"]', { timeout: 120_000 });
    // "Drawn": the fitted graph has been painted (the canvas marks it after fitView).
    await page.waitForFunction(`performance.getEntriesByName('stepwise:graph-drawn').length > 0`, undefined, { timeout: 60_000 });
  } catch (err) {
    throw new Error(`${url} was not drawn: ${(err as Error).message}; page errors: ${errors.join(' | ') || 'none'}`, { cause: err });
  }
  const observedMs = Date.now() - started;
  await page.waitForTimeout(300);
  const result = (await page.evaluate(`(() => {
    const wrap = document.querySelector('.canvas-wrap');
    const tasks = window.__longTasks;
    return {
      timeToDrawnMs: Math.round(performance.getEntriesByName('stepwise:graph-drawn')[0].startTime),
      layoutMs: Number(wrap.getAttribute('data-layout-ms')),
      longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.ms))),
      longTasksOver50: tasks.length,
      timeline: [
        ...performance.getEntriesByType('mark').filter((m) => m.name.startsWith('stepwise:')).map((m) => m.name.slice(9) + '@' + Math.round(m.startTime)),
        ...tasks.map((t) => 'longtask ' + t.ms + 'ms@' + t.start),
      ],
      nodesInGraph: Number(wrap.getAttribute('data-node-count')),
      nodesInDom: document.querySelectorAll('[data-step]').length,
      engine: wrap.getAttribute('data-layout-engine') ?? '',
    };
  })()`)) as Omit<Measure, 'observedMs'>;
  let interactionLongestTaskMs: number | undefined;
  if (interact) {
    // Zoom in on the middle, pan, zoom out again: the long tasks these cause, apart from drawing's.
    await page.evaluate('window.__longTasks = []');
    await interactWithCanvas(page);
    interactionLongestTaskMs = (await page.evaluate('Math.round(Math.max(0, ...window.__longTasks.map((t) => t.ms)))')) as number;
  }
  await page.close();
  return { observedMs, ...result, ...(interactionLongestTaskMs === undefined ? {} : { interactionLongestTaskMs }) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function summarize(runs: Measure[]) {
  return {
    firstOpenMs: runs[0]!.timeToDrawnMs,
    timeToDrawnMs: median(runs.map((r) => r.timeToDrawnMs)),
    observedMs: median(runs.map((r) => r.observedMs)),
    layoutMs: median(runs.map((r) => r.layoutMs)),
    longestMainThreadTaskMs: median(runs.map((r) => r.longestTaskMs)),
    worstMainThreadTaskMs: Math.max(...runs.map((r) => r.longestTaskMs)),
    layoutEngine: runs[0]!.engine,
    nodes: runs[0]!.nodesInGraph,
    nodesInDom: runs[0]!.nodesInDom,
    runs,
  };
}

async function main(): Promise<void> {
  // The workbench measured is the one in these sources: build when out/ is missing or older.
  const stale = staleBuildReason(REPO);
  if (stale) {
    process.stderr.write(`building the workbench: ${stale}\n`);
    execFileSync('npx', ['electron-vite', 'build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const ws = tempWorkspace('stepwise-bench-');
  mkdirSync(path.join(ws.dir, 'templates', 'bench'), { recursive: true });
  writeFileSync(path.join(ws.dir, 'templates', 'bench', 'generated.yaml'), generatedWorkflowYaml(STEPS));
  if (BIG > 0) writeFileSync(path.join(ws.dir, 'templates', 'bench', 'generated_big.yaml'), generatedWorkflowYaml(BIG).replace(/^name: generated$/m, 'name: generated_big'));
  writeFileSync(path.join(ws.dir, 'handlers', 'bench.ts'), 'export const noop = () => null;\n');
  const host = await startServe({ workspace: ws.dir, db: ws.db });
  const browser = await chromium.launch({
    executablePath: process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const ref = 'bench/generated@1.0.0';
    const template: Measure[] = [];
    for (let i = 0; i < RUNS; i++) template.push(await measure(browser, `${host.info.openUrl}#/template/${encodeURIComponent(ref)}`));

    let bigTemplate: Record<string, unknown> | null = null;
    if (BIG > 0) {
      const big = await measure(browser, `${host.info.openUrl}#/template/${encodeURIComponent('bench/generated_big@1.0.0')}`, true);
      bigTemplate = {
        steps: BIG,
        timeToDrawnMs: big.timeToDrawnMs,
        observedMs: big.observedMs,
        layoutMs: big.layoutMs,
        drawingLongestTaskMs: big.longestTaskMs,
        interactionLongestTaskMs: big.interactionLongestTaskMs ?? null,
        usable: big.timeToDrawnMs <= 5000 && big.longestTaskMs <= 200 && (big.interactionLongestTaskMs ?? 0) <= 200,
        layoutEngine: big.engine,
        timeline: big.timeline,
      };
    }

    const taskId = await finishedTask(ref, ws);
    const runtime: Measure[] = [];
    for (let i = 0; i < RUNS; i++) runtime.push(await measure(browser, `${host.info.openUrl}#/task/${encodeURIComponent(taskId)}`));

    const report = {
      benchmark: 'workbench',
      steps: STEPS,
      runs: RUNS,
      chromium: browser.version(),
      templateView: summarize(template),
      bigTemplate,
      runtimeView: summarize(runtime),
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } finally {
    await browser.close();
    await host.stop();
    ws.cleanup();
  }
}

await main();
