/**
 * The details of one node: what the template says about it and, in a task, its live state,
 * attempts (with errors and logs) and transition history. Issue 7 grows this into the full
 * debugger inspector; this panel keeps to reading.
 */
import { useEffect, useRef } from 'react';
import type { StepDetail } from '../../core/host/protocol.js';
import type { GraphView, NodeView } from '../lib/graphView.js';
import type { LiveNode } from '../lib/liveState.js';
import { errorText, useServices } from '../lib/context.js';
import { useRpc } from '../lib/useRpc.js';
import { StatusPill } from './StatusPill.js';
import { TYPE_LABEL } from './StepNode.js';

interface Props {
  node: NodeView;
  graph: GraphView;
  taskId: string | null;
  live: LiveNode | null;
  onClose: () => void;
}

function time(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function Inspector({ node, graph, taskId, live, onClose }: Props) {
  const { client } = useServices();
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headRef.current?.focus(), [node.id]);
  const detail = useRpc<StepDetail>(
    taskId ? () => client.stepDetail.query({ taskId, stepName: node.id }) : null,
    [client, taskId, node.id, live?.state, live?.attempts],
  );
  const incoming = graph.edges.filter((e) => e.target === node.id);
  const outgoing = graph.edges.filter((e) => e.source === node.id);
  return (
    <aside className="inspector" aria-label={`Inspector: ${node.label}`} data-testid="inspector">
      <div className="inspector-head">
        <h2 tabIndex={-1} ref={headRef}>
          {node.label}
        </h2>
        {live ? <StatusPill state={live.state ?? 'pending'} /> : null}
        <button className="icon-btn" aria-label="Close inspector" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="inspector-body">
        <dl className="kv">
          <dt>type</dt>
          <dd>{TYPE_LABEL[node.type]}</dd>
          {live ? <FragmentKV k="attempts" v={`${live.attempts}${live.maxAttempts ? ` of ${live.maxAttempts}` : ''}`} /> : null}
          {Object.entries(node.meta)
            // Runtime counters in meta are from the snapshot; the live values are shown above.
            .filter(([k]) => !(taskId && (k === 'attempts' || k === 'maxAttempts' || k === 'error')))
            .map(([k, v]) => (
            <FragmentKV key={k} k={k} v={Array.isArray(v) ? v.join(', ') : String(v)} />
          ))}
          {node.createdBy ? <FragmentKV k="created by" v={node.createdBy} /> : null}
          <FragmentKV k={graph.kind === 'flow' ? 'comes from' : 'depends on'} v={incoming.map((e) => e.source + (e.label ? ` [${e.label}]` : '')).join(', ') || '—'} />
          <FragmentKV k={graph.kind === 'flow' ? 'goes to' : 'dependents'} v={outgoing.map((e) => e.target + (e.label ? ` [${e.label}]` : '')).join(', ') || '—'} />
          {node.interactions.length > 0 ? <FragmentKV k="interactions" v={node.interactions.join(', ')} /> : null}
        </dl>
        {taskId ? (
          <>
            {detail.error ? <div className="form-error">{errorText(detail.error)}</div> : null}
            {detail.data?.step ? (
              <>
                <h3>Results</h3>
                <pre className="json">{JSON.stringify(detail.data.step.results, null, 2)}</pre>
              </>
            ) : null}
            <h3>Attempts ({detail.data?.attempts.length ?? 0})</h3>
            {detail.data?.attempts.length === 0 ? <div className="empty">Not run yet.</div> : null}
            {detail.data?.attempts.map((a) => (
              <div className="attempt" key={a.id} data-outcome={a.outcome ?? 'running'}>
                <strong>#{a.number}</strong> {a.outcome ?? 'running'} · {time(a.startedAt)} · {a.durationMs === null ? '…' : `${a.durationMs} ms`}
                {a.error ? (
                  <div className="err">
                    {a.error.class}: {a.error.message}
                    {a.error.stack ? (
                      <details>
                        <summary>stack</summary>
                        <pre>{a.error.stack}</pre>
                      </details>
                    ) : null}
                  </div>
                ) : null}
                {a.logs.length > 0 ? (
                  <details>
                    <summary>{a.logs.length} log lines</summary>
                    <pre>{a.logs.map((l) => `${time(l.at)} ${l.level} ${l.message}`).join('\n')}</pre>
                  </details>
                ) : null}
              </div>
            ))}
            <h3>Transitions</h3>
            <table className="transitions">
              <tbody>
                {detail.data?.transitions.map((t) => (
                  <tr key={t.seq}>
                    <td className="mono">{time(t.at)}</td>
                    <td className="mono">
                      {t.from ?? '∅'} → {t.to}
                    </td>
                    <td>
                      {t.actor}: {t.reason}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
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
