/**
 * A step or state in the template editor: the canvas's shape, with handles to drag a new
 * dependency (or transition) from one node to another, and a badge when validation has a
 * problem with it.
 */
import { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { DEFAULT_FILL } from '../../../core/export/style.js';
import type { NodeView } from '../../lib/graphView.js';
import type { Direction } from '../../lib/layout.js';
import { NodeShape } from '../NodeShape.js';
import { TYPE_LABEL } from '../StepNode.js';

export interface EditNodeData extends Record<string, unknown> {
  view: NodeView;
  direction: Direction;
  problems: string[];
  hasError: boolean;
}

export type EditFlowNode = Node<EditNodeData, 'edit'>;

function EditNodeImpl({ data, selected }: NodeProps<EditFlowNode>) {
  const { view, direction, problems, hasError } = data;
  const [targetPos, sourcePos] = direction === 'RIGHT' ? [Position.Left, Position.Right] : [Position.Top, Position.Bottom];
  const handler = typeof view.meta.handler === 'string' ? view.meta.handler : null;
  const stroke = hasError ? '#b91c1c' : problems.length > 0 ? '#b45309' : selected ? '#2563eb' : '#4b5563';
  return (
    <div className="node edit-node" data-step={view.id} data-type={view.type} data-problems={problems.length} style={{ width: view.width, height: view.height }} title={[`${view.label} (${TYPE_LABEL[view.type]})`, ...problems].join('\n')}>
      <Handle type="target" position={targetPos} className="edit-handle" data-handle="target" />
      <NodeShape type={view.type} width={view.width} height={view.height} fill={hasError ? '#fef2f2' : DEFAULT_FILL} stroke={stroke} dashed={false} />
      <div className="node-body">
        <div className="node-title">
          {view.start ? <span className="tag">start</span> : null}
          <span className="label">{view.label}</span>
          {problems.length > 0 ? (
            <span className={`problem-dot${hasError ? ' error' : ''}`} aria-label={`${problems.length} problem${problems.length === 1 ? '' : 's'}`}>
              ⚠ {problems.length}
            </span>
          ) : null}
        </div>
        <div className="node-sub">
          <span className="type">{TYPE_LABEL[view.type]}</span>
          {handler && handler !== view.id ? <span className="type muted">{handler}</span> : null}
        </div>
      </div>
      <Handle type="source" position={sourcePos} className="edit-handle" data-handle="source" />
    </div>
  );
}

export const EditNode = memo(EditNodeImpl);
