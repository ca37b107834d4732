/**
 * From core's renderer-neutral graph (./graphModel) to what the canvas draws: one node per step
 * or state with its size, interactions folded into chips on the states they are valid in, and a
 * structure key that changes only when nodes or edges do (a state change must not cause a new
 * layout). PURE: the page draws from it, and the host builds the same layout requests from it to
 * lay big templates out before a page asks (./layout.ts `layoutRequestOf`).
 */
import type { GraphEdgeKind, GraphNode, GraphNodeType, MetaValue, NodeRuntimeState, TemplateGraph } from './graphModel.js';

export interface NodeView {
  id: string;
  label: string;
  type: Exclude<GraphNodeType, 'interaction'>;
  width: number;
  height: number;
  dynamic: boolean;
  createdBy: string | null;
  start: boolean;
  /** Interactions that may be fired while the flow is in this state. */
  interactions: string[];
  meta: Record<string, MetaValue>;
  /** The state core annotated (runtime graphs); live state overrides it. */
  state: NodeRuntimeState | null;
  current: boolean;
}

export interface EdgeView {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
  label: string | null;
  taken: boolean;
}

export interface GraphView {
  kind: TemplateGraph['kind'];
  nodes: NodeView[];
  edges: EdgeView[];
  /** Equal for two graphs with the same nodes (and sizes) and edges. */
  structureKey: string;
}

/** Base box per node type; wide enough for the name, type line and (runtime) state line. */
const BASE_SIZE: Record<NodeView['type'], { width: number; height: number }> = {
  standard: { width: 184, height: 58 },
  decision: { width: 212, height: 86 },
  deferred_convergence: { width: 196, height: 58 },
  batchable: { width: 190, height: 64 },
  batch_worker: { width: 184, height: 58 },
  wait: { width: 200, height: 62 },
  subtask: { width: 196, height: 58 },
  action: { width: 184, height: 58 },
  result: { width: 164, height: 54 },
};

/** Approximate width of a label in the node font (12px system UI, semibold). */
export function textWidth(text: string, pxPerChar = 7.4): number {
  return Math.ceil(text.length * pxPerChar);
}

const MAX_NODE_WIDTH = 340;
/** Horizontal room the shape's own decoration takes (diamond tips, hexagon points, padding). */
const SHAPE_INSET: Record<NodeView['type'], number> = {
  standard: 48,
  decision: 120,
  deferred_convergence: 56,
  batchable: 56,
  batch_worker: 48,
  wait: 76,
  subtask: 64,
  action: 48,
  result: 60,
};

export function nodeSize(type: NodeView['type'], label: string, chips: number): { width: number; height: number } {
  const base = BASE_SIZE[type];
  const width = Math.min(MAX_NODE_WIDTH, Math.max(base.width, textWidth(label) + SHAPE_INSET[type]));
  return { width, height: base.height + (chips > 0 ? 22 : 0) };
}

function isInteraction(n: GraphNode): boolean {
  return n.type === 'interaction';
}

export function toGraphView(graph: TemplateGraph): GraphView {
  const interactionLabel = new Map(graph.nodes.filter(isInteraction).map((n) => [n.id, n.label]));
  const chips = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.kind !== 'interaction') continue;
    const label = interactionLabel.get(e.from);
    if (label !== undefined) chips.set(e.to, [...(chips.get(e.to) ?? []), label]);
  }
  const nodes: NodeView[] = graph.nodes
    .filter((n) => !isInteraction(n))
    .map((n) => {
      const type = n.type as NodeView['type'];
      const interactions = chips.get(n.id) ?? [];
      return {
        id: n.id,
        label: n.label,
        type,
        ...nodeSize(type, n.label, interactions.length),
        dynamic: n.dynamic === true,
        createdBy: n.createdBy ?? null,
        start: n.start === true,
        interactions,
        meta: n.meta,
        state: n.state ?? null,
        current: n.current === true,
      };
    });
  const ids = new Set(nodes.map((n) => n.id));
  const edges: EdgeView[] = graph.edges
    .filter((e) => e.kind !== 'interaction' && ids.has(e.from) && ids.has(e.to))
    .map((e) => ({
      id: e.id,
      source: e.from,
      target: e.to,
      kind: e.kind,
      label: e.label ?? null,
      taken: e.taken === true,
    }));
  const structureKey = JSON.stringify([
    nodes.map((n) => [n.id, n.width, n.height]),
    edges.map((e) => [e.id, e.label]),
  ]);
  return { kind: graph.kind, nodes, edges, structureKey };
}
