/**
 * The host's layout service: ELK runs in a thread once per distinct request; the result is
 * served from memory, then from disk to a new service (another host, the CLI); concurrent equal
 * requests share one run; a layout that misses its deadline gets the fallback and is not cached;
 * a damaged cache file is ignored; a request that differs in anything the layout depends on is
 * laid out again.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey, createLayoutService, type LayoutService } from '../../core/host/layoutService.js';
import type { LayoutRequest } from '../../core/export/layout.js';

const dirs: string[] = [];
const services: LayoutService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'stepwise-layouts-'));
  dirs.push(d);
  return d;
}

function service(dir: string | null, deadline?: number): LayoutService {
  const s = createLayoutService({ dir, ...(deadline === undefined ? {} : { deadlineMs: () => deadline }) });
  services.push(s);
  return s;
}

/** A chain of `n` nodes with a fan of extra edges (enough for ELK to take a moment at 2,000). */
function graph(n: number, width = 180): LayoutRequest {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, width, height: 56 }));
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: `s${Math.floor(i / 2)}`, target: node.id, label: i % 7 === 0 ? 'yes' : null }));
  return { direction: 'RIGHT', nodes, edges };
}

describe('layout service', () => {
  it('lays out once, then serves memory, then disk to another service over the same folder', async () => {
    const dir = tempDir();
    const req = graph(30);
    const a = service(dir);
    const first = await a.layout(req);
    expect(first.source).toBe('computed');
    expect(first.result.engine).toBe('elk');
    expect(Object.keys(first.result.positions).sort()).toEqual(req.nodes.map((n) => n.id).sort());
    expect(first.elkMs).toBeGreaterThan(0);
    const again = await a.layout(graph(30));
    expect(again.source).toBe('memory');
    expect(again.result).toEqual(first.result);
    expect(readdirSync(dir)).toEqual([`${first.key}.json`]);

    const b = service(dir);
    const fromDisk = await b.layout(graph(30));
    expect(fromDisk.source).toBe('disk');
    expect(fromDisk.result).toEqual(first.result);
  });

  it('runs ELK once for concurrent equal requests', async () => {
    const s = service(null);
    const outcomes = await Promise.all([s.layout(graph(40)), s.layout(graph(40)), s.layout(graph(40))]);
    expect(outcomes.map((o) => o.source)).toEqual(['computed', 'computed', 'computed']);
    expect(new Set(outcomes.map((o) => o.result)).size).toBe(1);
  });

  it('keys on everything the layout depends on', () => {
    const base = cacheKey(graph(10));
    expect(cacheKey(graph(10))).toBe(base);
    expect(cacheKey(graph(10, 181))).not.toBe(base);
    expect(cacheKey({ ...graph(10), direction: 'DOWN' })).not.toBe(base);
    const relabelled = graph(10);
    relabelled.edges[0]!.label = 'no';
    expect(cacheKey(relabelled)).not.toBe(base);
  });

  it('gives the fallback when ELK misses its deadline, caches nothing, and lays out again next time', async () => {
    const dir = tempDir();
    const slow = service(dir, 1);
    const missed = await slow.layout(graph(2000));
    expect(missed.source).toBe('fallback');
    expect(missed.result.engine).toBe('fallback');
    expect(missed.warning).toMatch(/longer than 0 s/);
    expect(readdirSync(dir)).toEqual([]);
    const ok = await service(dir).layout(graph(60));
    expect(ok.source).toBe('computed');
  }, 60_000);

  it('ignores a damaged or mismatched cache file and lays out again', async () => {
    const dir = tempDir();
    const req = graph(12);
    writeFileSync(join(dir, `${cacheKey(req)}.json`), '{"result": {"engine": "elk", "positions": {"s0": {"x": 1, "y": 2}}, "routes": {}}}');
    const s = service(dir);
    const outcome = await s.layout(req);
    expect(outcome.source).toBe('computed');
    expect(Object.keys(outcome.result.positions)).toHaveLength(12);
  });
});

describe('warming the layouts of big templates', () => {
  it('lays big templates out in the background with the request the page builds, and a page request of the same graph finds it', async () => {
    const { prewarmLayouts, PREWARM_FROM } = await import('../../core/host/layoutService.js');
    const { readTemplateText } = await import('../../core/template/loadTemplate.js');
    const { generatedWorkflowYaml } = await import('../e2e/generatedWorkflow.js');
    const { toGraphView } = await import('../../core/export/graphView.js');
    const { templateGraph } = await import('../../core/export/graphModel.js');
    const { layoutRequestOf } = await import('../../core/export/layout.js');
    const big = readTemplateText(generatedWorkflowYaml(PREWARM_FROM + 20), 'big.yaml').template!;
    const small = readTemplateText(generatedWorkflowYaml(10).replace(/^name: generated$/m, 'name: small'), 'small.yaml').template!;
    // A generous deadline: what is tested is the request and its key, not ELK's speed (a fresh
    // thread loading ELK took over the default ~12 s deadline at load average 20).
    const s = service(tempDir(), 50_000);
    expect(prewarmLayouts(s, [big, small], ['RIGHT'])).toBe(1);
    // What the page asks for that template: the same request, so the same key — found, not computed again.
    const page = await s.layout(layoutRequestOf(toGraphView(templateGraph(big)), 'RIGHT'));
    expect(page.source === 'computed' || page.source === 'memory').toBe(true);
    expect((await s.layout(layoutRequestOf(toGraphView(templateGraph(big)), 'RIGHT'))).source).toBe('memory');
  }, 60_000);

  it('a reload drops the layouts still queued from the previous warm-up', async () => {
    const s = service(null);
    const first = s.layout(graph(200), { background: true });
    const queued = s.layout(graph(201), { background: true });
    s.dropBackground();
    expect((await queued).source).toBe('fallback');
    expect((await first).source).toBe('computed');
  }, 60_000);
});

describe('one layout for a template and its tasks', () => {
  it('a finished task without dynamic steps makes the same layout request as its template, whatever order its records list dependencies in', async () => {
    const { readTemplateText } = await import('../../core/template/loadTemplate.js');
    const { generatedWorkflowYaml } = await import('../e2e/generatedWorkflow.js');
    const { toGraphView } = await import('../../core/export/graphView.js');
    const { templateGraph } = await import('../../core/export/graphModel.js');
    const { runtimeGraph } = await import('../../core/export/runtimeGraph.js');
    const { layoutRequestOf } = await import('../../core/export/layout.js');
    const { step } = await import('../fixtures/storage/records.js');
    const template = readTemplateText(generatedWorkflowYaml(60), 'g.yaml').template!;
    if (template.kind !== 'workflow') throw new Error('a workflow');
    // Records as storage could hold them: dependencies in another order than written.
    const steps = template.steps.map((s) => step('t1', s.name, { state: 'complete', dependsOn: [...s.dependsOn].reverse() }));
    const forTemplate = layoutRequestOf(toGraphView(templateGraph(template)), 'RIGHT');
    const forTask = layoutRequestOf(toGraphView(runtimeGraph(template, steps)), 'RIGHT');
    expect(forTask.edges.length).toBeGreaterThan(60);
    expect(cacheKey(forTask)).toBe(cacheKey(forTemplate));
  });
});
