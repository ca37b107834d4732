/**
 * Mermaid flowchart export of a TemplateGraph. PURE and stable like the DOT export.
 * Node ids are generated (`n0`, `n1`, ...) because Mermaid ids are a restricted alphabet and
 * some words (`end`, ids starting with `o`/`x` after an arrow) change the meaning of a line;
 * the names live only in quoted, entity-escaped labels.
 */
import type { GraphEdge, GraphNode, NodeRuntimeState, TemplateGraph } from './graphModel.js';
import { MERMAID_SHAPES, STATE_STYLES } from './style.js';

export interface MermaidOptions {
  /** Per-node runtime states; override the states carried by the graph. */
  states?: Readonly<Record<string, NodeRuntimeState>>;
  /** Flows: the current state to highlight; overrides the graph's `current` flag. */
  current?: string;
  direction?: 'TB' | 'LR' | 'BT' | 'RL';
}

/** Text inside a quoted Mermaid label: characters with syntax meaning become `#code;` entities. */
export function mermaidText(value: string): string {
  return value
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/["#&<>`|\\[\]{}()]/g, (c) => `#${c.codePointAt(0)};`))
    .join('<br/>');
}

/** A quoted label; Mermaid refuses an empty one (`{""}`), so an empty name shows as a space. */
const label = (text: string) => `"${mermaidText(text) || ' '}"`;

export function toMermaid(graph: TemplateGraph, options: MermaidOptions = {}): string {
  const idOf = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = [`%% ${graph.id.replace(/[\r\n]/g, ' ')}${graph.taskId ? ` task ${graph.taskId}` : ''}`];
  lines.push(`flowchart ${options.direction ?? 'TB'}`);
  const start = graph.nodes.find((n) => n.start);
  if (start) lines.push('  start((" "))');
  const classes = new Map<string, string[]>();
  const addClass = (cls: string, id: string) => classes.set(cls, [...(classes.get(cls) ?? []), id]);

  for (const node of graph.nodes) {
    const id = idOf.get(node.id)!;
    const state = options.states?.[node.id] ?? node.state;
    const current = options.current !== undefined ? options.current === node.id : node.current === true;
    lines.push(`  ${id}${nodeShape(node, state, current)}`);
    if (state) addClass(`st_${state}`, id);
    if (node.dynamic) addClass('dynamic', id);
    if (current) addClass('current', id);
  }
  if (start) lines.push(`  start --> ${idOf.get(start.id)}`);
  for (const edge of graph.edges) {
    const from = idOf.get(edge.from);
    const to = idOf.get(edge.to);
    if (from && to) lines.push(`  ${from} ${arrow(edge)} ${to}`);
  }

  if (start) lines.push('  classDef startPoint fill:#111827,stroke:#111827', '  class start startPoint');
  for (const [cls, ids] of [...classes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(`  classDef ${cls} ${classStyle(cls)}`);
    lines.push(`  class ${ids.join(',')} ${cls}`);
  }
  return lines.join('\n') + '\n';
}

function nodeShape(node: GraphNode, state: NodeRuntimeState | undefined, current: boolean): string {
  const [open, close] = MERMAID_SHAPES[node.type];
  const text = [node.label];
  if (state) text.push(STATE_STYLES[state].marker);
  if (current) text.push('(current)');
  return `${open}${label(text.join('\n'))}${close}`;
}

function arrow(edge: GraphEdge): string {
  const text = edge.label === undefined ? '' : edge.order !== undefined ? `${edge.order}. ${edge.label}` : edge.label;
  const head = edge.kind === 'timeout' || edge.kind === 'interaction' ? '-.->' : edge.taken ? '==>' : '-->';
  return text ? `${head}|${label(text)}|` : head;
}

function classStyle(cls: string): string {
  if (cls === 'dynamic') return 'stroke-dasharray:5 3';
  if (cls === 'current') return 'stroke-width:4px';
  const s = STATE_STYLES[cls.slice('st_'.length) as NodeRuntimeState];
  return `fill:${s.fill},stroke:${s.stroke}${s.dashed ? ',stroke-dasharray:4 3' : ''}`;
}
