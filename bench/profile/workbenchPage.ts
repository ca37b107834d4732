/**
 * Where a big template page's time goes before and after its layout:
 * `node --import tsx bench/profile/workbenchPage.ts [--steps N] [--route template|task]`.
 * Opens the generated workflow (the workbench bench's) in Chromium under the V8 CPU profiler
 * (CDP) and prints: the page's marks and resource timings (ms since navigation), the long tasks,
 * and the busiest functions (self time, ms) with their script. Needs /usr/bin/chromium.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { generatedWorkflowYaml } from '../../test/e2e/generatedWorkflow.js';
import { startServe, tempWorkspace } from '../../test/e2e/serveProcess.js';
import { finishedTask } from '../lib/finishedTask.js';
import { interactWithCanvas } from '../lib/interactWithCanvas.js';
import { breakdown, formatBreakdown, mainThreadOf, type Phase, type TraceEvent as TimelineEvent } from './mainThread.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const STEPS = Number(arg('--steps', '1000'));
/** `task`: the generated workflow as a finished task (its runtime graph painted with states). */
const ROUTE = arg('--route', 'template');
/** Profile the bench's zoom-in, pan, zoom-out on the drawn graph instead of the page load. */
const INTERACT = process.argv.includes('--interact');

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tid: number; args?: { data?: { stackTrace?: { functionName: string }[] } } }

/** The longest main-thread task of the trace and the renderer events inside it, by total duration. */
function traceSummary(buffer: Buffer): void {
  const events = (JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && (e.dur ?? 0) > 200_000).sort((a, b) => b.dur! - a.dur!);
  console.log(`trace: ${tasks.length} tasks over 200 ms: ${tasks.map((t) => Math.round(t.dur! / 1000) + 'ms').join(' ')}`);
  const longest = tasks[0];
  if (!longest) return;
  const inside = events.filter((e) => e.tid === longest.tid && e.ts >= longest.ts && e.ts < longest.ts + longest.dur! && e.ph === 'X' && e !== longest);
  const by = new Map<string, { ms: number; n: number }>();
  for (const e of inside) {
    const k = by.get(e.name) ?? { ms: 0, n: 0 };
    k.ms += (e.dur ?? 0) / 1000;
    k.n++;
    by.set(e.name, k);
  }
  for (const [name, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`  ${v.ms.toFixed(0).padStart(7)} ms  ×${v.n}  ${name}`);
}

/** The page load's main thread by phase (./mainThread.ts): nav → modules evaluated → connected → layout start → drawn. */
function loadSummary(buffer: Buffer): void {
  const events = (JSON.parse(buffer.toString('utf8')) as { traceEvents: TimelineEvent[] }).traceEvents;
  const thread = mainThreadOf(events, 'stepwise:boot');
  if (!thread) return void console.log('trace: no navigationStart before the stepwise:boot mark');
  const mark = (name: string) => events.find((e) => e.name === `stepwise:${name}` && e.pid === thread.pid)?.ts ?? null;
  const bounds: Array<[string, number | null]> = [
    ['navigation', thread.navigationStart],
    ['modules evaluated', mark('boot')],
    ['connected', mark('connected')],
    ['graph answered, layout start', mark('layout-start')],
    ['drawn', mark('graph-drawn')],
  ];
  const known = bounds.filter((b): b is [string, number] => b[1] !== null);
  const phases: Phase[] = known.slice(1).map(([name, to], i) => ({ name: `→ ${name}`, from: known[i]![1], to }));
  console.log(`main thread, navigation to drawn (ms):\n${formatBreakdown(breakdown(events, thread, phases))}`);
}

const ws = tempWorkspace('stepwise-wbprof-');
mkdirSync(path.join(ws.dir, 'templates', 'bench'), { recursive: true });
writeFileSync(path.join(ws.dir, 'templates', 'bench', 'generated.yaml'), generatedWorkflowYaml(STEPS));
writeFileSync(path.join(ws.dir, 'handlers', 'bench.ts'), 'export const noop = () => null;\n');
const host = await startServe({ workspace: ws.dir, db: ws.db });
const browser = await chromium.launch({
  executablePath: process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const url =
    ROUTE === 'task'
      ? `${host.info.openUrl}#/task/${encodeURIComponent(await finishedTask('bench/generated@1.0.0', ws))}`
      : `${host.info.openUrl}#/template/${encodeURIComponent('bench/generated@1.0.0')}`;
  for (const round of [0, 1]) {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript(`window.__longTasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(Math.round(e.duration) + 'ms@' + Math.round(e.startTime)); }).observe({ type: 'longtask', buffered: true });`);
    const cdp = await page.context().newCDPSession(page);
    const frames: string[] = [];
    let t0 = 0;
    await cdp.send('Network.enable');
    cdp.on('Network.requestWillBeSent', (e: { timestamp: number; request: { url: string } }) => {
      if (t0 === 0) t0 = e.timestamp;
    });
    const frame = (dir: string) => (e: { timestamp: number; response: { payloadData: string } }) =>
      frames.push(`${dir} ${Math.round((e.timestamp - t0) * 1000)}ms ${e.response.payloadData.length}B ${e.response.payloadData.slice(0, 70)}`);
    cdp.on('Network.webSocketFrameSent', frame('→'));
    cdp.on('Network.webSocketFrameReceived', frame('←'));
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    if (!INTERACT) {
      await cdp.send('Profiler.start');
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8'] });
    }
    await page.goto(url);
    await page.waitForFunction(`performance.getEntriesByName('stepwise:graph-drawn').length > 0`, undefined, { timeout: 120_000 });
    if (!INTERACT) loadSummary(await browser.stopTracing());
    if (INTERACT) {
      await page.waitForTimeout(1000);
      await page.evaluate('window.__longTasks = []');
      await cdp.send('Profiler.start');
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      await interactWithCanvas(page);
      traceSummary(await browser.stopTracing());
    }
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const info = (await page.evaluate(`({
      marks: performance.getEntriesByType('mark').map((m) => m.name + '@' + Math.round(m.startTime)),
      resources: performance.getEntriesByType('resource').map((r) => r.name.replace(/^.*\\//, '').slice(0, 40) + ' ' + Math.round(r.startTime) + '→' + Math.round(r.responseEnd)),
      nav: (() => { const n = performance.getEntriesByType('navigation')[0]; return { domInteractive: Math.round(n.domInteractive), load: Math.round(n.loadEventEnd) }; })(),
      longTasks: window.__longTasks,
    })`)) as Record<string, unknown>;
    console.log(`\n## round ${round}\n${JSON.stringify(info, null, 1)}\nWebSocket frames (ms since the first request):\n${frames.join('\n')}`);
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const n = byId.get(id)!;
      const file = n.callFrame.url.replace(/^.*\//, '');
      const k = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber}`;
      self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
    for (const [k, ms] of top) console.log(`${ms.toFixed(0).padStart(6)} ms  ${k}`);
    // Inclusive time: each function once per sample it is on the stack of.
    const parent = new Map<number, number>();
    for (const n of profile.nodes as (ProfileNode & { children?: number[] })[]) for (const c of n.children ?? []) parent.set(c, n.id);
    const total = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const n = byId.get(at)!;
        const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber}`;
        if (seen.has(k)) continue;
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      }
    });
    console.log('inclusive:');
    for (const [k, ms] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${ms.toFixed(0).padStart(6)} ms  ${k}`);
    await page.close();
  }
} finally {
  await browser.close();
  await host.stop();
  ws.cleanup();
}
