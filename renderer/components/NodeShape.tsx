/**
 * One outline per node type, drawn as SVG over the node's box, so a glance tells a decision
 * from a wait or a batch: diamond, hexagon, stacked cards, subroutine bars, double border...
 */
import type { NodeView } from '../lib/graphView.js';

interface ShapeProps {
  type: NodeView['type'];
  width: number;
  height: number;
  fill: string;
  stroke: string;
  dashed: boolean;
}

export function NodeShape({ type, width: w, height: h, fill, stroke, dashed }: ShapeProps) {
  const common = {
    className: 'outline',
    fill,
    stroke,
    strokeWidth: 1.5,
    strokeDasharray: dashed ? '5 3' : undefined,
    vectorEffect: 'non-scaling-stroke' as const,
  };
  return (
    <svg className="shape" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden="true">
      {outline(type, w, h, common)}
    </svg>
  );
}

type Common = Record<string, unknown> & { fill: string; stroke: string };

function outline(type: NodeView['type'], w: number, h: number, c: Common) {
  const inner = { fill: 'none', stroke: c.stroke, strokeWidth: 1, strokeOpacity: 0.7 };
  switch (type) {
    case 'decision':
      return <polygon {...c} points={`${w / 2},1 ${w - 1},${h / 2} ${w / 2},${h - 1} 1,${h / 2}`} />;
    case 'wait':
      return <polygon {...c} points={`16,1 ${w - 16},1 ${w - 1},${h / 2} ${w - 16},${h - 1} 16,${h - 1} 1,${h / 2}`} />;
    case 'batchable':
      // Three stacked cards: the handler produces batches.
      return (
        <>
          <rect {...c} x={9} y={1} width={w - 10} height={h - 10} rx={5} opacity={0.55} />
          <rect {...c} x={5} y={5} width={w - 10} height={h - 10} rx={5} opacity={0.8} />
          <rect {...c} x={1} y={9} width={w - 10} height={h - 10} rx={5} />
        </>
      );
    case 'batch_worker':
      return (
        <>
          <rect {...c} x={1} y={1} width={w - 2} height={h - 2} rx={5} />
          <rect x={1} y={1} width={6} height={h - 2} rx={2} fill={c.stroke} opacity={0.75} />
        </>
      );
    case 'subtask':
      // Flowchart "predefined process": bars at both ends.
      return (
        <>
          <rect {...c} x={1} y={1} width={w - 2} height={h - 2} rx={3} />
          <line {...inner} x1={11} y1={1} x2={11} y2={h - 1} />
          <line {...inner} x1={w - 11} y1={1} x2={w - 11} y2={h - 1} />
        </>
      );
    case 'deferred_convergence':
      return (
        <>
          <rect {...c} x={1} y={1} width={w - 2} height={h - 2} rx={8} />
          <rect {...inner} x={5} y={5} width={w - 10} height={h - 10} rx={5} />
        </>
      );
    case 'result':
      return (
        <>
          <rect {...c} x={1} y={1} width={w - 2} height={h - 2} rx={(h - 2) / 2} />
          <rect {...inner} x={5} y={5} width={w - 10} height={h - 10} rx={(h - 10) / 2} />
        </>
      );
    case 'action':
      return <rect {...c} x={1} y={1} width={w - 2} height={h - 2} rx={14} />;
    case 'standard':
      return <rect {...c} x={1} y={1} width={w - 2} height={h - 2} rx={5} />;
  }
}
