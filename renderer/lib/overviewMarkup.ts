/**
 * The big-graph overview's rectangles as SVG markup (PURE; ../components/GraphOverview.tsx sets
 * it per slice).
 */
import { DEFAULT_FILL, STATE_STYLES } from '../../core/export/style.js';
import type { GraphView } from './graphView.js';
import type { LayoutResult } from './layout.js';
import type { LiveState } from './liveState.js';

export interface RectsProps {
  nodes: GraphView['nodes'];
  kind: GraphView['kind'];
  result: LayoutResult;
  live: LiveState | null;
  selected: string | null;
}

/** Text safe inside a double-quoted attribute. */
const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The state name a rectangle carries (`data-state`): none in a template, pending/unvisited before a node's first state. */
function stateName(kind: GraphView['kind'], live: LiveState | null, id: string): string {
  if (live === null) return 'none';
  return live.nodes[id]?.state ?? (kind === 'flow' ? 'unvisited' : 'pending');
}

/**
 * One slice's rectangles as SVG markup (`typeStroke`: the outline per node type without a state). Parsed by the browser in one go instead of created
 * element by element by React: 5,000 rectangles (with a <title> each) were 10,000 React
 * elements, most of a big graph's drawing time (script and style per element). The tooltip is
 * the overview's one <title>, set to the rectangle under the pointer.
 */
export function overviewRectsMarkup({ nodes, kind, result, live, selected }: RectsProps, typeStroke: Readonly<Record<string, string>>): string {
  const runtime = live !== null;
  let out = '';
  for (const n of nodes) {
    const p = result.positions[n.id];
    if (!p) continue;
    const state = live?.nodes[n.id]?.state ?? null;
    const style = state ? STATE_STYLES[state] : runtime && kind === 'workflow' ? STATE_STYLES.pending : null;
    const chosen = n.id === selected;
    out +=
      `<rect data-step="${attribute(n.id)}" data-state="${stateName(kind, live, n.id)}" data-type="${n.type}" x="${p.x}" y="${p.y}" width="${n.width}" height="${n.height}"` +
      ` rx="${n.type === 'decision' ? n.height / 2 : 8}" fill="${style?.fill ?? DEFAULT_FILL}" stroke="${chosen ? '#2563eb' : (style?.stroke ?? typeStroke[n.type])}" stroke-width="${chosen ? 12 : 6}"></rect>`;
  }
  return out;
}
