/**
 * The cluster view (`#/cluster`): every engine serving this database — runners on other machines,
 * this workbench's own engine — from their heartbeats, and what each holds right now: running
 * steps (leases), flows running an action, reserved tasks. Read again on events that change
 * holds, and every 2 s for heartbeats (they make no events). Times are relative to the host's
 * clock when it answered, so a browser clock that disagrees does not matter. Filters (engine,
 * alive/gone, part of a task id) are applied by the host where the rows are, so a cluster with
 * more holds than one page still shows the ones asked for.
 */
import { useState } from 'react';
import { shortTaskId, type ClusterAnswer, type ClusterEngine, type EngineHolds } from '../../../core/host/protocol.js';
import { errorText } from '../../lib/context.js';
import { age, duration, relative } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';
import { refetchWhen, useLiveQuery } from '../../lib/useLiveQuery.js';
import { useSettled } from '../../lib/useSettled.js';
import { FilterSelect, SearchBox } from '../FilterControls.js';
import './cluster.css';

/** Holds change when steps start or end, flows move, tasks finish or operations apply (not on progress). */
const clusterReducer = refetchWhen<ClusterAnswer>((e) => e.type !== 'step.progress' && e.type !== 'flow.data_changed');
const HEARTBEAT_REFRESH_MS = 2000;
const LIMIT = 200;
const STATUS_OPTIONS = [
  { value: 'alive', label: 'Alive' },
  { value: 'gone', label: 'Gone' },
] as const;

export function ClusterView({ onOpenTask }: { onOpenTask: (id: string) => void }) {
  const trpc = useTRPC();
  const [owner, setOwner] = useState('');
  const [status, setStatus] = useState<'' | 'alive' | 'gone'>('');
  const [taskText, setTaskText] = useState('');
  const task = useSettled(taskText.trim(), 250);
  const input = { limit: LIMIT, ...(owner ? { owner } : {}), ...(status ? { status } : {}), ...(task ? { task } : {}) };
  const live = useLiveQuery({ ...trpc.cluster.view.queryOptions(input), refetchInterval: HEARTBEAT_REFRESH_MS }, 'at-fetch', clusterReducer, { throttleMs: 500 });
  const view = live.data;
  const alive = view?.totals.alive ?? 0;
  const gone = view?.totals.gone ?? 0;
  const filtered = owner !== '' || status !== '' || task !== '';
  const shown = view ? view.engines.length + view.unannounced.length : 0;
  // The engine chosen stays listed even once its heartbeat is gone from the answer.
  const owners = [...(view?.owners ?? []), ...(owner && view && !view.owners.includes(owner) ? [owner] : [])];
  const ownerOptions = owners.map((o) => ({ value: o, label: o }));
  return (
    <main className="main cluster-view" id="main" aria-labelledby="cluster-title" data-testid="cluster-view">
      <div className="toolbar view-toolbar">
        <div className="toolbar-title">
          <h1 id="cluster-title">Cluster</h1>
          {view ? (
            <span className="toolbar-sub" data-testid="cluster-summary">
              {alive} {alive === 1 ? 'engine' : 'engines'} alive{gone > 0 ? `, ${gone} gone` : ''} · {view.storage}
            </span>
          ) : null}
        </div>
        <div className="toolbar-actions">
          <button type="button" className="btn" onClick={live.refetch}>
            Refresh
          </button>
        </div>
      </div>
      <div className="cl-filters" role="search" aria-label="Filter the cluster view">
        <FilterSelect label="Filter by engine" value={owner} onChange={setOwner} all={{ value: '', label: 'All engines' }} options={ownerOptions} testId="cluster-filter-engine" />
        <FilterSelect label="Filter by engine status" value={status} onChange={setStatus} all={{ value: '', label: 'Alive and gone' }} options={STATUS_OPTIONS} testId="cluster-filter-status" />
        <SearchBox label="Search by task id" placeholder="Task id contains…" value={taskText} onChange={setTaskText} testId="cluster-filter-task" />
        {filtered ? (
          <>
            <span className="cl-count" data-testid="cluster-shown">
              {shown} shown
            </span>
            <button
              type="button"
              className="link sm"
              onClick={() => {
                setOwner('');
                setStatus('');
                setTaskText('');
              }}
            >
              Clear filters
            </button>
          </>
        ) : null}
      </div>
      <div className="cl-body">
        {live.error ? <div className="form-error">{errorText(live.error)}</div> : null}
        {!view ? (
          live.error ? null : <p className="cl-note">Reading heartbeats…</p>
        ) : (
          <>
            <p className="cl-note" data-testid="cluster-self">
              {view.self
                ? 'This workbench runs an engine too (marked “this workbench”). '
                : 'This workbench runs no engine: the engines below do the work, and operations made here are picked up by them. '}
              An engine that missed three of its heartbeats is shown as gone; its leases expire and other engines take its work over.
            </p>
            {view.engines.length === 0 && view.unannounced.length === 0 ? (
              filtered ? (
                <p className="cl-empty" data-testid="cluster-no-match">
                  {task ? `No engine holds a task whose id contains “${task}”${owner || status ? ' among the engines chosen' : ''}.` : 'No engine matches the filter.'}
                </p>
              ) : (
                <p className="cl-empty">No engine has announced itself on this database. Start one with <code>stepwise runner</code>.</p>
              )
            ) : null}
            {view.engines.map((e) => (
              <EngineCard key={e.heartbeat.owner} engine={e} at={view.at} self={view.self === e.heartbeat.owner} onOpenTask={onOpenTask} />
            ))}
            {view.unannounced.map((u) => (
              <section key={u.owner} className="cl-engine" data-testid="cluster-unannounced" data-owner={u.owner} aria-label={`Holder without heartbeat ${u.owner}`}>
                <header className="cl-head">
                  <span className="cl-status" data-status="unknown">
                    ? no heartbeat
                  </span>
                  <h2 className="cl-owner">{u.owner}</h2>
                </header>
                <p className="cl-note">Holds work but never announced itself (a <code>stepwise run</code>, a test, or an engine whose heartbeat was pruned).</p>
                <HoldsTable holds={u} at={view.at} onOpenTask={onOpenTask} />
              </section>
            ))}
            {view.truncated ? <p className="cl-note">Only the first {LIMIT} holds of each kind{filtered ? ' that match' : ''} are shown: narrow the filter to see the others.</p> : null}
          </>
        )}
      </div>
    </main>
  );
}

