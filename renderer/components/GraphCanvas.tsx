/**
 * The canvas: lays a GraphView out in the worker (again only when its structure or the
 * direction changes, never for a state change), then hands positioned nodes and ELK-routed
 * edges to React Flow. Keyboard: Tab moves between nodes, Enter opens the inspector.
 */
import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { MarkerType, ReactFlow, Background, ControlButton, Controls, MiniMap, useReactFlow, useStore, type NodeTypes, type EdgeTypes } from '@xyflow/react';
import type { GraphView } from '../lib/graphView.js';
import { COMPACT_MAX_NODES, layoutRequestOf, type Direction, type LayoutResult } from '../lib/layout.js';
import { layoutByKey, layoutGraph, type LayoutOutcome } from '../lib/layoutClient.js';
import type { LiveState } from '../lib/liveState.js';
import { STATE_STYLES } from '../../core/export/style.js';
import { DETAIL_ZOOM, StepNode, type StepFlowNode } from './StepNode.js';
import { markFit, useRefitOnResize } from './useRefitOnResize.js';
import { chooseDirection, fitViewport, labelScale, readableViewport, type DirectionChoice } from '../lib/readableFit.js';
import { GraphOverview, OVERVIEW_SLICE } from './GraphOverview.js';
import { crowdedView, cullKey, cullRect, type Viewport } from '../lib/graphCulling.js';
import { ElkEdge, type ElkEdgeData, type ElkFlowEdge } from './ElkEdge.js';

const nodeTypes: NodeTypes = { step: StepNode };
const edgeTypes: EdgeTypes = { elk: ElkEdge };
const MUTED = new Set(['skipped', 'cancelled']);

const MIN_ZOOM = 0.02;
/** Nodes mounted per animation frame. */
const MOUNT_SLICE = 120;
/**
 * Above this many nodes, a zoomed-out graph is drawn as one overview picture (GraphOverview)
 * and zoomed in only the visible nodes are mounted: mounting every node of a 1,000-step graph
 * into React Flow cost main-thread tasks of 0.4 s and more however it was sliced, because each
 * slice re-ran every mounted node's store selectors.
 */
export const BIG_GRAPH = 300;
/**
 * Most nodes in view for a big graph to leave its overview: zoomed in just past DETAIL_ZOOM a
 * 5,000-step graph still shows ~500 nodes, and mounting them (each a store subscriber, measured,
 * with its handles and edges) was a main-thread task of seconds under load.
 */
export const MAX_MOUNTED = 60;


const hasRoomForMinimap = (s: { width: number; height: number }) => s.width >= 520 && s.height >= 340;
/** Room for a small minimap (shown only while part of the graph is out of view: it then shows the rest). */
const hasRoomForSmallMinimap = (s: { width: number; height: number }) => s.width >= 420 && s.height >= 240;

/** Keeps `--label-scale` on the canvas in step with the zoom (edge labels read it). */
function LabelScale({ target }: { target: React.RefObject<HTMLDivElement | null> }) {
  const zoom = useStore((s) => s.transform[2]);
  useEffect(() => {
    target.current?.style.setProperty('--label-scale', labelScale(zoom).toFixed(3));
    target.current?.setAttribute('data-zoom', zoom.toFixed(3));
  }, [zoom, target]);
  return null;
}

interface Props {
  view: GraphView;
  /** AUTO: left to right or top to bottom, whichever fits the canvas at the larger zoom (small graphs). */
  direction: DirectionChoice;
  live: LiveState | null;
  selected: string | null;
  onOpenNode: (id: string) => void;
  /** Debugger marks per node: a breakpoint, or an emphasis (what blocks the selected step, what depends on it). */
  marks?: Readonly<Record<string, NodeMark>>;
  /** The layout the host sent with the graph (core/host/pageLayout.ts): drawn without asking again. */
  prefetched?: PrefetchedLayout | null;
}

/** A layout that came with the graph: ELK's (cached by the host), or a quick one while ELK's is on its way. */
export interface PrefetchedLayout {
  direction: Direction;
  result: LayoutResult;
  source: 'memory' | 'disk' | 'quick';
  /** The cache key of the layout request: ELK's layout is asked for by it after a quick one. */
  key: string;
}

/** Whether `layout` places every node of `view` (it was made for this graph, in `direction`). */
function prefetchedFor(layout: PrefetchedLayout | null | undefined, view: GraphView, direction: Direction): layout is PrefetchedLayout {
  if (!layout || layout.direction !== direction) return false;
  const positions = layout.result.positions;
  return view.nodes.every((n) => positions[n.id] !== undefined);
}

