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

/**
 * Node text in flow units (renderer/styles.css draws it at these sizes): the name is 15 px so it
 * is still 10 px on screen at zoom 2/3, the zoom a small graph needs to fit a 1024×700 window.
 * Boxes are as small as that text allows: at 12 px names in 184 px wide boxes, fitting an
 * 8-state flow drew its names at 6–7 px.
 */
export const NODE_LABEL_PX = 15;

/**
 * Smallest box per node type: the name line (15 px), the type line (12 px) and the shape's
 * padding; a workflow step's is wide enough for its state line in a task ("✓ complete ×1/3").
 */
const BASE_SIZE: Record<NodeView['type'], { width: number; height: number }> = {
  standard: { width: 140, height: 48 },
  decision: { width: 150, height: 72 },
  deferred_convergence: { width: 148, height: 52 },
  batchable: { width: 152, height: 58 },
  batch_worker: { width: 148, height: 48 },
  wait: { width: 132, height: 52 },
  subtask: { width: 156, height: 48 },
  action: { width: 112, height: 48 },
  result: { width: 104, height: 46 },
};

/** The word for each node type on its second line (and in the inspector). */
export const TYPE_LABEL: Record<NodeView['type'], string> = {
  standard: 'step',
  decision: 'decision',
  deferred_convergence: 'convergence',
  batchable: 'batchable',
  batch_worker: 'batch worker',
  wait: 'wait',
  subtask: 'subtask',
  action: 'action',
  result: 'result',
};

/** The second line in a template: the type, and the handler when it is not named like the node. */
export function subLine(type: NodeView['type'], id: string, handler: unknown): string {
  return typeof handler === 'string' && handler !== id && type !== 'decision' ? `${TYPE_LABEL[type]} ${handler}` : TYPE_LABEL[type];
}
/** The second line is 11.5 px monospace. */
const SUB_PX_PER_CHAR = 7.2;

/** Width of a name in the node font (15 px system UI, semibold; measured up to 10.2 px a character for names like send_welcome). */
export function textWidth(text: string, pxPerChar = 10.2): number {
  return Math.ceil(text.length * pxPerChar);
}

const MAX_NODE_WIDTH = 360;
/** Horizontal room the shape's own decoration takes (diamond tips, hexagon points, padding): styles.css pads .node-body by these. */
const SHAPE_INSET: Record<NodeView['type'], number> = {
  standard: 26,
  decision: 60,
  deferred_convergence: 34,
  batchable: 40,
  batch_worker: 34,
  wait: 54,
  subtask: 46,
  action: 26,
  result: 46,
};
/** The tags before a name: START on a flow's first state, DYN on a step created at run time. */
const TAG_WIDTH = { start: 54, dynamic: 38 };

export function nodeSize(type: NodeView['type'], label: string, chips: number, tags: { start?: boolean; dynamic?: boolean } = {}, sub = ''): { width: number; height: number } {
  const base = BASE_SIZE[type];
  // A diamond's name sits where the diamond is narrower than its middle: half as much again.
  const text = textWidth(label) * (type === 'decision' ? 1.5 : 1);
  const name = Math.ceil(text) + (tags.start ? TAG_WIDTH.start : 0) + (tags.dynamic ? TAG_WIDTH.dynamic : 0);
  const second = Math.ceil(sub.length * SUB_PX_PER_CHAR * (type === 'decision' ? 1.5 : 1));
  const width = Math.min(MAX_NODE_WIDTH, Math.max(base.width, Math.max(name, second) + SHAPE_INSET[type]));
  return { width, height: base.height + (chips > 0 ? 20 : 0) };
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
        ...nodeSize(type, n.label, interactions.length, { start: n.start === true, dynamic: n.dynamic === true }, subLine(type, n.id, n.meta.handler)),
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
