/**
 * GraphViz DOT export of a TemplateGraph. PURE (no wasm): the renderer imports it; SVG
 * rendering lives in ./svg.ts.
 *
 * Output is stable: the same graph and options give the same bytes (nodes and edges in graph
 * order, attributes sorted by name), so a DOT file can live in docs and diff cleanly. Every
 * identifier is a quoted, escaped string, so names like `node`, `graph`, `a"b` or `a\b` are
 * safe.
 */
import type { GraphEdge, GraphNode, NodeRuntimeState, TemplateGraph } from './graphModel.js';
import { DEFAULT_FILL, DEFAULT_STROKE, DOT_SHAPES, EDGE_STYLES, STATE_STYLES } from './style.js';

export interface DotOptions {
  /** Per-node runtime states; override the states carried by the graph. */
  states?: Readonly<Record<string, NodeRuntimeState>>;
  /** Flows: the current state to highlight; overrides the graph's `current` flag. */
  current?: string;
  /** Layout direction (default TB). */
  rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
  /** Title drawn above the graph (default: the template id, plus the task id when there is one). */
  title?: string;
  fontname?: string;
}

/** A DOT quoted string: quotes and backslashes escaped, line breaks kept as `\n` escapes. */
export function dotString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n');
  return `"${escaped}"`;
}

type Attrs = Record<string, string | number>;

function attrList(attrs: Attrs): string {
  const keys = Object.keys(attrs).sort();
  return keys.length === 0 ? '' : ` [${keys.map((k) => `${k}=${dotString(String(attrs[k]))}`).join(', ')}]`;
}

/** A node id no graph node has, for the start marker of flows. */
function freshId(base: string, taken: Set<string>): string {
  let id = base;
  while (taken.has(id)) id += '_';
  return id;
}

export function toDot(graph: TemplateGraph, options: DotOptions = {}): string {
  const font = options.fontname ?? 'Helvetica';
  const title = options.title ?? (graph.taskId ? `${graph.id} — task ${graph.taskId}` : graph.id);
  const lines: string[] = [`digraph ${dotString(graph.id)} {`];
  lines.push(`  graph${attrList({ fontname: font, fontsize: 12, label: title, labelloc: 't', rankdir: options.rankdir ?? 'TB', nodesep: 0.4, ranksep: 0.5 })};`);
  lines.push(`  node${attrList({ fontname: font, fontsize: 11, color: DEFAULT_STROKE, fillcolor: DEFAULT_FILL, style: 'filled' })};`);
  lines.push(`  edge${attrList({ fontname: font, fontsize: 9, color: EDGE_STYLES.dependency.color })};`);

  const ids = new Set(graph.nodes.map((n) => n.id));
  const start = graph.nodes.find((n) => n.start);
  const startId = start ? freshId('__start__', ids) : undefined;
  if (startId) lines.push(`  ${dotString(startId)}${attrList({ color: DEFAULT_STROKE, fillcolor: DEFAULT_STROKE, label: '', shape: 'point', width: 0.15, tooltip: 'start' })};`);

  for (const node of graph.nodes) lines.push(`  ${dotString(node.id)}${attrList(nodeAttrs(node, options))};`);
  if (startId && start) lines.push(`  ${dotString(startId)} -> ${dotString(start.id)};`);
  for (const edge of graph.edges) {
    if (!ids.has(edge.from) || !ids.has(edge.to)) continue; // an undeclared target: validation reports it
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${attrList(edgeAttrs(edge))};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function nodeAttrs(node: GraphNode, options: DotOptions): Attrs {
  const shape = DOT_SHAPES[node.type];
  const state = options.states?.[node.id] ?? node.state;
  const current = options.current !== undefined ? options.current === node.id : node.current === true;
  const styles = [shape.style, 'filled'];
  const attrs: Attrs = { shape: shape.shape, label: node.label, tooltip: tooltip(node, state) };
  if (node.dynamic) styles.push('dashed');
  if (state) {
    const s = STATE_STYLES[state];
    attrs.fillcolor = s.fill;
    attrs.color = s.stroke;
    attrs.label = `${node.label}\n${s.marker}`;
    if (s.dashed) styles.push('dashed');
  }
  if (current) {
    styles.push('bold');
    attrs.penwidth = 3;
    attrs.label = `${attrs.label}\n(current)`;
  }
  attrs.style = [...new Set(styles.filter((s): s is string => s !== undefined))].join(',');
  return attrs;
}

function tooltip(node: GraphNode, state: NodeRuntimeState | undefined): string {
  const parts = [`${node.label} (${node.type}${node.dynamic ? ', dynamic' : ''})`];
  if (node.createdBy) parts.push(`created by ${node.createdBy}`);
  if (typeof node.meta.handler === 'string') parts.push(`handler: ${node.meta.handler}`);
  if (state) parts.push(`state: ${state}`);
  if (typeof node.meta.error === 'string') parts.push(`error: ${node.meta.error}`);
  return parts.join('\n');
}

function edgeAttrs(edge: GraphEdge): Attrs {
  const style = EDGE_STYLES[edge.kind];
  const attrs: Attrs = {};
  if (edge.kind !== 'dependency' && edge.kind !== 'transition') {
    attrs.style = style.style;
    attrs.color = style.color;
  }
  if (edge.kind === 'interaction') attrs.arrowhead = 'empty';
  if (edge.label !== undefined) attrs.label = edge.order !== undefined ? `${edge.order}. ${edge.label}` : edge.label;
  if (edge.taken) attrs.penwidth = 2;
  return attrs;
}
