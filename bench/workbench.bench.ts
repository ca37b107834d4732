/**
 * Workbench benchmark (`npx tsx bench/workbench.bench.ts [--runs N] [--steps N]`), printed as JSON.
 *
 * A generated 1,000-step workflow (layers of varying width, each step depending on one to three
 * steps of the layer before, seeded so every run draws the same graph) is opened in Chromium:
 * - template view: time from navigation to a drawn graph (ELK layered in the web worker, nodes
 *   positioned and fitted), the worker's layout time, and the longest main-thread task
 *   (PerformanceObserver `longtask`) while it happens;
 * - runtime view: the same for a finished task of that workflow (the graph painted with states).
 * Figures are medians over `--runs` page loads on one `stepwise serve` (renderer built first
 * when out/renderer is missing). Needs /usr/bin/chromium (or STEPWISE_CHROMIUM).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { generatedWorkflowYaml } from '../test/e2e/generatedWorkflow.js';
import { REPO, startServe, tempWorkspace } from '../test/e2e/serveProcess.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('--runs', 3);
const STEPS = arg('--steps', 1000);

interface Measure {
  timeToDrawnMs: number;
  layoutMs: number;
  longestTaskMs: number;
  longTasksOver50: number;
  nodesInGraph: number;
  nodesInDom: number;
  engine: string;
  /** Marks (layout-start, layout-done, graph-drawn) and long tasks, ms since navigation. */
  timeline: string[];
}

async function measure(browser: Browser, url: string): Promise<Measure> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // Page-side code as strings: this file is type-checked without the DOM library.
  await page.addInitScript(`
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ start: Math.round(entry.startTime), ms: Math.round(entry.duration) });
    }).observe({ type: 'longtask', buffered: true });
  `);
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector('.canvas-wrap[data-graph-ready="true"]', { timeout: 120_000 });
  // "Drawn": the fitted graph has been painted (the canvas marks it after fitView).
  await page.waitForFunction(`performance.getEntriesByName('stepwise:graph-drawn').length > 0`, undefined, { timeout: 60_000 });
  const timeToDrawnMs = Date.now() - started;
  await page.waitForTimeout(300);
  const result = (await page.evaluate(`(() => {
    const wrap = document.querySelector('.canvas-wrap');
    const tasks = window.__longTasks;
    return {
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
  })()`)) as Omit<Measure, 'timeToDrawnMs'>;
  await page.close();
  return { timeToDrawnMs, ...result };
}

const cli = (ws: { dir: string; db: string }, args: string[]): string =>
  execFileSync(process.execPath, [path.join(REPO, 'bin/stepwise.mjs'), ...args, '--workspace', ws.dir, '--db', ws.db, '--json'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

/**
 * Runs the workflow to the end and returns its task id. The host's engine works on the same
 * database, so `stepwise run` may stop with the task still running (exit 3, some steps claimed
 * by the host): then wait for the host to finish it.
 */
async function finishedTask(ref: string, ws: { dir: string; db: string }): Promise<string> {
  let out: string;
  try {
    out = cli(ws, ['run', ref, '--executor', 'inline']);
  } catch (err) {
    out = String((err as { stdout?: unknown }).stdout ?? '');
    if (!out.trim().startsWith('{')) throw err;
  }
  const taskId = (JSON.parse(out) as { task: { id: string } }).task.id;
  for (let i = 0; i < 600; i++) {
    const status = (JSON.parse(cli(ws, ['show', taskId])) as { task: { status: string } }).task.status;
    if (status === 'complete') return taskId;
    if (status === 'error' || status === 'cancelled') throw new Error(`the generated task ended ${status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the generated task did not finish within 5 minutes');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function summarize(runs: Measure[]) {
  return {
    timeToDrawnMs: median(runs.map((r) => r.timeToDrawnMs)),
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
  if (!existsSync(path.join(REPO, 'out/renderer/index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: REPO, stdio: 'inherit' });
  const ws = tempWorkspace('stepwise-bench-');
  mkdirSync(path.join(ws.dir, 'templates', 'bench'), { recursive: true });
  writeFileSync(path.join(ws.dir, 'templates', 'bench', 'generated.yaml'), generatedWorkflowYaml(STEPS));
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

    const taskId = await finishedTask(ref, ws);
    const runtime: Measure[] = [];
    for (let i = 0; i < RUNS; i++) runtime.push(await measure(browser, `${host.info.openUrl}#/task/${encodeURIComponent(taskId)}`));

    const report = {
      benchmark: 'workbench',
      steps: STEPS,
      runs: RUNS,
      chromium: browser.version(),
      templateView: summarize(template),
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
