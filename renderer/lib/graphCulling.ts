/**
 * Which part of a big graph the canvas mounts as real React Flow nodes (pure; GraphCanvas uses
 * them in store selectors, so they run on every viewport change and stop early).
 */
import type { GraphView } from './graphView.js';
import type { LayoutResult } from './layout.js';

export type Viewport = { transform: [number, number, number]; width: number; height: number };

/**
 * The part of a big graph to mount zoomed in: the viewport and a quarter of it on each side, as a
 * key snapped to quarter-viewport steps (and zoom to steps of 2^¼), so panning re-culls only every
 * few hundred pixels. React Flow's onlyRenderVisibleElements is not enough: it renders every node
 * it has not measured yet, so handing it all 5,000 nodes mounted all 5,000 once (a 10 s task).
 */
export function cullKey(s: Viewport): string {
  const [tx, ty, zoom] = s.transform;
  const z = 2 ** (Math.round(Math.log2(zoom) * 4) / 4);
  const qw = s.width / z / 4;
  const qh = s.height / z / 4;
  const cx = Math.round((s.width / 2 - tx) / zoom / qw);
  const cy = Math.round((s.height / 2 - ty) / zoom / qh);
  return `${qw}|${qh}|${cx}|${cy}`;
}

/**
 * The rectangle (graph coordinates) a cullKey stands for: 1.5 viewports wide and high (the visible
 * half-width is 2 steps, up to 9% more at a zoom between steps, plus half a step of snapping).
 */
export function cullRect(key: string): { left: number; top: number; right: number; bottom: number } {
  const [qw, qh, cx, cy] = key.split('|').map(Number) as [number, number, number, number];
  return { left: (cx - 3) * qw, top: (cy - 3) * qh, right: (cx + 3) * qw, bottom: (cy + 3) * qh };
}

/** Whether more than `limit` laid-out nodes intersect the visible part of the canvas (stops counting past it). */
export function crowdedView(view: GraphView, result: LayoutResult, s: Viewport, limit: number): boolean {
  const [tx, ty, zoom] = s.transform;
  const left = -tx / zoom;
  const top = -ty / zoom;
  const right = left + s.width / zoom;
  const bottom = top + s.height / zoom;
  let n = 0;
  for (const node of view.nodes) {
    const p = result.positions[node.id];
    if (!p || p.x > right || p.y > bottom || p.x + node.width < left || p.y + node.height < top) continue;
    if (++n > limit) return true;
  }
  return false;
}
