/**
 * Draws the orthogonal route ELK computed (start, bend points, end) with slightly rounded
 * corners, instead of React Flow's own curve between handles; the label sits where ELK put it.
 */
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, type Edge, type EdgeProps } from '@xyflow/react';
import type { GraphEdgeKind } from '../../core/host/protocol.js';
import type { EdgeRoute, Point } from '../lib/layout.js';

export interface ElkEdgeData extends Record<string, unknown> {
  route: EdgeRoute | null;
  kind: GraphEdgeKind;
  label: string | null;
  /** Runtime: the edge leads to a node that was skipped/cancelled (greyed), or was taken (flows). */
  emphasis: 'normal' | 'muted' | 'taken';
}

export type ElkFlowEdge = Edge<ElkEdgeData, 'elk'>;

/** SVG path through the points, each corner rounded with radius r (clamped to the segments). */
export function roundedPath(points: readonly Point[], r = 6): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  let d = `M ${first!.x} ${first!.y}`;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i]!;
    const prev = points[i]!;
    const next = rest[i + 1];
    if (!next) {
      d += ` L ${p.x} ${p.y}`;
      break;
    }
    const inLen = Math.hypot(p.x - prev.x, p.y - prev.y);
    const outLen = Math.hypot(next.x - p.x, next.y - p.y);
    const k = Math.min(r, inLen / 2, outLen / 2);
    const a = { x: p.x - ((p.x - prev.x) / (inLen || 1)) * k, y: p.y - ((p.y - prev.y) / (inLen || 1)) * k };
    const b = { x: p.x + ((next.x - p.x) / (outLen || 1)) * k, y: p.y + ((next.y - p.y) / (outLen || 1)) * k };
    d += ` L ${a.x} ${a.y} Q ${p.x} ${p.y} ${b.x} ${b.y}`;
  }
  return d;
}

const KIND_STYLE: Record<GraphEdgeKind, { stroke: string; dash?: string }> = {
  dependency: { stroke: '#6b7280' },
  transition: { stroke: '#6b7280' },
  timeout: { stroke: '#b45309', dash: '6 4' },
  interaction: { stroke: '#7c3aed', dash: '2 3' },
};

function ElkEdgeImpl({ id, data, sourceX, sourceY, targetX, targetY, markerEnd }: EdgeProps<ElkFlowEdge>) {
  const route = data?.route;
  const points = route && route.points.length >= 2 ? route.points : [{ x: sourceX, y: sourceY }, { x: targetX, y: targetY }];
  const kind = data?.kind ?? 'dependency';
  const base = KIND_STYLE[kind];
  const emphasis = data?.emphasis ?? 'normal';
  const stroke = emphasis === 'muted' ? '#cbd5e1' : emphasis === 'taken' ? '#15803d' : base.stroke;
  const label = data?.label ?? null;
  const labelBox = route?.label ?? null;
  const mid = points[Math.floor(points.length / 2)]!;
  return (
    <>
      <BaseEdge
        id={id}
        path={roundedPath(points)}
        markerEnd={markerEnd}
        // Edges are not clickable: skip the invisible wide hit path (halves the SVG elements).
        interactionWidth={0}
        style={{ stroke, strokeWidth: emphasis === 'taken' ? 2 : 1.4, strokeDasharray: base.dash }}
      />
      {label ? (
        <EdgeLabelRenderer>
          <div
            className="edge-label"
            data-kind={kind}
            style={{
              // Centred on ELK's label box: a label scaled up when zoomed out grows around it.
              transform: labelBox
                ? `translate(-50%, -50%) translate(${labelBox.x + labelBox.width / 2}px, ${labelBox.y + labelBox.height / 2}px)`
                : `translate(-50%, -50%) translate(${mid.x}px, ${mid.y}px)`,
            }}
          >
            {label}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

export const ElkEdge = memo(ElkEdgeImpl);
