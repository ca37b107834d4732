/**
 * A step (workflow) or state (flow) on the canvas. Carries `data-step`, `data-state` (and for
 * flows `data-state-name`) so tests and assistive tools find nodes by name and state. In a
 * task view the state is shown three ways: outline colour, an icon and a word.
 */
import { memo } from 'react';
import { Handle, Position, useStore, type Node, type NodeProps } from '@xyflow/react';
import { DEFAULT_FILL, STATE_STYLES } from '../../core/export/style.js';
import { TYPE_LABEL, type NodeView } from '../lib/graphView.js';
import type { Direction } from '../lib/layout.js';
import type { LiveNode } from '../lib/liveState.js';
import { attemptsText, policyAttempts } from '../lib/format.js';
import { NodeShape } from './NodeShape.js';

export interface StepNodeData extends Record<string, unknown> {
  view: NodeView;
  /** Task views only. */
  live: LiveNode | null;
  runtime: boolean;
  direction: Direction;
  kind: 'workflow' | 'flow';
}

export type StepFlowNode = Node<StepNodeData, 'step'>;

export { TYPE_LABEL };

/** Outline colour per type in the template view (no runtime state to show). */
export const TYPE_STROKE: Record<NodeView['type'], string> = {
  standard: '#4b5563',
  decision: '#b45309',
  deferred_convergence: '#0f766e',
  batchable: '#0e7490',
  batch_worker: '#0e7490',
  wait: '#7c3aed',
  subtask: '#0369a1',
  action: '#4b5563',
  result: '#374151',
};

/** `none` in the template view; in a flow, states the task never entered are `unvisited`. */
export function nodeStateName(data: StepNodeData): string {
  if (!data.runtime) return 'none';
  return data.live?.state ?? (data.kind === 'flow' ? 'unvisited' : 'pending');
}

/** Below this zoom a node's text is unreadable: draw a plain coloured box (far fewer elements to lay out and paint). */
export const DETAIL_ZOOM = 0.4;
const zoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < DETAIL_ZOOM;

function StepNodeImpl({ data }: NodeProps<StepFlowNode>) {
  const { view, live, runtime, direction, kind } = data;
  const state = nodeStateName(data);
  const style = runtime && live?.state ? STATE_STYLES[live.state] : null;
  // Workflow steps without a record are pending; flow states never entered look as in the template.
  const painted = runtime && kind === 'workflow';
  const fill = style?.fill ?? (painted ? STATE_STYLES.pending.fill : DEFAULT_FILL);
  const stroke = style?.stroke ?? (painted ? STATE_STYLES.pending.stroke : TYPE_STROKE[view.type]);
  const coarse = useStore(zoomedOut);
  const [targetPos, sourcePos] = direction === 'RIGHT' ? [Position.Left, Position.Right] : [Position.Top, Position.Bottom];
  const attributes = {
    'data-step': view.id,
    'data-state': state,
    'data-type': view.type,
    ...(kind === 'flow' ? { 'data-state-name': view.id, 'data-current': String(state !== 'none' && state !== 'visited' && state !== 'pending') } : {}),
    ...(view.dynamic ? { 'data-dynamic': 'true' } : {}),
  };
  if (coarse) {
    return (
      <div className="node coarse" {...attributes} style={{ width: view.width, height: view.height, background: fill, borderColor: stroke }} title={view.label}>
        <Handle type="target" position={targetPos} isConnectable={false} />
        <Handle type="source" position={sourcePos} isConnectable={false} />
      </div>
    );
  }
  const dashed = style?.dashed === true || (!runtime && view.dynamic);
  const handler = typeof view.meta.handler === 'string' ? view.meta.handler : null;
  const progress = runtime && live?.state === 'running' && live.progress ? live.progress : null;
  const title = [
    `${view.label} (${TYPE_LABEL[view.type]})`,
    view.createdBy ? `created by ${view.createdBy}` : null,
    handler ? `handler: ${handler}` : null,
    live?.error ? `error: ${live.error}` : null,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <div
      className="node"
      {...attributes}
      style={{ width: view.width, height: view.height }}
      title={title}
    >
      <Handle type="target" position={targetPos} isConnectable={false} />
      <NodeShape type={view.type} width={view.width} height={view.height} fill={fill} stroke={stroke} dashed={dashed} />
      <div className="node-body">
        <div className="node-title">
          {view.start ? <span className="tag">start</span> : null}
          {view.dynamic ? <span className="tag dyn">dyn</span> : null}
          <span className="label">{view.label}</span>
        </div>
        <div className="node-sub">
          {runtime && (live?.state || kind === 'workflow') ? (
            <span className="marker" style={{ color: stroke }}>
              {(live?.state ? STATE_STYLES[live.state] : STATE_STYLES.pending).marker}
            </span>
          ) : (
            <span className="type">{TYPE_LABEL[view.type]}</span>
          )}
          {runtime && live && live.attempts > 0 && kind === 'workflow' ? (
            <span className="attempts" title={`attempts: ${attemptsText(live.attempts, live.maxAttempts, policyAttempts(view.meta)).long}`}>
              {attemptsText(live.attempts, live.maxAttempts).short}
            </span>
          ) : !runtime && handler && handler !== view.id && view.type !== 'decision' ? (
            <span className="type handler">
              {handler}
            </span>
          ) : null}
        </div>
        {progress ? (
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress.fraction * 100)}>
            <div style={{ width: `${Math.max(3, Math.min(100, progress.fraction * 100))}%` }} />
          </div>
        ) : null}
        {view.interactions.length > 0 ? (
          <div className="chips">
            {view.interactions.map((name) => (
              <span key={name} className="chip" title={`interaction ${name} may be fired in this state`}>
                ⚡ {name}
              </span>
            ))}
          </div>
        ) : null}
      </div>
      <Handle type="source" position={sourcePos} isConnectable={false} />
    </div>
  );
}

export const StepNode = memo(StepNodeImpl);