export interface NodeMark {
  breakpoint?: boolean;
  emphasis?: 'blocking' | 'downstream';
}

function markClass(m: NodeMark | undefined): string | undefined {
  if (!m) return undefined;
  return [m.breakpoint ? 'has-breakpoint' : '', m.emphasis ? `emph-${m.emphasis}` : ''].filter(Boolean).join(' ') || undefined;
}

function markLabel(m: NodeMark | undefined): string {
  if (!m) return '';
  return `${m.breakpoint ? ', breakpoint' : ''}${m.emphasis === 'blocking' ? ', holds the selected step back' : m.emphasis === 'downstream' ? ', downstream of the selected step' : ''}`;
}

interface Laid {
  key: string;
  result: LayoutResult;
  source?: string;
  warning: string | null;
  ms: number;
  elkMs: number | null;
  /** The layout this one replaced for the same graph (the quick one ELK's replaces), drawn until replaced slice by slice. */
  previous: LayoutResult | null;
  /** The direction drawn (the choice, or what AUTO chose). */
  direction: Direction;
  /** AUTO's layouts of both directions, to turn the graph around when the canvas changes shape. */
  options: Partial<Record<Direction, LayoutOutcome>>;
}

/** Where the first view starts when the whole graph cannot be read: the entry (a flow's start state, else the first node). */
function entryBox(view: GraphView, result: LayoutResult): { x: number; y: number; width: number; height: number } | null {
  const entry = view.nodes.find((n) => n.start) ?? view.nodes[0];
  const at = entry ? result.positions[entry.id] : undefined;
  return entry && at ? { ...at, width: entry.width, height: entry.height } : null;
}

