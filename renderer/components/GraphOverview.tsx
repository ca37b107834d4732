/**
 * A big graph seen from afar: every node as one SVG rectangle and every edge route in a few
 * combined paths, drawn by one component inside React Flow's viewport (so pan and zoom still
 * apply). Used for graphs over BIG_GRAPH nodes below DETAIL_ZOOM, where node text is unreadable
 * anyway: mounting 1,000 React Flow nodes (each a store subscriber, measured by a
 * ResizeObserver) cost main-thread tasks of 0.4 s and more, this costs one short render.
 * Zooming in past DETAIL_ZOOM mounts the real nodes again (only the visible ones).
 * Rectangles keep `data-step`/`data-state`/`data-type` and a click opens the inspector.
 */
import { memo, useMemo, type MouseEvent } from 'react';
import { ViewportPortal } from '@xyflow/react';
import { DEFAULT_FILL, STATE_STYLES } from '../../core/export/style.js';
import type { GraphView } from '../lib/graphView.js';
import type { LayoutResult } from '../lib/layout.js';
import type { LiveState } from '../lib/liveState.js';
import { roundedPath } from './ElkEdge.js';
import { TYPE_STROKE } from './StepNode.js';

const MUTED = new Set(['skipped', 'cancelled']);

interface Props {
  view: GraphView;
  result: LayoutResult;
  live: LiveState | null;
  selected: string | null;
  onOpenNode: (id: string) => void;
}

/** Edge routes joined into one path per look (normal, muted, taken): a few elements, not thousands. */
export function overviewEdgePaths(view: GraphView, result: LayoutResult, live: LiveState | null): Record<'normal' | 'muted' | 'taken', string> {
  const out = { normal: [] as string[], muted: [] as string[], taken: [] as string[] };
  for (const e of view.edges) {
    const route = result.routes[e.id];
    if (!route || route.points.length < 2) continue;
    const target = live?.nodes[e.target]?.state;
    const look = e.taken ? 'taken' : target && MUTED.has(target) ? 'muted' : 'normal';
    out[look].push(roundedPath(route.points));
  }
  return { normal: out.normal.join(' '), muted: out.muted.join(' '), taken: out.taken.join(' ') };
}

/** Rectangles per slice: one slice is one React render (a few ms per hundred under load). */
export const OVERVIEW_SLICE = 500;

interface RectsProps {
  nodes: GraphView['nodes'];
  kind: GraphView['kind'];
  result: LayoutResult;
  live: LiveState | null;
  selected: string | null;
}

/** One slice of the overview's rectangles (memoized: a later slice mounting leaves it alone). */
const OverviewRects = memo(function OverviewRects({ nodes, kind, result, live, selected }: RectsProps) {
  const runtime = live !== null;
  return (
    <>
      {nodes.map((n) => {
        const p = result.positions[n.id];
        if (!p) return null;
        const state = live?.nodes[n.id]?.state ?? null;
        const style = state ? STATE_STYLES[state] : runtime && kind === 'workflow' ? STATE_STYLES.pending : null;
        const name = !runtime ? 'none' : (state ?? (kind === 'flow' ? 'unvisited' : 'pending'));
        return (
          <rect
            key={n.id}
            data-step={n.id}
            data-state={name}
            data-type={n.type}
            x={p.x}
            y={p.y}
            width={n.width}
            height={n.height}
            rx={n.type === 'decision' ? n.height / 2 : 8}
            fill={style?.fill ?? DEFAULT_FILL}
            stroke={n.id === selected ? '#2563eb' : (style?.stroke ?? TYPE_STROKE[n.type])}
            strokeWidth={n.id === selected ? 12 : 6}
            style={{ cursor: 'pointer', pointerEvents: 'all' }}
          >
            <title>{`${n.label} (${n.type})${runtime ? `: ${name}` : ''}`}</title>
          </rect>
        );
      })}
    </>
  );
});

/**
 * The overview; `shown` rectangles of it so far at `result`'s positions (GraphCanvas grows it by
 * OVERVIEW_SLICE per frame: 5,000 rectangles in one render were a main-thread task of 3.5 s under
 * load); the others at `previous`'s, the layout being replaced, when there is one.
 */
function GraphOverviewImpl({ view, result, previous, live, selected, onOpenNode, shown, hidden }: Props & { shown: number; previous: LayoutResult | null; hidden: boolean }) {
  const paths = useMemo(() => overviewEdgePaths(view, result, live), [view, result, live]);
  const slices = useMemo(() => {
    const out: GraphView['nodes'][] = [];
    for (let i = 0; i < view.nodes.length; i += OVERVIEW_SLICE) out.push(view.nodes.slice(i, i + OVERVIEW_SLICE));
    return out;
  }, [view]);
  const onClick = (event: MouseEvent<SVGSVGElement>) => {
    const id = (event.target as Element).closest('[data-step]')?.getAttribute('data-step');
    if (id) onOpenNode(id);
  };
  return (
    <ViewportPortal>
      <svg
        className="graph-overview"
        width={result.width}
        height={result.height}
        style={{ position: 'absolute', left: 0, top: 0, overflow: 'visible', ...(hidden ? { display: 'none' } : {}) }}
        aria-hidden={hidden || undefined}
        onClick={onClick}
        aria-label={`${view.nodes.length} nodes, zoomed out; zoom in to read them`}
      >
        <path d={paths.normal} fill="none" stroke="#9ca3af" strokeWidth={1.4} vectorEffect="non-scaling-stroke" />
        <path d={paths.muted} fill="none" stroke="#cbd5e1" strokeWidth={1.4} vectorEffect="non-scaling-stroke" />
        <path d={paths.taken} fill="none" stroke="#15803d" strokeWidth={2} vectorEffect="non-scaling-stroke" />
        {slices.map((nodes, i) => {
          const at = i * OVERVIEW_SLICE < shown ? result : previous;
          return at ? <OverviewRects key={i} nodes={nodes} kind={view.kind} result={at} live={live} selected={selected} /> : null;
        })}
      </svg>
    </ViewportPortal>
  );
}

export const GraphOverview = memo(GraphOverviewImpl);
