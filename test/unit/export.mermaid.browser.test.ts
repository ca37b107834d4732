/**
 * Mermaid output parsed and rendered by Mermaid itself, in Chromium (Mermaid needs a DOM).
 * Skipped only when no Chromium is installed (set STEPWISE_CHROMIUM to its path).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { toMermaid } from '../../core/export/mermaid.js';
import { templateGraph } from '../../core/export/graphModel.js';
import { runtimeGraph } from '../../core/export/runtimeGraph.js';
import * as fx from '../fixtures/export/templates.js';
import { stepRecord, worker } from '../fixtures/export/records.js';
import { HOSTILE_NAMES } from '../fixtures/export/templates.js';

/** What the page code uses of the browser (the project's TypeScript config has no DOM types). */
interface PageGlobals {
  mermaid: { initialize(o: object): void; render(id: string, text: string): Promise<{ svg: string }> };
  document: {
    createElement(tag: string): { innerHTML: string; querySelectorAll(sel: string): Iterable<{ textContent: string | null }> };
  };
}

const executablePath = process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium';
const mermaidScript = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

describe.skipIf(!existsSync(executablePath))('Mermaid reads our flowcharts', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: mermaidScript });
    await page.evaluate(() => (globalThis as unknown as PageGlobals).mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
  }, 60_000);
  afterAll(async () => browser?.close());

  /** Parses and renders; returns the rendered text, or throws Mermaid's error. */
  const render = (text: string) =>
    page.evaluate(async (src) => {
      const { mermaid, document } = globalThis as unknown as PageGlobals;
      const { svg } = await mermaid.render(`g${Math.random().toString(36).slice(2)}`, src);
      const holder = document.createElement('div');
      holder.innerHTML = svg;
      return [...holder.querySelectorAll('.nodeLabel, .edgeLabel')].map((e) => e.textContent ?? '');
    }, text);

  it('rejects broken input (the check can fail)', async () => {
    await expect(render('flowchart TB\n  n0["a" b"] --> \n')).rejects.toThrow();
  });

  it.each(
    [fx.linear, fx.diamond, fx.tree, fx.orderFulfillment, fx.batch, fx.waitAndSubtask, fx.onboarding, fx.routing, fx.hostileWorkflow, fx.hostileFlow].map(
      (t) => [t.name, t] as const,
    ),
  )('%s', async (_name, template) => {
    const labels = await render(toMermaid(templateGraph(template)));
    expect(labels.length).toBeGreaterThan(0);
  });

  it('shows hostile names exactly as written', async () => {
    const labels = await render(toMermaid(templateGraph(fx.hostileWorkflow)));
    for (const name of HOSTILE_NAMES.filter((n) => n !== '' && !n.includes('\n'))) expect(labels).toContain(name);
    expect(labels).toContain('multiline'); // the <br/> line break has no text of its own
  });

  it('renders a runtime graph with state classes and the current state', async () => {
    const g = runtimeGraph(fx.batch, [stepRecord('split', 'complete'), worker('import_batch', 0, 'error', 'split')]);
    const labels = await render(toMermaid(g));
    expect(labels).toContain('import_batch#0✗ error');
    const flow = await render(toMermaid(templateGraph(fx.onboarding), { current: 'ask_for_email', states: { ask_for_email: 'waiting' } }));
    expect(flow).toContain('ask_for_email‖ waiting(current)');
  });
});
