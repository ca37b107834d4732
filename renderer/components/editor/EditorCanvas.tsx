/**
 * The editor's canvas: the edited template laid out by ELK in the worker (again after every
 * structural edit), nodes with connection handles. Dragging from one node's handle to another's
 * connects them (a dependency, or a flow transition); clicking an edge selects it and Delete
 * (or the Disconnect button) removes it; Delete on a selected node removes the node.
 */
import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import { BaseEdge, Background, Controls, EdgeLabelRenderer, MarkerType, ReactFlow, useReactFlow, type Edge, type EdgeProps, type EdgeTypes, type NodeTypes } from '@xyflow/react';
import type { ProblemView } from '../../../core/host/protocol.js';
import type { GraphView } from '../../lib/graphView.js';
import { layoutRequestOf, type Direction, type EdgeRoute, type LayoutResult } from '../../lib/layout.js';
import { layoutInWorker } from '../../lib/layoutClient.js';
import { roundedPath } from '../ElkEdge.js';
import { fitViewport } from '../../lib/readableFit.js';
import { useRefitOnResize } from '../useRefitOnResize.js';
import { EditNode, type EditFlowNode } from './EditNode.js';

interface EditEdgeData extends Record<string, unknown> {
  route: EdgeRoute | null;
  label: string | null;
}
type EditFlowEdge = Edge<EditEdgeData, 'editEdge'>;

