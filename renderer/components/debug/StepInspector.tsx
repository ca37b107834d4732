/**
 * The debugger's inspector for one step (or flow state) of a task: state and type, the
 * operations it accepts (others disabled, with core/ops's reason as tooltip), breakpoint and
 * "Run this step", error, what blocks it and what depends on it (highlighted on the canvas),
 * input, dependency results, results, attempts with errors, stacks and logs, and the
 * transition history with actor and reason. While the timeline is scrubbed it shows the node
 * as it was at that transition (state, attempts, transitions, flow data), marked as history,
 * with no operations offered, until "Back to live".
 */
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { InteractionView, Json, OpAvailability, StepInspect } from '../../../core/host/protocol.js';
import { errorText } from '../../lib/context.js';
import { attemptsText, clock, duration, policyAttempts, relative } from '../../lib/format.js';
import { attemptsAt, transitionsAt, type InspectorHistory } from '../../lib/history.js';
import type { GraphView, NodeView } from '../../lib/graphView.js';
import type { LiveNode } from '../../lib/liveState.js';
import { OP_INFO, STEP_OPS, type OpTarget, type UiOp } from '../../lib/ops.js';
import { useTRPC } from '../../lib/trpc.js';
import { useNow } from '../../lib/useNow.js';
import { refetchWhen, useLiveQuery } from '../../lib/useLiveQuery.js';
import { StatusPill } from '../StatusPill.js';
import { TYPE_LABEL } from '../StepNode.js';
import { JsonTree } from './JsonTree.js';

interface Props {
  taskId: string;
  node: NodeView;
  graph: GraphView;
  live: LiveNode | null;
  breakpoint: boolean;
  width: number;
  onToggleBreakpoint: () => void;
  onRunStep: () => void;
  onOp: (target: OpTarget, initialResults?: Json) => void;
  onInteraction: (interaction: InteractionView) => void;
  onHighlight: (h: { blocking: string[]; downstream: string[] }) => void;
  onClose: () => void;
  onResize: (width: number) => void;
  /** Set while the timeline shows a past transition: the node as it was then. */
  history?: InspectorHistory | null;
  onBackToLive?: () => void;
}

function Section({ title, count, children, open = true, testId }: { title: string; count?: number; children: ReactNode; open?: boolean; testId?: string }) {
  return (
    <details className="insp-section" open={open} data-testid={testId}>
      <summary>
        {title}
        {count !== undefined ? <span className="count">{count}</span> : null}
      </summary>
      <div className="insp-section-body">{children}</div>
    </details>
  );
}

