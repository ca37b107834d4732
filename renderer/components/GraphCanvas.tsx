/**
 * The canvas: lays a GraphView out in the worker (again only when its structure or the
 * direction changes, never for a state change), then hands positioned nodes and ELK-routed
 * edges to React Flow. Keyboard: Tab moves between nodes, Enter opens the inspector.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { MarkerType, ReactFlow, Background, Controls, MiniMap, useReactFlow, type NodeTypes, type EdgeTypes } from '@xyflow/react';
import type { GraphView } from '../lib/graphView.js';
import type { Direction, LayoutResult } from '../lib/layout.js';
import { layoutInWorker } from '../lib/layoutClient.js';
import type { LiveState } from '../lib/liveState.js';
import { STATE_STYLES } from '../../core/export/style.js';
import { StepNode, type StepFlowNode } from './StepNode.js';
import { ElkEdge, type ElkFlowEdge } from './ElkEdge.js';

const nodeTypes: NodeTypes = { step: StepNode };
const edgeTypes: EdgeTypes = { elk: ElkEdge };
const MUTED = new Set(['skipped', 'cancelled']);
/** Shapes whose in/out points are tips, not a whole side. */
const TIP_TYPES = new Set(['decision', 'wait', 'result']);

interface Props {
  view: GraphView;
  direction: Direction;
  live: LiveState | null;
  selected: string | null;
  onOpenNode: (id: string) => void;
}

interface Laid {
  key: string;
  result: LayoutResult;
  warning: string | null;
  ms: number;
  elkMs: number | null;
}

export function GraphCanvas({ view, direction, live, selected, onOpenNode }: Props) {
  const key = `${direction}|${view.structureKey}`;
  const [laid, setLaid] = useState<Laid | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const flow = useReactFlow();
  const viewRef = useRef(view);
  viewRef.current = view;

  useEffect(() => {
    const controller = new AbortController();
    const current = viewRef.current;
    setFailure(null);
    layoutInWorker(
      {
        direction,
        nodes: current.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height, tips: TIP_TYPES.has(n.type) })),
        edges: current.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, label: e.label })),
      },
      controller.signal,
    ).then(
      (outcome) => setLaid({ key, ...outcome }),
      (err: unknown) => {
        if ((err as { name?: string }).name !== 'AbortError') setFailure(String(err));
      },
    );
    return () => controller.abort();
  }, [key, direction]);

  const layingOut = laid?.key !== key && failure === null;

  const nodes = useMemo((): StepFlowNode[] => {
    if (!laid) return [];
    return view.nodes
      .filter((n) => laid.result.positions[n.id])
      .map((n) => ({
        id: n.id,
        type: 'step' as const,
        position: laid.result.positions[n.id]!,
        width: n.width,
        height: n.height,
        selected: n.id === selected,
        ariaLabel: `${n.label}, ${n.type}${live ? `, ${live.nodes[n.id]?.state ?? 'pending'}` : ''}`,
        data: { view: n, live: live?.nodes[n.id] ?? null, runtime: live !== null, direction, kind: view.kind },
      }));
  }, [laid, view, live, selected, direction]);

  const edges = useMemo((): ElkFlowEdge[] => {
    if (!laid) return [];
    return view.edges
      .filter((e) => laid.result.positions[e.source] && laid.result.positions[e.target])
      .map((e) => {
        const targetState = live?.nodes[e.target]?.state;
        const emphasis = e.taken ? 'taken' : targetState && MUTED.has(targetState) ? 'muted' : 'normal';
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          type: 'elk' as const,
          focusable: false,
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: emphasis === 'muted' ? '#cbd5e1' : emphasis === 'taken' ? '#15803d' : '#6b7280' },
          data: { route: laid.key === key ? (laid.result.routes[e.id] ?? null) : null, kind: e.kind, label: e.label, emphasis },
        };
      });
  }, [laid, view, live, key]);

  // Fit the whole graph once per new layout (not on state changes).
  const fittedKey = useRef<string | null>(null);
  useEffect(() => {
    if (!laid || laid.key !== key || fittedKey.current === key) return;
    fittedKey.current = key;
    const frame = requestAnimationFrame(() => {
      void flow.fitView({ padding: 0.08, maxZoom: 1.1, duration: 0 });
      performance.mark('stepwise:graph-drawn');
    });
    return () => cancelAnimationFrame(frame);
  }, [laid, key, flow]);

  // Keep the whole graph in view when the canvas is resized (the inspector opens or closes).
  const wrapRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = wrapRef.current;
    if (!el || !laid) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let first = true;
    const observer = new ResizeObserver(() => {
      if (first) {
        first = false;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => void flow.fitView({ padding: 0.08, maxZoom: 1.1, duration: 150 }), 60);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [laid, flow]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Enter') return;
    const target = (event.target as HTMLElement).closest('.react-flow__node');
    const id = target?.getAttribute('data-id');
    if (id) {
      event.preventDefault();
      onOpenNode(id);
    }
  };

  const big = view.nodes.length > 300;
  return (
    <div
      className="canvas-wrap"
      ref={wrapRef}
      onKeyDown={onKeyDown}
      data-graph-ready={String(!layingOut && laid !== null)}
      data-node-count={nodes.length}
      data-layout-engine={laid?.result.engine ?? ''}
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
        minZoom={0.05}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_, node) => onOpenNode(node.id)}
        aria-label="Workflow graph"
      >
        <Background gap={20} size={1} color="#e3e6eb" />
        <Controls showInteractive={false} />
        {!big ? (
          <MiniMap
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
      {laid && !layingOut ? (
        <div className="canvas-status">
          {view.nodes.length} nodes · {view.edges.length} edges · {laid.result.engine === 'elk' ? `ELK layered ${Math.round(laid.elkMs ?? laid.ms)} ms` : 'fallback layout'}
          {laid.warning ? ` · ${laid.warning}` : ''}
        </div>
      ) : null}
    </div>
  );
}
