/**
 * The details of one template node: what the template says about it and how it connects. A
 * task's steps open the debugger's StepInspector instead (state, attempts, history, operations).
 */
import { useEffect, useRef } from 'react';
import type { GraphView, NodeView } from '../lib/graphView.js';
import { duration } from '../lib/format.js';
import { TYPE_LABEL } from './StepNode.js';

/** The template's settings in words (the graph model keeps the API's names, which exports use). */
const META_LABEL: Record<string, string> = {
  maxAttempts: 'attempts allowed',
  timeoutMs: 'timeout',
  concurrencyKey: 'concurrency key',
  concurrencyLimit: 'concurrency limit',
  waitTimeoutMs: 'wait timeout',
  waitDurationMs: 'wait duration',
  onTimeout: 'on timeout',
};
const DURATION_KEYS = new Set(['timeoutMs', 'waitTimeoutMs', 'waitDurationMs']);

function metaValue(key: string, v: unknown): string {
  if (DURATION_KEYS.has(key) && typeof v === 'number') return duration(v);
  return Array.isArray(v) ? v.join(', ') : String(v);
}

interface Props {
  node: NodeView;
  graph: GraphView;
  onClose: () => void;
}

export function Inspector({ node, graph, onClose }: Props) {
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headRef.current?.focus(), [node.id]);
  const incoming = graph.edges.filter((e) => e.target === node.id);
  const outgoing = graph.edges.filter((e) => e.source === node.id);
  return (
    <aside className="inspector" aria-label={`Inspector: ${node.label}`} data-testid="inspector">
      <div className="inspector-head">
        <h2 tabIndex={-1} ref={headRef}>
          {node.label}
        </h2>
        <button className="icon-btn" aria-label="Close inspector" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="inspector-body">
        <dl className="kv">
          <dt>type</dt>
          <dd>{TYPE_LABEL[node.type]}</dd>
          {Object.entries(node.meta).map(([k, v]) => (
            <FragmentKV key={k} k={META_LABEL[k] ?? k} v={metaValue(k, v)} />
          ))}
          {node.createdBy ? <FragmentKV k="created by" v={node.createdBy} /> : null}
          <FragmentKV k={graph.kind === 'flow' ? 'comes from' : 'depends on'} v={incoming.map((e) => e.source + (e.label ? ` [${e.label}]` : '')).join(', ') || '—'} />
          <FragmentKV k={graph.kind === 'flow' ? 'goes to' : 'dependents'} v={outgoing.map((e) => e.target + (e.label ? ` [${e.label}]` : '')).join(', ') || '—'} />
          {node.interactions.length > 0 ? <FragmentKV k="interactions" v={node.interactions.join(', ')} /> : null}
        </dl>
      </div>
    </aside>
  );
}

function FragmentKV({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </>
  );
}
