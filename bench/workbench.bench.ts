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
import { REPO, startServe, tempWorkspace } from '../test/e2e/serveProcess.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('--runs', 3);
const STEPS = arg('--steps', 1000);

/** Deterministic PRNG (mulberry32), so the generated graph is the same every run. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedWorkflowYaml(steps: number): string {
  const random = rng(42);
  const lines = ['name: generated', 'namespace: bench', 'version: 1.0.0', `description: ${steps} generated no-op steps.`, 'steps:'];
  let previous: string[] = [];
  let made = 0;
  while (made < steps) {
    const width = Math.min(steps - made, 1 + Math.floor(random() * 12));
    const layer: string[] = [];
    for (let i = 0; i < width; i++) {
      const name = `s${String(made).padStart(4, '0')}`;
      const deps = new Set<string>();
      const count = previous.length === 0 ? 0 : 1 + Math.floor(random() * Math.min(3, previous.length));
      while (deps.size < count) deps.add(previous[Math.floor(random() * previous.length)]!);
      lines.push(`  - { name: ${name}, handler: noop${deps.size ? `, depends_on: [${[...deps].join(', ')}]` : ''} }`);
      layer.push(name);
      made += 1;
    }
    previous = layer;
  }
  return lines.join('\n') + '\n';
}

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

    const out = execFileSync(
      process.execPath,
      [path.join(REPO, 'bin/stepwise.mjs'), 'run', ref, '--workspace', ws.dir, '--db', ws.db, '--json', '--executor', 'inline'],
      { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const taskId = (JSON.parse(out) as { task: { id: string } }).task.id;
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