function Resizer({ width, onResize }: { width: number; onResize: (w: number) => void }) {
  const start = (e: React.PointerEvent) => {
    const x0 = e.clientX;
    const w0 = width;
    const move = (ev: PointerEvent) => onResize(Math.max(300, Math.min(760, w0 + (x0 - ev.clientX))));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return (
    <div
      className="resizer-v"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize inspector"
      aria-valuenow={width}
      aria-valuemin={300}
      aria-valuemax={760}
      tabIndex={0}
      onPointerDown={start}
      onKeyDown={(e) => {
        if (e.key === 'ArrowLeft') onResize(Math.min(760, width + 20));
        if (e.key === 'ArrowRight') onResize(Math.max(300, width - 20));
      }}
    />
  );
}

export function StepInspector(props: Props) {
  const { taskId, node, graph, live, breakpoint, width } = props;
  const trpc = useTRPC();
  const headRef = useRef<HTMLHeadingElement>(null);
  const now = useNow(1000);
  useEffect(() => headRef.current?.focus(), [node.id]);
  const isFlow = graph.kind === 'flow';
  // Everything shown is read again (at most every 150 ms) when an event of the task arrives.
  const detailReducer = useMemo(() => refetchWhen<StepInspect>((e) => e.taskId === taskId), [taskId]);
  const availableReducer = useMemo(() => refetchWhen<OpAvailability[]>((e) => e.taskId === taskId), [taskId]);
  const detail = useLiveQuery(trpc.inspect.step.queryOptions({ taskId, name: node.id }), 'at-fetch', detailReducer, { throttleMs: 150 });
  const available = useLiveQuery({ ...trpc.ops.available.queryOptions({ taskId, step: node.id }), enabled: !isFlow }, 'at-fetch', availableReducer, { throttleMs: 150 });
  const d = detail.data;
  const { onHighlight } = props;
  const blockingKey = d ? [...d.blocking.direct, ...d.blocking.root].map((b) => b.name).join(',') : '';
  const downstreamKey = d?.downstream.join(',') ?? '';
  useEffect(() => {
    onHighlight({ blocking: blockingKey ? [...new Set(blockingKey.split(','))] : [], downstream: downstreamKey ? downstreamKey.split(',') : [] });
  }, [blockingKey, downstreamKey, onHighlight]);
  useEffect(() => () => onHighlight({ blocking: [], downstream: [] }), [onHighlight]);

  const history = props.history ?? null;
  const liveState = live?.state ?? d?.step?.state ?? (isFlow && d?.task.currentState === node.id ? d.task.status : null);
  const state = history ? (history.node?.state ?? null) : liveState;
  const step = d?.step ?? null;
  const attempts = d ? (history ? attemptsAt(d.attempts, history, graph.kind) : d.attempts) : [];
  const transitions = d ? (history ? transitionsAt(d.transitions, history.seq) : d.transitions) : [];
  // Results are not in the transition log: in history they are shown only once the step had finished.
  const resultsThen = !history || state === 'complete' || state === 'resolved_manually';
  const avail = new Map((available.data ?? []).map((a) => [a.op, a]));
  const opButton = (op: UiOp) => {
    const a = avail.get(op);
    const allowed = a?.allowed === true;
    const why = a ? (a.allowed ? OP_INFO[op].does : (a.reason ?? 'Not allowed now.')) : 'Checking…';
    return (
      <span key={op} className="tip-wrap" title={why}>
        <button className="btn sm" disabled={!allowed} aria-describedby={`why-${op}`} onClick={() => props.onOp({ op, taskId, step: node.id }, op === 'updateResults' ? (step?.results ?? {}) : undefined)}>
          {OP_INFO[op].label}
        </button>
        <span id={`why-${op}`} className="sr-only">
          {allowed ? '' : why}
        </span>
      </span>
    );
  };
  // A step's error is a summary; the whole failure (message, stack) is on the attempt it names.
  const summary = history ? null : (step?.error ?? null);
  const lastError = (summary?.attemptId ? attempts.find((a) => a.id === summary.attemptId)?.error : summary) ?? summary ?? attempts.filter((a) => a.error).at(-1)?.error ?? null;

  return (
    <aside
      className={`inspector debug-inspector${history ? ' in-history' : ''}`}
      style={{ width }}
      aria-label={`Inspector: ${node.label}${history ? ' (history)' : ''}`}
      data-testid="inspector"
      data-inspecting={node.id}
      data-history={String(history !== null)}
    >
      <Resizer width={width} onResize={props.onResize} />
      <div className="inspector-head">
        <h2 tabIndex={-1} ref={headRef}>
          {node.label}
        </h2>
        {state ? <StatusPill state={state} /> : null}
        <button className="icon-btn" aria-label="Close inspector" onClick={props.onClose}>
          ×
        </button>
      </div>
      {history ? (
        <div className="insp-history" role="status" data-testid="inspector-history">
          <span className="history-tag">History</span>
          <span>
            as it was after transition {history.index + 1} of {history.total}
            {history.at !== null ? ` (${clock(history.at)})` : ''}
          </span>
          {props.onBackToLive ? (
            <button className="btn sm" onClick={props.onBackToLive}>
              Back to live
            </button>
          ) : null}
        </div>
      ) : null}
      {!history ? (
        <div className="insp-actions" role="toolbar" aria-label="Step actions">
          {!isFlow ? (
            <>
              <button className="btn sm" aria-pressed={breakpoint} onClick={props.onToggleBreakpoint} title="Toggle breakpoint (F9 on a focused node)" data-testid="toggle-breakpoint">
                <span className={`bp-dot${breakpoint ? ' on' : ''}`} aria-hidden="true" /> Breakpoint
              </button>
              <button className="btn sm" disabled={state !== 'ready'} onClick={props.onRunStep} title={state === 'ready' ? 'Run exactly this step now (the task pauses after it)' : 'Only a ready step can be run'}>
                ▶ Run this step
              </button>
            </>
          ) : (
            <button className="btn sm" aria-pressed={breakpoint} onClick={props.onToggleBreakpoint} title="Pause the flow when it enters this state (F9)" data-testid="toggle-breakpoint">
              <span className={`bp-dot${breakpoint ? ' on' : ''}`} aria-hidden="true" /> Breakpoint
            </button>
          )}
        </div>
      ) : null}
      {!isFlow && !history ? (
        <div className="insp-ops" role="group" aria-label="Operations">
          {STEP_OPS.map(opButton)}
        </div>
      ) : null}
      <div className="inspector-body">
        {detail.error ? <div className="form-error">{errorText(detail.error)}</div> : null}
        <dl className="kv">
          <dt>type</dt>
          <dd>{TYPE_LABEL[node.type]}</dd>
          <dt>state</dt>
          <dd data-testid="inspector-state">{state ?? '—'}</dd>
          {step ? (
            <>
              <dt>attempts</dt>
              <dd data-testid="inspector-attempts">
                {attemptsText(history ? (history.node?.attempts ?? 0) : step.attempts, step.maxAttempts, policyAttempts(node.meta)).long}
              </dd>
            </>
          ) : null}
          {typeof node.meta.handler === 'string' ? (
            <>
              <dt>handler</dt>
              <dd>{node.meta.handler}</dd>
            </>
          ) : null}
          {step?.retryAt && !history ? (
            <>
              <dt>retry at</dt>
              <dd>
                {clock(step.retryAt)} ({relative(step.retryAt, now)})
              </dd>
            </>
          ) : null}
          {step?.wakeAt && !history ? (
            <>
              <dt>wakes at</dt>
              <dd>{clock(step.wakeAt)}</dd>
            </>
          ) : null}
          {live?.progress && !history ? (
            <>
              <dt>progress</dt>
              <dd>
                {Math.round(live.progress.fraction * 100)}%{live.progress.message ? ` · ${live.progress.message}` : ''}
              </dd>
            </>
          ) : null}
          {node.createdBy ? (
            <>
              <dt>created by</dt>
              <dd>{node.createdBy}</dd>
            </>
          ) : null}
        </dl>

        {lastError && (state === 'error' || state === 'waiting_for_retry') ? (
          <div className="error-box" role="alert" data-testid="inspector-error">
            <div className="error-class">{lastError.class}</div>
            <div className="error-message">{lastError.message}</div>
            {lastError.stack ? (
              <details>
                <summary>stack</summary>
                <pre>{lastError.stack}</pre>
              </details>
            ) : null}
          </div>
        ) : null}

        {d && !history && (d.blocking.direct.length > 0 || d.downstream.length > 0) ? (
          <div className="impact">
            {d.blocking.direct.length > 0 ? (
              <div>
                <span className="legend blocking" /> waiting on{' '}
                {d.blocking.root.map((b) => (
                  <code key={b.name}>
                    {b.name} ({b.state})
                  </code>
                ))}
              </div>
            ) : null}
            {d.downstream.length > 0 ? (
              <div>
                <span className="legend downstream" /> {d.downstream.length} downstream: {d.downstream.slice(0, 8).join(', ')}
                {d.downstream.length > 8 ? '…' : ''}
              </div>
            ) : null}
          </div>
        ) : null}

        {isFlow && d && !history && d.interactions.length > 0 ? (
          <Section title="Interactions" count={d.interactions.length}>
            {d.interactions.map((i) => (
              <span key={i.name} title={i.enabled ? (i.description ?? `Fire ${i.name}`) : `Only in: ${i.when.join(', ')}`}>
                <button className="btn sm" disabled={!i.enabled} onClick={() => props.onInteraction(i)}>
                  ⚡ {i.name}
                </button>
              </span>
            ))}
          </Section>
        ) : null}

        {d ? (
          <>
            {isFlow ? (
              <Section title={history ? 'Data then' : 'Data'}>
                <JsonTree value={history?.data ?? d.task.data} label="flow data" />
              </Section>
            ) : (
              <>
                <Section title="Input" open={false}>
                  <JsonTree value={d.task.input} label="task input" />
                </Section>
                {d.dependencies.length > 0 ? (
                  <Section title="Dependency results" count={d.dependencies.length} open={false}>
                    {d.dependencies.map((dep) => (
                      <div key={dep.name} className="dep">
                        <div className="dep-head">
                          <code>{dep.name}</code> {dep.state ? <StatusPill state={dep.state} /> : null}
                        </div>
                        <JsonTree value={dep.results} label={`results of ${dep.name}`} />
                      </div>
                    ))}
                  </Section>
                ) : null}
                <Section title="Results">
                  {resultsThen ? <JsonTree value={step?.results ?? null} label="results" /> : <div className="empty">No results yet at this point.</div>}
                  {history && resultsThen ? <div className="muted note">As stored now: the history keeps states, not values.</div> : null}
                </Section>
              </>
            )}
            <Section title="Attempts" count={attempts.length} testId="attempts">
              {attempts.length === 0 ? <div className="empty">Not run yet.</div> : null}
              {[...attempts].reverse().map((a) => (
                <div className="attempt" key={a.id} data-outcome={a.outcome ?? 'running'}>
                  <div className="attempt-head">
                    <strong>#{a.number}</strong>
                    <span className={`outcome ${a.outcome ?? 'running'}`}>{a.outcome ?? 'running'}</span>
                    <span className="muted">{clock(a.startedAt)}</span>
                    <span className="muted right">{a.durationMs === null ? '…' : duration(a.durationMs)}</span>
                  </div>
                  {a.error ? (
                    <div className="err">
                      <strong>{a.error.class}</strong>: {a.error.message}
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
                      <pre className="logs">{a.logs.map((l) => `${clock(l.at)} ${l.level.padEnd(5)} ${l.message}`).join('\n')}</pre>
                    </details>
                  ) : null}
                </div>
              ))}
            </Section>
            <Section title="Transitions" count={transitions.length} testId="transitions">
              <table className="transitions">
                <tbody>
                  {[...transitions].reverse().map((t) => (
                    <tr key={t.seq}>
                      <td className="mono muted">{clock(t.at)}</td>
                      <td className="mono" title={t.field === 'data' ? `${t.from ?? '∅'}\n→\n${t.to}` : undefined}>
                        {t.field === 'data' ? 'data changed' : `${t.field !== 'state' ? `${t.field}: ` : ''}${t.from ?? '∅'} → ${t.to}`}
                      </td>
                      <td>
                        <span className={`actor ${t.actor}`}>{t.actor}</span> {t.reason}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
          </>
        ) : detail.isPending ? (
          <div className="empty">Loading…</div>
        ) : null}
      </div>
    </aside>
  );
}