export function GraphCanvas({ view, direction, live, selected, onOpenNode, marks, prefetched }: Props) {
  const key = `${direction}|${view.structureKey}`;
  const [laid, setLaid] = useState<Laid | null>(null);
  const [mounted, setMounted] = useState(0);
  const [failed, setFailure] = useState<{ key: string; message: string } | null>(null);
  // A failure concerns the layout it was asked for; a new structure tries again.
  const failure = failed?.key === key ? failed.message : null;
  const flow = useReactFlow();
  const wrapRef = useRef<HTMLDivElement>(null);
  // The layout runs per structure (key), not per view object: it reads the view as it starts.
  const viewNow = useEffectEvent(() => view);
  const prefetchedNow = useEffectEvent(() => prefetched);
  // The viewport of the last fit: a better layout of the same graph (ELK's after the quick one)
  // fits again only when the user has not moved since.
  const lastFit = useRef<{ key: string; x: number; y: number; zoom: number } | null>(null);
  const fitTo = useEffectEvent((result: LayoutResult) => {
    const el = wrapRef.current;
    if (!el) return;
    const now = flow.getViewport();
    const last = lastFit.current;
    if (last?.key === key && (Math.abs(now.x - last.x) > 0.5 || Math.abs(now.y - last.y) > 0.5 || Math.abs(now.zoom - last.zoom) > 1e-4)) return;
    firstView(el, result);
  });
  /** The first view of `result` in the canvas `el`: whole if readable, else readable around the selection or the entry. */
  const firstView = (el: HTMLElement, result: LayoutResult) => {
    const at = selected ? result.positions[selected] : undefined;
    const sel = selected ? view.nodes.find((n) => n.id === selected) : undefined;
    const focus = at && sel ? { ...at, width: sel.width, height: sel.height } : entryBox(view, result);
    const { whole: _, ...fit } = readableViewport(result, el.clientWidth, el.clientHeight, view.nodes.length, focus);
    lastFit.current = { key, ...fit };
    markFit(el, flow.setViewport(fit));
  };
  // A new layout mounts again from its first slice (in the same render: mounting the whole graph
  // at the new positions first, then cutting it back, were two of the longest tasks).
  const place = useEffectEvent((outcome: LayoutOutcome, drawn: Direction, options: Laid['options']) => {
    fitTo(outcome.result);
    setLaid((old) => ({ key, ...outcome, previous: old?.key === key && old.direction === drawn ? old.result : null, direction: drawn, options }));
    setMounted(0);
  });

  useEffect(() => {
    const controller = new AbortController();
    const current = viewNow();
    const given = prefetchedNow();
    performance.mark('stepwise:layout-start');
    // One direction's layout: the one the host sent with the graph, else asked for. A big graph
    // the host has not laid out yet draws a quick layout first, ELK's replaces it.
    const ask = (d: Direction, quick: boolean): Promise<LayoutOutcome> => {
      const withGraph = prefetchedFor(given, current, d);
      if (withGraph && given.source !== 'quick') return Promise.resolve({ result: given.result, source: given.source, warning: null, ms: 0, elkMs: null });
      if (withGraph && quick) {
        performance.mark('stepwise:layout-quick');
        place({ result: given.result, source: given.source, warning: null, ms: 0, elkMs: null }, d, {});
      }
      // ELK's after the host's quick one: asked for by the key it came with (the host is computing it).
      if (withGraph) return layoutByKey(given.key, () => layoutRequestOf(current, d), controller.signal);
      return layoutGraph(layoutRequestOf(current, d), {
        signal: controller.signal,
        ...(quick
          ? {
              onQuick: (outcome: LayoutOutcome) => {
                performance.mark('stepwise:layout-quick');
                place(outcome, d, {});
              },
            }
          : {}),
      });
    };
    // AUTO lays a normal-sized graph out both ways (two small ELK runs, both cached by the host)
    // and draws the one that fits the canvas better; a big graph goes left to right.
    const both = direction === 'AUTO' && current.nodes.length <= COMPACT_MAX_NODES;
    const asked: Direction[] = both ? ['RIGHT', 'DOWN'] : [direction === 'AUTO' ? 'RIGHT' : direction];
    Promise.all(asked.map((d) => ask(d, !both))).then(
      (outcomes) => {
        performance.mark('stepwise:layout-done');
        const options: Laid['options'] = Object.fromEntries(asked.map((d, i) => [d, outcomes[i]!]));
        const el = wrapRef.current;
        const drawn = both && el ? chooseDirection({ RIGHT: outcomes[0]!.result, DOWN: outcomes[1]!.result }, el.clientWidth, el.clientHeight) : asked[0]!;
        // The fitted viewport is set before the nodes mount: mounting a big graph twice (once at
        // the old zoom, again after fitView) was the longest main-thread task.
        place(options[drawn]!, drawn, both ? options : {});
      },
      (err: unknown) => {
        if ((err as { name?: string }).name !== 'AbortError') setFailure({ key, message: String(err) });
      },
    );
    return () => controller.abort();
  }, [key, direction]);

  const layingOut = laid?.key !== key && failure === null;
  const big = view.nodes.length > BIG_GRAPH;
  // Zoomed out (text unreadable), or too many nodes in view to mount them in one task.
  const result = laid?.result ?? null;
  const far = useStore(
    useCallback((s: Viewport) => s.transform[2] < DETAIL_ZOOM || (big && result !== null && crowdedView(view, result, s, MAX_MOUNTED)), [big, result, view]),
  );
  // The minimap only while part of the graph is out of view, and only where it has room (it would cover nodes).
  const roomy = useStore(hasRoomForMinimap);
  const someRoom = useStore(hasRoomForSmallMinimap);
  // Part of the graph is out of view (a readable zoom on a small canvas, or the user zoomed in).
  const partial = useStore(
    useCallback(
      (s: Viewport & { width: number; height: number }) => {
        if (!result) return false;
        const [x, y, zoom] = s.transform;
        return x < -1 || y < -1 || x + result.width * zoom > s.width + 1 || y + result.height * zoom > s.height + 1;
      },
      [result],
    ),
  );
  const overview = big && far;
  // Zoomed in on a big graph: only the nodes around the viewport are handed to React Flow.
  const cull = useStore(useCallback((s: Viewport) => (big ? cullKey(s) : ''), [big]));


  // Big graphs mount a slice per frame: one frame mounting 1,000 nodes and their edges was a
  // multi-second main-thread task; slices keep the page responsive while the graph appears.
  useEffect(() => {
    if (!laid) return;
    const total = view.nodes.length;
    // Big graphs are an overview first (zoomed in only the visible nodes mount): its rectangles
    // mount a slice per frame too.
    const slice = big ? OVERVIEW_SLICE : MOUNT_SLICE;
    let count = Math.min(total, slice);
    setMounted(count);
    if (count >= total) return;
    let frame = requestAnimationFrame(function grow() {
      count = Math.min(total, count + slice);
      setMounted(count);
      if (count < total) frame = requestAnimationFrame(grow);
    });
    return () => cancelAnimationFrame(frame);
    // Only a new layout restarts mounting; state changes keep what is mounted.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [laid]);
  const complete = laid !== null && mounted >= view.nodes.length;

  // Node objects are reused while their inputs are unchanged, so a state change re-renders the
  // nodes it concerns, not all of them.
  const cache = useRef(new Map<string, { key: unknown[]; node: StepFlowNode }>());
  const nodes = useMemo((): StepFlowNode[] => {
    if (!laid || overview) return [];
    const out: StepFlowNode[] = [];
    const next = new Map<string, { key: unknown[]; node: StepFlowNode }>();
    const around = cull === '' ? null : cullRect(cull);
    for (const n of view.nodes.slice(0, mounted)) {
      const position = laid.result.positions[n.id];
      if (!position) continue;
      if (around && (position.x > around.right || position.y > around.bottom || position.x + n.width < around.left || position.y + n.height < around.top)) continue;
      const liveNode = live?.nodes[n.id] ?? null;
      const mark = marks?.[n.id];
      const key = [n, position, liveNode, n.id === selected, laid.direction, live !== null, mark];
      const previous = cache.current.get(n.id);
      const node =
        previous && previous.key.every((k, i) => k === key[i])
          ? previous.node
          : {
              id: n.id,
              type: 'step' as const,
              position,
              width: n.width,
              height: n.height,
              selected: n.id === selected,
              ariaLabel: `${n.label}, ${n.type}${live ? `, ${liveNode?.state ?? 'pending'}` : ''}${markLabel(mark)}`,
              ...(mark ? { className: markClass(mark) } : {}),
              data: { view: n, live: liveNode, runtime: live !== null, direction: laid.direction, kind: view.kind },
            };
      next.set(n.id, { key, node });
      out.push(node);
    }
    cache.current = next;
    return out;
  }, [laid, view, live, selected, mounted, marks, overview, cull]);
  const mountedIds = useMemo(() => new Set(nodes.map((n) => n.id)), [nodes]);

  // Edge objects are reused too: a new object per edge per frame re-rendered every mounted edge
  // (and rebuilt its path) on each mounting slice, the longest main-thread task of a big graph.
  const edgeCache = useRef(new Map<string, { key: unknown[]; edge: ElkFlowEdge }>());
  const edges = useMemo((): ElkFlowEdge[] => {
    if (!laid || overview) return [];
    const out: ElkFlowEdge[] = [];
    const next = new Map<string, { key: unknown[]; edge: ElkFlowEdge }>();
    for (const e of view.edges) {
      if (!mountedIds.has(e.source) || !mountedIds.has(e.target)) continue;
      const targetState = live?.nodes[e.target]?.state;
      const emphasis: ElkEdgeData['emphasis'] = e.taken ? 'taken' : targetState && MUTED.has(targetState) ? 'muted' : 'normal';
      const route = laid.key === key ? (laid.result.routes[e.id] ?? null) : null;
      const cacheKey = [e, route, emphasis];
      const previous = edgeCache.current.get(e.id);
      const edge =
        previous && previous.key.every((k, i) => k === cacheKey[i])
          ? previous.edge
          : {
              id: e.id,
              source: e.source,
              target: e.target,
              type: 'elk' as const,
              focusable: false,
              markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: emphasis === 'muted' ? '#cbd5e1' : emphasis === 'taken' ? '#15803d' : '#6b7280' },
              data: { route, kind: e.kind, label: e.label, emphasis },
            };
      next.set(e.id, { key: cacheKey, edge });
      out.push(edge);
    }
    edgeCache.current = next;
    return out;
  }, [laid, view, live, key, mountedIds, overview]);

  // Fit the whole graph once per new layout (not on state changes).
  const fittedKey = useRef<string | null>(null);
  useEffect(() => {
    if (!laid || laid.key !== key || !complete || fittedKey.current === key) return;
    // Marked once per layout key, in the frame after the graph is complete; a newer layout (ELK's
    // after the quick one) cancelling this frame marks at its own completion instead.
    const frame = requestAnimationFrame(() => {
      fittedKey.current = key;
      performance.mark('stepwise:graph-drawn');
    });
    return () => cancelAnimationFrame(frame);
  }, [laid, key, complete]);

  // When the canvas is resized (the inspector opens or closes, the window changes), fit the
  // graph again (or keep a selected node of a big graph in view).
  // AUTO turns the graph around when the canvas changes shape so much that the drawn direction
  // no longer fits readably and the other fits clearly better.
  const turn = (w: number, h: number): boolean => {
    if (!laid?.options.RIGHT || !laid.options.DOWN) return false;
    const next = chooseDirection({ RIGHT: laid.options.RIGHT.result, DOWN: laid.options.DOWN.result }, w, h, laid.direction);
    const el = wrapRef.current;
    if (next === laid.direction || !el) return false;
    const outcome = laid.options[next]!;
    firstView(el, outcome.result);
    setLaid({ ...laid, ...outcome, previous: null, direction: next });
    setMounted(0);
    return true;
  };
  useRefitOnResize(wrapRef, laid?.result ?? null, selected, (id) => view.nodes.find((x) => x.id === id), view.nodes.length, { onResize: turn });

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Enter') return;
    const target = (event.target as HTMLElement).closest('.react-flow__node');
    const id = target?.getAttribute('data-id');
    if (id) {
      event.preventDefault();
      onOpenNode(id);
    }
  };

  return (
    <div
      className="canvas-wrap"
      ref={wrapRef}
      onKeyDown={onKeyDown}
      data-graph-ready={String(!layingOut && complete)}
      data-node-count={overview ? view.nodes.length : nodes.length}
      data-overview={String(overview)}
      data-layout-engine={laid?.result.engine ?? ''}
      data-direction={laid?.direction ?? ''}
      data-layout-ms={laid ? Math.round(laid.ms) : ''}
      {...(live?.currentState ? { 'data-current-state': live.currentState } : {})}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        elementsSelectable
        onlyRenderVisibleElements={big}
        minZoom={MIN_ZOOM}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_, node) => onOpenNode(node.id)}
        aria-label="Workflow graph"
      >
        {/* Kept mounted (hidden) while zoomed in: mounting its 5,000 rectangles again on the way out was a 1.6 s task. */}
        {big && laid ? <GraphOverview view={view} result={laid.result} previous={laid.previous} live={live} selected={selected} onOpenNode={onOpenNode} shown={mounted} hidden={!overview} /> : null}
        <Background gap={20} size={1} color="#e3e6eb" />
        <LabelScale target={wrapRef} />
        {/* Fit is ours: always the whole graph (the first view of a graph too big to read whole is a readable part of it). */}
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton
            className="react-flow__controls-fitview"
            aria-label="Fit View"
            title="Fit View"
            onClick={() => {
              const el = wrapRef.current;
              if (el && laid) markFit(el, flow.setViewport(fitViewport(laid.result, el.clientWidth, el.clientHeight)));
            }}
          >
            <svg viewBox="0 0 32 30" width="12" height="12" aria-hidden="true">
              <path d="M3.7 11.4v-7.7h7.7V0H0v11.4zM20.6 0v3.7h7.7v7.7H32V0zM28.3 26.3h-7.7V30H32V18.6h-3.7zM3.7 18.6H0V30h11.4v-3.7H3.7z" />
            </svg>
          </ControlButton>
        </Controls>
        {/* Only while part of the graph is out of view: with all of it in view the minimap shows nothing more, and covered nodes. */}
        {!big && partial && someRoom ? (
          <MiniMap
            style={roomy ? { width: 150, height: 96 } : { width: 112, height: 72 }}
            pannable
            zoomable
            nodeColor={(n) => {
              const s = live?.nodes[n.id]?.state;
              return s ? STATE_STYLES[s].stroke : '#94a3b8';
            }}
          />
        ) : null}
      </ReactFlow>
      {layingOut ? (
        <div className="laying-out" role="status" aria-live="polite">
          <span className="spinner" /> laying out {view.nodes.length} nodes…
        </div>
      ) : null}
      {failure ? <div className="canvas-status">Layout failed: {failure}</div> : null}
      {laid && !layingOut && !complete ? (
        <div className="canvas-status" role="status">
          drawing {mounted} of {view.nodes.length} nodes…
        </div>
      ) : null}
      {laid && !layingOut && complete ? (
        <div className="canvas-status">
          {view.nodes.length} nodes · {view.edges.length} edges · {laid.result.engine === 'elk'
            ? laid.source === 'memory' || laid.source === 'disk'
              ? 'ELK layered (cached)'
              : `ELK layered ${Math.round(laid.elkMs ?? laid.ms)} ms`
            : laid.result.engine === 'quick'
              ? 'quick layout, ELK layout on its way'
              : 'fallback layout'}
          {laid.warning ? ` · ${laid.warning}` : ''}
        </div>
      ) : null}
    </div>
  );
}
