/**
 * Layout helpers of the canvas: the ELK input we build lays out every example template without
 * overlapping nodes and with edge routes that start and end on their nodes; the fallback
 * layout never overlaps either, even with cycles.
 */
import path from 'node:path';
import ElkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api.js';
import { describe, expect, it } from 'vitest';
import { templateGraph } from '../../core/export/graphModel.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { toGraphView } from '../../renderer/lib/graphView.js';
import { fallbackLayout, fromElkGraph, toElkGraph, type LayoutRequest, type LayoutResult } from '../../renderer/lib/layout.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../resources/examples');

function requestOf(view: ReturnType<typeof toGraphView>, direction: 'RIGHT' | 'DOWN'): LayoutRequest {
  return {
    direction,
    nodes: view.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height, tips: n.type === 'decision' })),
    edges: view.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, label: e.label })),
  };
}

function assertNoOverlap(req: LayoutRequest, result: LayoutResult): void {
  const boxes = req.nodes.map((n) => ({ id: n.id, ...result.positions[n.id]!, w: n.width, h: n.height }));
  for (const b of boxes) expect(result.positions[b.id], b.id).toBeDefined();
  const overlapping: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlapping.push(`${a.id}/${b.id}`);
    }
  }
  expect(overlapping).toEqual([]);
}

const near = (v: number, lo: number, hi: number) => v >= lo - 1 && v <= hi + 1;

describe('ELK layout of the example templates', async () => {
  const ws = await loadWorkspace(EXAMPLES);
  // CommonJS module: its default import is the constructor at run time.
  const elk = new (ElkBundled as unknown as new (args?: ELKConstructorArguments) => ELK)();
  for (const template of ws.templates) {
    for (const direction of ['RIGHT', 'DOWN'] as const) {
      it(`${template.namespace}/${template.name} (${direction})`, async () => {
        const view = toGraphView(templateGraph(template));
        const req = requestOf(view, direction);
        const result = fromElkGraph(await elk.layout(toElkGraph(req)));
        assertNoOverlap(req, result);
        const size = new Map(req.nodes.map((n) => [n.id, n]));
        for (const e of req.edges) {
          const route = result.routes[e.id]!;
          expect(route.points.length, e.id).toBeGreaterThanOrEqual(2);
          const [start, end] = [route.points[0]!, route.points[route.points.length - 1]!];
          const s = result.positions[e.source]!;
          const t = result.positions[e.target]!;
          expect(near(start.x, s.x, s.x + size.get(e.source)!.width) && near(start.y, s.y, s.y + size.get(e.source)!.height), `${e.id} starts on ${e.source}`).toBe(true);
          expect(near(end.x, t.x, t.x + size.get(e.target)!.width) && near(end.y, t.y, t.y + size.get(e.target)!.height), `${e.id} ends on ${e.target}`).toBe(true);
          // Orthogonal: every segment is horizontal or vertical.
          for (let i = 1; i < route.points.length; i++) {
            const [p, q] = [route.points[i - 1]!, route.points[i]!];
            expect(Math.abs(p.x - q.x) < 0.01 || Math.abs(p.y - q.y) < 0.01, `${e.id} segment ${i}`).toBe(true);
          }
          if (e.label) expect(route.label, `${e.id} label placed`).not.toBeNull();
        }
      });
    }
  }

  it('puts the edges of a decision on its tips', async () => {
    const template = ws.templates.find((t) => t.name === 'order_fulfillment')!;
    const req = requestOf(toGraphView(templateGraph(template)), 'RIGHT');
    const result = fromElkGraph(await elk.layout(toElkGraph(req)));
    const d = req.nodes.find((n) => n.id === 'choose_shipping')!;
    const p = result.positions[d.id]!;
    for (const e of req.edges.filter((x) => x.source === d.id)) {
      const start = result.routes[e.id]!.points[0]!;
      expect(start.x).toBeCloseTo(p.x + d.width, 0);
      expect(start.y).toBeCloseTo(p.y + d.height / 2, 0);
    }
  });
});

describe('fallbackLayout', () => {
  it('places a cyclic graph in layers without overlaps', () => {
    const req: LayoutRequest = {
      direction: 'RIGHT',
      nodes: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, width: 120, height: 40 })),
      edges: [
        { id: '1', source: 'a', target: 'b', label: null },
        { id: '2', source: 'b', target: 'c', label: null },
        { id: '3', source: 'c', target: 'a', label: null },
        { id: '4', source: 'a', target: 'd', label: null },
        { id: '5', source: 'd', target: 'e', label: null },
        { id: '6', source: 'b', target: 'e', label: null },
      ],
    };
    const result = fallbackLayout(req);
    assertNoOverlap(req, result);
    expect(result.engine).toBe('fallback');
    expect(result.positions.e!.x).toBeGreaterThan(result.positions.b!.x);
    expect(Object.keys(result.routes)).toHaveLength(6);
  });

  it('lays 1,000 chained and fanned nodes out top-down without overlaps', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => ({ id: `s${i}`, width: 180, height: 56 }));
    const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: `s${Math.floor(i / 3)}`, target: n.id, label: null }));
    const req: LayoutRequest = { direction: 'DOWN', nodes, edges };
    assertNoOverlap(req, fallbackLayout(req));
  });
});