function EngineCard({ engine, at, self, onOpenTask }: { engine: ClusterEngine; at: number; self: boolean; onOpenTask: (id: string) => void }) {
  const h = engine.heartbeat;
  const running = engine.steps.length + engine.flows.length;
  return (
    <section className="cl-engine" data-testid="cluster-engine" data-owner={h.owner} data-status={engine.status} aria-label={`Engine ${h.owner}, ${engine.status}`}>
      <header className="cl-head">
        <span className="cl-status" data-status={engine.status}>
          {engine.status === 'alive' ? '● alive' : '○ gone'}
        </span>
        <h2 className="cl-owner">{h.owner}</h2>
        <span className="cl-kind">{h.kind}</span>
        {self ? <span className="cl-kind">this workbench</span> : null}
        <span className="spacer" />
        <span className="cl-count" data-testid="cluster-running">
          {running} running · {engine.reservations.length} reserved
        </span>
      </header>
      <dl className="cl-facts">
        <dt>Machine</dt>
        <dd>{h.host || '—'}</dd>
        <dt>PID</dt>
        <dd>{h.pid}</dd>
        <dt>Version</dt>
        <dd>{h.version || '—'}</dd>
        <dt>Started</dt>
        <dd title={h.startedAt ? new Date(h.startedAt).toISOString() : undefined}>{h.startedAt ? age(h.startedAt, at) : '—'}</dd>
        <dt>Heartbeat</dt>
        <dd data-testid="cluster-heartbeat">
          {age(at - engine.silentMs, at)}, every {everyText(h.everyMs)}
        </dd>
      </dl>
      <HoldsTable holds={engine} at={at} onOpenTask={onOpenTask} />
    </section>
  );
}

function HoldsTable({ holds, at, onOpenTask }: { holds: EngineHolds; at: number; onOpenTask: (id: string) => void }) {
  const rows = [
    ...holds.steps.map((s) => ({ key: `s:${s.taskId}:${s.stepName}`, taskId: s.taskId, ref: s.templateRef, what: `step ${s.stepName}`, until: leaseText(s.leaseExpiresAt, at) })),
    ...holds.flows.map((f) => ({ key: `f:${f.taskId}`, taskId: f.taskId, ref: f.templateRef, what: `flow action ${f.state ?? '—'}`, until: leaseText(f.leaseExpiresAt, at) })),
    ...holds.reservations.map((r) => ({ key: `r:${r.taskId}`, taskId: r.taskId, ref: r.templateRef, what: 'reserved task', until: `reserved, ends ${relative(r.expiresAt, at)}` })),
  ];
  if (rows.length === 0) return <p className="cl-empty">Idle: no running steps, flow actions or reservations.</p>;
  return (
    <table className="cl-holds">
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Template</th>
          <th scope="col">Running</th>
          <th scope="col">Lease</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-testid="cluster-hold">
            <td>
              <button type="button" className="cl-task" title={`Open task ${r.taskId}`} onClick={() => onOpenTask(r.taskId)}>
                {shortTaskId(r.taskId)}
              </button>
            </td>
            <td className="cl-mono">{r.ref}</td>
            <td>{r.what}</td>
            <td>{r.until}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function leaseText(expiresAt: number | null, at: number): string {
  if (expiresAt === null) return 'no lease';
  return expiresAt > at ? `expires ${relative(expiresAt, at)}` : `expired ${relative(expiresAt, at)}: another engine takes it over`;
}

/** A heartbeat interval: "5 s", "250 ms". */
function everyText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms % 1000 === 0 ? `${ms / 1000} s` : duration(ms);
}
