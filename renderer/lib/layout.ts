/**
 * Layout as data: build the ELK input for a graph, read positions and orthogonal edge routes
 * back out of ELK's answer, and a fast fallback (levels by longest path, straight edges) for
 * when ELK misses its deadline. PURE: the worker runs ELK, the canvas only reads results.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';

export type Direction = 'RIGHT' | 'DOWN';

export interface LayoutRequest {
  direction: Direction;
  /** `tips`: edges enter and leave at the middle of the in/out sides (diamonds, hexagons, pills). */
  nodes: Array<{ id: string; width: number; height: number; tips?: boolean }>;
  edges: Array<{ id: string; source: string; target: string; label: string | null }>;
}

export interface Point {
  x: number;
  y: number;
}

export interface EdgeRoute {
  points: Point[];
  /** Top-left of the label box, when the edge has a label. */
  label: (Point & { width: number; height: number }) | null;
}

export interface LayoutResult {
  positions: Record<string, Point>;
  routes: Record<string, EdgeRoute>;
  width: number;
  height: number;
  /** `elk` normally; `fallback` when ELK failed or missed the deadline. */
  engine: 'elk' | 'fallback';
}

export const LABEL_HEIGHT = 16;
export function labelWidth(text: string): number {
  return Math.ceil(text.length * 6.2) + 10;
}

export function layoutOptions(direction: Direction, nodeCount: number): Record<string, string> {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': direction,
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.spacing.nodeNodeBetweenLayers': '56',
    'elk.spacing.nodeNode': '28',
    'elk.spacing.edgeNode': '18',
    'elk.spacing.edgeEdge': '12',
    'elk.spacing.edgeLabel': '4',
    'elk.layered.spacing.edgeNodeBetweenLayers': '18',
    // Keep the template's declaration order where it does not cost crossings: diffs stay readable.
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
    // Thorough crossing minimisation is quadratic-ish; big graphs get one pass.
    'elk.layered.thoroughness': nodeCount > 300 ? '1' : '7',
    'elk.edgeLabels.inline': 'false',
    'elk.padding': '[top=24,left=24,bottom=24,right=24]',
  };
}

const IN_PORT = '\u0000in';
const OUT_PORT = '\u0000out';

/** A node with `tips` gets one fixed port in the middle of its in side and one of its out side. */
function tipPorts(n: LayoutRequest['nodes'][number], direction: Direction): ElkNode['ports'] {
  const across = direction === 'RIGHT';
  return [
    { id: n.id + IN_PORT, width: 0, height: 0, x: across ? 0 : n.width / 2, y: across ? n.height / 2 : 0, layoutOptions: { 'elk.port.side': across ? 'WEST' : 'NORTH' } },
    { id: n.id + OUT_PORT, width: 0, height: 0, x: across ? n.width : n.width / 2, y: across ? n.height / 2 : n.height, layoutOptions: { 'elk.port.side': across ? 'EAST' : 'SOUTH' } },
  ];
}

export function toElkGraph(req: LayoutRequest): ElkNode {
  const tips = new Set(req.nodes.filter((n) => n.tips).map((n) => n.id));
  return {
    id: 'root',
    layoutOptions: layoutOptions(req.direction, req.nodes.length),
    children: req.nodes.map((n) =>
      n.tips
        ? { id: n.id, width: n.width, height: n.height, ports: tipPorts(n, req.direction), layoutOptions: { 'elk.portConstraints': 'FIXED_POS' } }
        : { id: n.id, width: n.width, height: n.height },
    ),
    edges: req.edges.map(
      (e): ElkExtendedEdge => ({
        id: e.id,
        sources: [tips.has(e.source) ? e.source + OUT_PORT : e.source],
        targets: [tips.has(e.target) ? e.target + IN_PORT : e.target],
        ...(e.label ? { labels: [{ text: e.label, width: labelWidth(e.label), height: LABEL_HEIGHT }] } : {}),
      }),
    ),
  };
}

