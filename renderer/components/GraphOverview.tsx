/**
 * A big graph seen from afar: every node as one SVG rectangle and every edge route in a few
 * combined paths, drawn by one component inside React Flow's viewport (so pan and zoom still
 * apply). Used for graphs over BIG_GRAPH nodes below DETAIL_ZOOM, where node text is unreadable
 * anyway: mounting 1,000 React Flow nodes (each a store subscriber, measured by a
 * ResizeObserver) cost main-thread tasks of 0.4 s and more, this costs one short render.
 * Zooming in past DETAIL_ZOOM mounts the real nodes again (only the visible ones).
 * Rectangles keep `data-step`/`data-state`/`data-type` and a click opens the inspector; the
 * rectangles are SVG markup per slice (overviewRectsMarkup), not React elements.
 */
import { memo, useMemo, useRef, type MouseEvent, type PointerEvent } from 'react';
import { ViewportPortal } from '@xyflow/react';
import type { GraphView } from '../lib/graphView.js';
import type { LayoutResult } from '../lib/layout.js';
import type { LiveState } from '../lib/liveState.js';
import { overviewRectsMarkup, type RectsProps } from '../lib/overviewMarkup.js';
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

/** Rectangles per slice: one slice is one markup string parsed in one frame (a few ms per hundred under load). */
export const OVERVIEW_SLICE = 1000;

/** One slice of the overview's rectangles (memoized: a later slice mounting leaves it alone). */
const OverviewRects = memo(function OverviewRects(props: RectsProps) {
  const { nodes, kind, result, live, selected } = props;
  const html = useMemo(() => overviewRectsMarkup({ nodes, kind, result, live, selected }, TYPE_STROKE), [nodes, kind, result, live, selected]);
  // cursor and pointer-events are inherited: set once here, not on every rectangle.
  return <g style={{ cursor: 'pointer', pointerEvents: 'all' }} dangerouslySetInnerHTML={{ __html: html }} />;
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
  const byId = useMemo(() => new Map(view.nodes.map((n) => [n.id, n])), [view]);
  const tooltip = useRef<HTMLTitleElement>(null); // React types <title> as HTML even inside <svg>
  // The one tooltip: the node under the pointer (a <title> per rectangle doubled the elements).
  const onPointerOver = (event: PointerEvent<SVGSVGElement>) => {
    const rect = (event.target as Element).closest('[data-step]');
    const n = rect ? byId.get(rect.getAttribute('data-step') ?? '') : undefined;
    if (!tooltip.current) return;
    tooltip.current.textContent = n ? `${n.label} (${n.type})${live !== null ? `: ${rect!.getAttribute('data-state')}` : ''}` : '';
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
        onPointerOver={onPointerOver}
        aria-label={`${view.nodes.length} nodes, zoomed out; zoom in to read them`}
      >
        <title ref={tooltip} />
        <path d={paths.normal} fill="none" stroke="#9ca3af" strokeWidth={1.4} vectorEffect="non-scaling-stroke" />
        <path d={paths.muted} fill="none" stroke="#cbd5e1" strokeWidth={1.4} vectorEffect="non-scaling-stroke" />
        <path d={paths.taken} fill="none" stroke="#15803d" strokeWidth={2} vectorEffect="non-scaling-stroke" />
        {slices.map((nodes, i) => {
          const at = i * OVERVIEW_SLICE < shown ? result : previous;
          // Only the slice holding the selected node draws it (a selection re-renders one or two slices).
          const chosen = selected !== null && nodes.some((n) => n.id === selected) ? selected : null;
          return at ? <OverviewRects key={i} nodes={nodes} kind={view.kind} result={at} live={live} selected={chosen} /> : null;
        })}
      </svg>
    </ViewportPortal>
  );
}

export const GraphOverview = memo(GraphOverviewImpl);
