import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { GraphView } from '../../renderer/lib/graphView.js';
import type { LayoutResult } from '../../renderer/lib/layout.js';
import { crowdedView, cullKey, cullRect, type Viewport } from '../../renderer/lib/graphCulling.js';

/** A grid of `n` nodes of 184×58, 240 apart horizontally and 100 vertically, 50 per row. */
function grid(n: number): { view: GraphView; result: LayoutResult } {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, width: 184, height: 58 }));
  const positions = Object.fromEntries(nodes.map((node, i) => [node.id, { x: (i % 50) * 240, y: Math.floor(i / 50) * 100 }]));
  return {
    view: { kind: 'workflow', nodes, edges: [], structureKey: String(n) } as unknown as GraphView,
    result: { positions, routes: {}, width: 50 * 240, height: Math.ceil(n / 50) * 100, engine: 'elk' },
  };
}

/** Nodes intersecting the visible part of the canvas. */
function visible(g: ReturnType<typeof grid>, s: Viewport): string[] {
  const [tx, ty, zoom] = s.transform;
  const left = -tx / zoom;
  const top = -ty / zoom;
  const right = left + s.width / zoom;
  const bottom = top + s.height / zoom;
  return g.view.nodes.filter((n) => {
    const p = g.result.positions[n.id]!;
    return !(p.x > right || p.y > bottom || p.x + n.width < left || p.y + n.height < top);
  }).map((n) => n.id);
}

describe('graph culling', () => {
  const g = grid(5000);

  it('the culled part holds every visible node, whatever the pan and zoom', () => {
    fc.assert(
      fc.property(fc.double({ min: -12000, max: 1000, noNaN: true }), fc.double({ min: -10000, max: 1000, noNaN: true }), fc.double({ min: 0.05, max: 2, noNaN: true }), (tx, ty, zoom) => {
        const s: Viewport = { transform: [tx, ty, zoom], width: 1600, height: 1000 };
        const r = cullRect(cullKey(s));
        for (const id of visible(g, s)) {
          const p = g.result.positions[id]!;
          expect(p.x + 184 >= r.left && p.x <= r.right && p.y + 58 >= r.top && p.y <= r.bottom).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the culled part is at most ~2.5 viewports of nodes, and panning a little keeps its key', () => {
    const s: Viewport = { transform: [-3000, -2000, 1], width: 1600, height: 1000 };
    const r = cullRect(cullKey(s));
    const inside = g.view.nodes.filter((n) => {
      const p = g.result.positions[n.id]!;
      return !(p.x > r.right || p.y > r.bottom || p.x + n.width < r.left || p.y + n.height < r.top);
    });
    expect(inside.length).toBeLessThanOrEqual(2.5 * visible(g, s).length);
    expect(cullKey({ ...s, transform: [-3040, -2020, 1] })).toBe(cullKey(s));
    expect(cullKey({ ...s, transform: [-3600, -2000, 1] })).not.toBe(cullKey(s));
  });

  it('a view is crowded above the limit of visible nodes, not at it', () => {
    const s: Viewport = { transform: [0, 0, 1], width: 1600, height: 1000 };
    const n = visible(g, s).length;
    expect(crowdedView(g.view, g.result, s, n)).toBe(false);
    expect(crowdedView(g.view, g.result, s, n - 1)).toBe(true);
    // Zoomed far out, everything is in view.
    expect(crowdedView(g.view, g.result, { ...s, transform: [0, 0, 0.02] }, 4999)).toBe(true);
  });
});
