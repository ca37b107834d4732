/**
 * The layout that travels with a graph (core/host/pageLayout.ts): the host's cached ELK layout
 * when it has one; for a big graph it has not laid out yet, a quick layout at once while ELK's
 * is started (the page's `layoutByKey` query then joins that run); nothing for a small one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { templateGraph } from '../../core/export/graphModel.js';
import { toGraphView } from '../../core/export/graphView.js';
import { layoutRequestOf, QUICK_FROM } from '../../core/export/layout.js';
import { cacheKey, createLayoutService, type LayoutService } from '../../core/host/layoutService.js';
import { pageLayout } from '../../core/host/pageLayout.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import { generatedWorkflowYaml } from '../e2e/generatedWorkflow.js';

const dirs: string[] = [];
const services: LayoutService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function service(): LayoutService {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pagelayout-'));
  dirs.push(dir);
  // A generous deadline: a fresh thread loading ELK under load is slow; what is tested is the flow.
  const s = createLayoutService({ dir, deadlineMs: () => 50_000 });
  services.push(s);
  return s;
}

const graphOf = (steps: number) => templateGraph(readTemplateText(generatedWorkflowYaml(steps), 'g.yaml').template!);

describe('the layout sent with a graph', () => {
  it('a big graph not laid out yet gets a quick layout of every node, and ELK is started for the page to join; then the cached ELK layout', async () => {
    const s = service();
    const graph = graphOf(QUICK_FROM + 20);
    const request = layoutRequestOf(toGraphView(graph), 'DOWN');
    const first = pageLayout(s, graph, 'DOWN');
    expect(first?.source).toBe('quick');
    expect(first?.direction).toBe('DOWN');
    expect(first?.result.engine).toBe('quick');
    expect(Object.keys(first!.result.positions).sort()).toEqual(request.nodes.map((n) => n.id).sort());
    // The page asks by key and joins the run pageLayout started (not a second ELK run, not a cache hit);
    // so does a page sending the whole request.
    expect(first?.key).toBe(cacheKey(request));
    const byKey = s.byKey(first!.key);
    expect(byKey).not.toBeNull();
    const joined = await s.layout(request);
    expect(joined.source).toBe('computed');
    expect(await byKey).toEqual(joined);
    expect((await s.byKey(first!.key))?.source).toBe('memory');
    expect(s.byKey('unknown-key')).toBeNull();
    const second = pageLayout(s, graph, 'DOWN');
    expect(second?.source).toBe('memory');
    expect(second?.result).toEqual(joined.result);
    // Another direction is another layout.
    expect(pageLayout(s, graph, 'RIGHT')?.source).toBe('quick');
  }, 60_000);

  it('a small graph not laid out yet gets none (the page asks and joins the run), then the cached one', async () => {
    const s = service();
    const graph = graphOf(12);
    expect(pageLayout(s, graph, 'RIGHT')).toBeNull();
    expect((await s.layout(layoutRequestOf(toGraphView(graph), 'RIGHT'))).source).toBe('computed');
    expect(pageLayout(s, graph, 'RIGHT')?.source).toBe('memory');
  }, 60_000);

  it('sends nothing when no direction was asked for or the host lays nothing out', () => {
    const graph = graphOf(12);
    expect(pageLayout(service(), graph, undefined)).toBeNull();
    expect(pageLayout(undefined, graph, 'RIGHT')).toBeNull();
  });
});