function EditEdgeImpl({ id, data, sourceX, sourceY, targetX, targetY, markerEnd, selected }: EdgeProps<EditFlowEdge>) {
  const route = data?.route;
  const points = route && route.points.length >= 2 ? route.points : [{ x: sourceX, y: sourceY }, { x: targetX, y: targetY }];
  const label = data?.label ?? null;
  const box = route?.label ?? null;
  const mid = points[Math.floor(points.length / 2)]!;
  return (
    <>
      <BaseEdge id={id} path={roundedPath(points)} markerEnd={markerEnd} interactionWidth={14} style={{ stroke: selected ? '#2563eb' : '#6b7280', strokeWidth: selected ? 2.5 : 1.4 }} />
      {label ? (
        <EdgeLabelRenderer>
          <div className="edge-label" style={{ transform: box ? `translate(${box.x}px, ${box.y}px)` : `translate(-50%, -50%) translate(${mid.x}px, ${mid.y}px)` }}>
            {label}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

const nodeTypes: NodeTypes = { edit: EditNode };
const edgeTypes: EdgeTypes = { editEdge: EditEdgeImpl };

interface Props {
  view: GraphView;
  direction: Direction;
  problems: ProblemView[];
  selected: string | null;
  selectedEdge: { from: string; to: string } | null;
  onSelect: (id: string | null) => void;
  onSelectEdge: (edge: { from: string; to: string } | null) => void;
  onConnect: (from: string, to: string) => void;
  onDeleteSelection: () => void;
}

/** Whether every laid-out node (of the sizes given) lies inside a `width`×`height` canvas at viewport `vp`. PURE. */
export function allInView(result: LayoutResult, size: (id: string) => { width: number; height: number } | undefined, vp: { x: number; y: number; zoom: number }, width: number, height: number): boolean {
  return Object.entries(result.positions).every(([id, p]) => {
    const n = size(id) ?? { width: 0, height: 0 };
    const x = p.x * vp.zoom + vp.x;
    const y = p.y * vp.zoom + vp.y;
    return x >= 0 && y >= 0 && x + n.width * vp.zoom <= width && y + n.height * vp.zoom <= height;
  });
}

/**
 * Where a connection dragged from a handle was dropped: a node anywhere under the pointer
 * (React Flow itself accepts only a drop on the small handle). Null over empty canvas.
 */
function nodeUnder(event: MouseEvent | TouchEvent): string | null {
  const point = 'changedTouches' in event ? event.changedTouches[0] : event;
  if (!point) return null;
  return document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__node')?.getAttribute('data-id') ?? null;
}

export function EditorCanvas({ view, direction, problems, selected, selectedEdge, onSelect, onSelectEdge, onConnect, onDeleteSelection }: Props) {
  const key = `${direction}|${view.structureKey}`;
  const [laid, setLaid] = useState<{ key: string; result: LayoutResult } | null>(null);
  const flow = useReactFlow();
  const wrapRef = useRef<HTMLDivElement>(null);
  // Laid out again per structure (key), reading the view as it is then.
  const viewNow = useEffectEvent(() => view);
  const fittedCount = useRef(-1);

  useEffect(() => {
    const controller = new AbortController();
    const v = viewNow();
    layoutInWorker(layoutRequestOf(v, direction), controller.signal).then(
      (outcome) => {
        const el = wrapRef.current;
        // Fit when nodes come or go (a new step must be in view), and when the new layout puts
        // a node outside the view (connecting moves nodes); otherwise keep the user's viewport.
        const count = v.nodes.length;
        if (el && (fittedCount.current !== count || !allInView(outcome.result, (id) => v.nodes.find((n) => n.id === id), flow.getViewport(), el.clientWidth, el.clientHeight))) {
          const first = fittedCount.current === -1;
          const vp = fitViewport(outcome.result, el.clientWidth, el.clientHeight);
          void flow.setViewport(vp, first ? undefined : { duration: 200 });
          fittedCount.current = count;
        }
        setLaid({ key, result: outcome.result });
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [key, direction, flow]);

  // Like the view canvas: fit again when the canvas changes size (the side form or the
  // problems panel opens, the window changes), so no node ends up hidden behind them.
  useRefitOnResize(wrapRef, laid?.result ?? null, selected, (id) => view.nodes.find((x) => x.id === id), view.nodes.length);

  const byNode = useMemo(() => {
    const m = new Map<string, ProblemView[]>();
    for (const p of problems) if (p.node) m.set(p.node, [...(m.get(p.node) ?? []), p]);
    return m;
  }, [problems]);

  const nodes = useMemo((): EditFlowNode[] => {
    if (!laid) return [];
    return view.nodes
      .filter((n) => laid.result.positions[n.id])
      .map((n) => {
        const own = byNode.get(n.id) ?? [];
        return {
          id: n.id,
          type: 'edit' as const,
          position: laid.result.positions[n.id]!,
          width: n.width,
          height: n.height,
          selected: n.id === selected,
          ariaLabel: `${n.label}, ${n.type}${own.length ? `, ${own.length} problems` : ''}`,
          data: { view: n, direction, problems: own.map((p) => `${p.code}: ${p.message}`), hasError: own.some((p) => p.severity === 'error') },
        };
      });
  }, [laid, view, selected, direction, byNode]);

  const edges = useMemo((): EditFlowEdge[] => {
    if (!laid) return [];
    return view.edges
      .filter((e) => laid.result.positions[e.source] && laid.result.positions[e.target])
      .map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: 'editEdge' as const,
        selected: selectedEdge?.from === e.source && selectedEdge.to === e.target,
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: '#6b7280' },
        data: { route: laid.key === key ? (laid.result.routes[e.id] ?? null) : null, label: e.label },
      }));
  }, [laid, view, key, selectedEdge]);

  return (
    <div
      className="canvas-wrap editor-canvas"
      ref={wrapRef}
      data-graph-ready={String(laid?.key === key)}
      data-node-count={nodes.length}
      onKeyDown={(e) => {
        const target = e.target as HTMLElement;
        if (target.closest('input, textarea, select')) return;
        if (e.key === 'Delete' || e.key === 'Backspace') {
          e.preventDefault();
          onDeleteSelection();
        }
        if (e.key === 'Enter') {
          const id = target.closest('.react-flow__node')?.getAttribute('data-id');
          if (id) onSelect(id);
        }
      }}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        nodesDraggable={false}
        nodesConnectable
        elementsSelectable
        deleteKeyCode={null}
        connectOnClick={false}
        minZoom={0.05}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_, n) => onSelect(n.id)}
        onEdgeClick={(_, e) => onSelectEdge({ from: e.source, to: e.target })}
        onPaneClick={() => {
          onSelect(null);
          onSelectEdge(null);
        }}
        onConnect={(c) => c.source && c.target && c.source !== c.target && onConnect(c.source, c.target)}
        onConnectEnd={(event, state) => {
          // Dropped on a node's body rather than its handle: connect to that node all the same.
          if (state.isValid || !state.fromNode) return;
          const other = nodeUnder(event);
          if (!other || other === state.fromNode.id) return;
          if (state.fromHandle?.type === 'target') onConnect(other, state.fromNode.id);
          else onConnect(state.fromNode.id, other);
        }}
        aria-label="Template being edited"
      >
        <Background gap={20} size={1} color="#e3e6eb" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
