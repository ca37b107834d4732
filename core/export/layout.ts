/**
 * Layout as data: build the ELK input for a graph, read positions and orthogonal edge routes
 * back out of ELK's answer, and a fast fallback (levels by longest path, straight edges) for
 * when ELK misses its deadline. PURE: ELK runs elsewhere (the host's layout thread, or the
 * page's web worker), the canvas only reads results. Shared by the renderer and the host, which
 * caches results by `layoutKey` (core/host/layoutCache.ts).
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';

export type Direction = 'RIGHT' | 'DOWN';

/** Shapes whose edges enter and leave at their tips (diamonds, hexagons, pills), not a whole side. */
export const TIP_TYPES: ReadonlySet<string> = new Set(['decision', 'wait', 'result']);

/** The layout request of a drawn graph (./graphView.ts): the one the page and the host both build, so their cache keys agree. */
export function layoutRequestOf(
  view: { nodes: ReadonlyArray<{ id: string; type: string; width: number; height: number }>; edges: ReadonlyArray<{ id: string; source: string; target: string; label: string | null }> },
  direction: Direction,
): LayoutRequest {
  const order = new Map(view.nodes.map((n, i) => [n.id, i]));
  return {
    direction,
    nodes: view.nodes.map((n) => (TIP_TYPES.has(n.type) ? { id: n.id, width: n.width, height: n.height, tips: true } : { id: n.id, width: n.width, height: n.height })),
    // Edges in an order that follows the nodes' (declaration) order, whatever order the graph
    // listed them in: a task's runtime graph lists a step's dependencies as stored, its
    // template in the order written, and the two must make the same request (one cached layout).
    edges: view.edges
      .map((e) => ({ id: e.id, source: e.source, target: e.target, label: e.label }))
      .sort((a, b) => (order.get(a.target) ?? -1) - (order.get(b.target) ?? -1) || (order.get(a.source) ?? -1) - (order.get(b.source) ?? -1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** Graphs above this many nodes are drawn with a quick layered layout first when ELK's is not at hand. */
export const QUICK_FROM = 300;

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
  /**
   * `elk` normally; `quick` for the first picture of a big graph while ELK works (./layeredLayout);
   * `fallback` when ELK failed or missed the deadline.
   */
  engine: 'elk' | 'quick' | 'fallback';
}

/**
 * Changes whenever the layout of the same request would change (options, conversion): part of
 * every cache key, so a cached layout from an older version is never used.
 */
export const LAYOUT_VERSION = 2;

/**
 * The canonical text of a request (everything the layout depends on, in a fixed order): the
 * content the cache key hashes. Two requests with the same text get the same layout.
 */
export function layoutKey(req: LayoutRequest): string {
  return JSON.stringify([
    LAYOUT_VERSION,
    req.direction,
    req.nodes.map((n) => [n.id, n.width, n.height, n.tips === true]),
    req.edges.map((e) => [e.id, e.source, e.target, e.label]),
  ]);
}

/**
 * A request as it travels to the host: nodes `[id, width, height, tips 0|1]`, edges
 * `[id, source index, target index, label]` (about half the bytes of the object form, so a
 * 5,000-step graph fits one protocol message).
 */
export interface CompactLayoutRequest {
  direction: Direction;
  nodes: Array<[string, number, number, 0 | 1]>;
  edges: Array<[string, number, number, string | null]>;
}

export function encodeLayoutRequest(req: LayoutRequest): CompactLayoutRequest {
  const index = new Map(req.nodes.map((n, i) => [n.id, i]));
  return {
    direction: req.direction,
    nodes: req.nodes.map((n) => [n.id, n.width, n.height, n.tips ? 1 : 0]),
    edges: req.edges.filter((e) => index.has(e.source) && index.has(e.target)).map((e) => [e.id, index.get(e.source)!, index.get(e.target)!, e.label]),
  };
}

/** The request back; null when an edge names a node index the request does not have. */
export function decodeLayoutRequest(c: CompactLayoutRequest): LayoutRequest | null {
  const nodes = c.nodes.map(([id, width, height, tips]) => (tips ? { id, width, height, tips: true } : { id, width, height }));
  const edges: LayoutRequest['edges'] = [];
  for (const [id, s, t, label] of c.edges) {
    const source = nodes[s];
    const target = nodes[t];
    if (!source || !target) return null;
    edges.push({ id, source: source.id, target: target.id, label });
  }
  return { direction: c.direction, nodes, edges };
}

/** Edge labels are 12.5 px monospace (renderer/styles.css .edge-label). */
export const LABEL_HEIGHT = 18;
export function labelWidth(text: string): number {
  return Math.ceil(text.length * 7.6) + 10;
}

/**
 * Up to this many nodes a graph is laid out tightly: it is meant to be read whole, and every
 * unit of spacing shrinks the zoom it fits at (with the wider spacing, an 8-state flow fitted
 * a 1400×900 window at zoom 0.61; the spacing alone was a fifth of its width).
 */
export const COMPACT_MAX_NODES = 100;

export function layoutOptions(direction: Direction, nodeCount: number): Record<string, string> {
  const compact = nodeCount <= COMPACT_MAX_NODES;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': direction,
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.spacing.nodeNodeBetweenLayers': compact ? '28' : '56',
    'elk.spacing.nodeNode': compact ? '20' : '28',
    'elk.spacing.edgeNode': compact ? '12' : '18',
    'elk.spacing.edgeEdge': compact ? '10' : '12',
    'elk.spacing.edgeLabel': '4',
    'elk.layered.spacing.edgeNodeBetweenLayers': compact ? '12' : '18',
    // Keep the template's declaration order where it does not cost crossings: diffs stay readable.
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
    // Thorough crossing minimisation is quadratic-ish; big graphs get one pass.
    'elk.layered.thoroughness': nodeCount > 300 ? '1' : '7',
    'elk.edgeLabels.inline': 'false',
    'elk.padding': compact ? '[top=12,left=12,bottom=12,right=12]' : '[top=24,left=24,bottom=24,right=24]',
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
 * A layered layout computed in milliseconds, for a big graph's first picture while ELK works
 * and for when ELK fails: longest-path layers (cycles broken by ignoring back edges found in
 * DFS order), nodes ordered within each layer by a few barycenter sweeps (fewer crossings than
 * the input order), layers centred on the widest, and each edge an orthogonal elbow from the
 * middle of its source's out side to the middle of its target's in side. Never overlaps.
 */
export function layeredLayout(req: LayoutRequest, engine: 'quick' | 'fallback' = 'fallback'): LayoutResult {
  const count = req.nodes.length;
  const index = new Map(req.nodes.map((n, i) => [n.id, i]));
  const out = req.nodes.map(() => [] as number[]);
  for (const e of req.edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s !== undefined && t !== undefined && s !== t) out[s]!.push(t);
  }
  // Iterative DFS: drop back edges so the rest is a DAG.
  const colour = new Uint8Array(count);
  const dag = req.nodes.map(() => [] as number[]);
  for (let root = 0; root < count; root++) {
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
  const indegree = new Int32Array(count);
  const preds = req.nodes.map(() => [] as number[]);
  dag.forEach((targets, v) =>
    targets.forEach((t) => {
      indegree[t]! += 1;
      preds[t]!.push(v);
    }),
  );
  const layer = new Int32Array(count);
  const queue: number[] = [];
  for (let i = 0; i < count; i++) if (indegree[i] === 0) queue.push(i);
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (const w of dag[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--indegree[w]! === 0) queue.push(w);
    }
  }
  const layers: number[][] = [];
  for (let i = 0; i < count; i++) (layers[layer[i]!] ??= []).push(i);
  for (let l = 0; l < layers.length; l++) layers[l] ??= [];

  // Barycenter sweeps: each node moves towards the mean position of its neighbours in the
  // layers already placed (down with predecessors, then up with successors).
  const rank = new Float64Array(count);
  const place = (members: number[]) => members.forEach((v, i) => (rank[v] = members.length > 1 ? i / (members.length - 1) : 0.5));
  layers.forEach(place);
  const sweep = (members: number[], neighbours: number[][]) => {
    const key = new Map<number, number>();
    for (const v of members) {
      const ns = neighbours[v]!;
      key.set(v, ns.length === 0 ? rank[v]! : ns.reduce((sum, w) => sum + rank[w]!, 0) / ns.length);
    }
    members.sort((a, b) => key.get(a)! - key.get(b)! || rank[a]! - rank[b]!);
    place(members);
  };
  for (let pass = 0; pass < 4; pass++) {
    for (let l = 1; l < layers.length; l++) sweep(layers[l]!, preds);
    for (let l = layers.length - 2; l >= 0; l--) sweep(layers[l]!, dag);
  }

  const across = req.direction === 'RIGHT';
  const gapMain = 80;
  const gapCross = 28;
  const pad = 24;
  const extent = (members: number[]) => members.reduce((sum, i) => sum + (across ? req.nodes[i]!.height : req.nodes[i]!.width), 0) + Math.max(0, members.length - 1) * gapCross;
  const widest = Math.max(0, ...layers.map(extent));
  const positions: Record<string, Point> = {};
  let main = pad;
  for (const members of layers) {
    let cross = pad + (widest - extent(members)) / 2;
    let thickness = 0;
    for (const i of members) {
      const n = req.nodes[i]!;
      positions[n.id] = across ? { x: main, y: cross } : { x: cross, y: main };
      cross += (across ? n.height : n.width) + gapCross;
      thickness = Math.max(thickness, across ? n.width : n.height);
    }
    main += thickness + gapMain;
  }
  const width = across ? main - gapMain + pad : widest + 2 * pad;
  const height = across ? widest + 2 * pad : main - gapMain + pad;
  const size = new Map(req.nodes.map((n) => [n.id, n]));
  const outPoint = (id: string): Point => {
    const p = positions[id]!;
    const n = size.get(id)!;
    return across ? { x: p.x + n.width, y: p.y + n.height / 2 } : { x: p.x + n.width / 2, y: p.y + n.height };
  };
  const inPoint = (id: string): Point => {
    const p = positions[id]!;
    const n = size.get(id)!;
    return across ? { x: p.x, y: p.y + n.height / 2 } : { x: p.x + n.width / 2, y: p.y };
  };
  const routes: Record<string, EdgeRoute> = {};
  for (const e of req.edges) {
    if (!positions[e.source] || !positions[e.target]) continue;
    const a = outPoint(e.source);
    const b = inPoint(e.target);
    // Forward edges bend halfway through the gap after the source; others go straight.
    const forward = across ? b.x > a.x : b.y > a.y;
    const bend = across ? a.x + gapMain / 2 : a.y + gapMain / 2;
    const points = !forward ? [a, b] : across ? [a, { x: bend, y: a.y }, { x: bend, y: b.y }, b] : [a, { x: a.x, y: bend }, { x: b.x, y: bend }, b];
    routes[e.id] = { points: dedupe(points), label: null };
  }
  return { positions, routes, width, height, engine };
}

/** The layout used when ELK fails or misses its deadline. */
export function fallbackLayout(req: LayoutRequest): LayoutResult {
  return layeredLayout(req, 'fallback');
}