export function fromElkGraph(laid: ElkNode): LayoutResult {
  const positions: Record<string, Point> = {};
  for (const child of laid.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
  const routes: Record<string, EdgeRoute> = {};
  for (const edge of (laid.edges ?? []) as ElkExtendedEdge[]) {
    const points: Point[] = [];
    for (const section of edge.sections ?? []) {
      points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
    }
    const l = edge.labels?.[0];
    routes[edge.id] = {
      points: dedupe(points),
      label: l && l.x !== undefined && l.y !== undefined ? { x: l.x, y: l.y, width: l.width ?? 0, height: l.height ?? 0 } : null,
    };
  }
  return { positions, routes, width: laid.width ?? 0, height: laid.height ?? 0, engine: 'elk' };
}

function dedupe(points: Point[]): Point[] {
  return points.filter((p, i) => i === 0 || p.x !== points[i - 1]!.x || p.y !== points[i - 1]!.y);
}

/**
 * Longest-path layers (cycles broken by ignoring back edges found in DFS order), nodes stacked
 * within a layer in input order, straight edges between box centres. Never overlaps.
 */
export function fallbackLayout(req: LayoutRequest): LayoutResult {
  const index = new Map(req.nodes.map((n, i) => [n.id, i]));
  const out = req.nodes.map(() => [] as number[]);
  for (const e of req.edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s !== undefined && t !== undefined && s !== t) out[s]!.push(t);
  }
  // Iterative DFS: drop back edges so the rest is a DAG.
  const colour = req.nodes.map(() => 0);
  const dag = req.nodes.map(() => [] as number[]);
  for (let root = 0; root < req.nodes.length; root++) {
    if (colour[root] !== 0) continue;
    const stack: Array<[number, number]> = [[root, 0]];
    colour[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      if (i < out[v]!.length) {
        top[1] += 1;
        const w = out[v]![i]!;
        if (colour[w] === 1) continue;
        dag[v]!.push(w);
        if (colour[w] === 0) {
          colour[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        colour[v] = 2;
        stack.pop();
      }
    }
  }
  const indegree = req.nodes.map(() => 0);
  dag.forEach((targets) => targets.forEach((t) => (indegree[t]! += 1)));
  const layer = req.nodes.map(() => 0);
  const queue = req.nodes.map((_, i) => i).filter((i) => indegree[i] === 0);
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (const w of dag[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--indegree[w]! === 0) queue.push(w);
    }
  }
  const layers: number[][] = [];
  req.nodes.forEach((_, i) => (layers[layer[i]!] ??= []).push(i));
  const across = req.direction === 'RIGHT';
  const gapMain = 80;
  const gapCross = 28;
  const positions: Record<string, Point> = {};
  let main = 24;
  let width = 0;
  let height = 0;
  for (const members of layers) {
    if (!members) continue;
    let cross = 24;
    let thickness = 0;
    for (const i of members) {
      const n = req.nodes[i]!;
      positions[n.id] = across ? { x: main, y: cross } : { x: cross, y: main };
      cross += (across ? n.height : n.width) + gapCross;
      thickness = Math.max(thickness, across ? n.width : n.height);
    }
    main += thickness + gapMain;
    if (across) height = Math.max(height, cross);
    else width = Math.max(width, cross);
  }
  if (across) width = main;
  else height = main;
  const size = new Map(req.nodes.map((n) => [n.id, n]));
  const centre = (id: string): Point => {
    const p = positions[id]!;
    const n = size.get(id)!;
    return { x: p.x + n.width / 2, y: p.y + n.height / 2 };
  };
  const routes: Record<string, EdgeRoute> = {};
  for (const e of req.edges) {
    if (!positions[e.source] || !positions[e.target]) continue;
    routes[e.id] = { points: [centre(e.source), centre(e.target)], label: null };
  }
  return { positions, routes, width, height, engine: 'fallback' };
}
