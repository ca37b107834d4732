/**
 * Workspace insights from core/insights (the numbers `stepwise insights` prints): tasks by
 * status, steps by state, slowest steps (p50/p95 of handler time), most-failing steps with their
 * last error, slowest tasks. Read again, at most every 2 s, while tasks finish.
 */
import type { Insights } from '../../../core/host/protocol.js';
import { errorText } from '../../lib/context.js';
import { duration } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';
import { refetchWhen, useLiveQuery } from '../../lib/useLiveQuery.js';
import { StatusPill } from '../StatusPill.js';

/** Insights change as tasks start, fail and finish: read them again then, at most every 2 s. */
const insightsReducer = refetchWhen<Insights>((e) => e.type === 'task.completed' || e.type === 'task.failed' || e.type === 'step.failed' || e.type === 'task.created');

export function InsightsPanel({ onOpenTask }: { onOpenTask?: (id: string) => void }) {
  const trpc = useTRPC();
  const insights = useLiveQuery(trpc.insights.workspace.queryOptions({ top: 10 }), 'at-fetch', insightsReducer, { throttleMs: 2000 });
  const d = insights.data;
  if (insights.error) return <div className="form-error">{errorText(insights.error)}</div>;
  if (!d) return <div className="empty">Computing insights…</div>;
  return (
    <div className="insights" data-testid="insights">
      <div className="ins-col">
      <section className="ins-card">
        <h4>
          Tasks <span className="muted">{d.tasks.total}</span>
        </h4>
        <div className="pill-row">
          {d.tasks.byStatus.map((s) => (
            <span key={`${s.kind}/${s.status}`} className="count-pill" title={`${s.count} ${s.kind} tasks ${s.status}`}>
              <StatusPill state={s.status} /> {s.count}
            </span>
          ))}
          {d.tasks.unreadable.total > 0 ? (
            <span className="count-pill" title={d.tasks.unreadable.first.map((u) => `${u.taskId}: ${u.reason}`).join('\n')}>
              <StatusPill state="unreadable" /> {d.tasks.unreadable.total}
            </span>
          ) : null}
        </div>
        <h4>
          Steps <span className="muted">{d.steps.total}</span>
        </h4>
        <div className="pill-row">
          {d.steps.byState.map((s) => (
            <span key={s.state} className="count-pill">
              <StatusPill state={s.state} /> {s.count}
            </span>
          ))}
        </div>
      </section>
      <SlowestTasks tasks={d.slowestTasks} {...(onOpenTask ? { onOpenTask } : {})} />
      </div>
      <section className="ins-card wide">
        <h4>Slowest steps</h4>
        <table className="grid">
          <thead>
            <tr>
              <th>step · template</th>
              <th className="num">runs</th>
              <th className="num">p50</th>
              <th className="num">p95</th>
              <th className="num">max</th>
            </tr>
          </thead>
          <tbody>
            {d.slowestSteps.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No finished attempts yet.
                </td>
              </tr>
            ) : null}
            {d.slowestSteps.map((s) => (
              <tr key={`${s.template}/${s.step}`}>
                <td className="mono" title={`${s.template} · ${s.step}`}>
                  <strong>{s.step}</strong> <span className="muted">{s.template}</span>
                </td>
                <td className="num">{s.count}</td>
                <td className="num">{duration(s.p50Ms)}</td>
                <td className="num">{duration(s.p95Ms)}</td>
                <td className="num">{duration(s.maxMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="ins-card wide">
        <h4>Most failing steps</h4>
        <table className="grid">
          <thead>
            <tr>
              <th>step · template</th>
              <th className="num">failed</th>
              <th className="num">rate</th>
              <th>last error</th>
            </tr>
          </thead>
          <tbody>
            {d.failingSteps.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No failures.
                </td>
              </tr>
            ) : null}
            {d.failingSteps.map((f) => (
              <tr key={`${f.template}/${f.step}`}>
                <td className="mono" title={`${f.template} · ${f.step}`}>
                  <strong>{f.step}</strong> <span className="muted">{f.template}</span>
                </td>
                <td className="num">
                  {f.failures}/{f.attempts}
                </td>
                <td className="num">{Math.round(f.failureRate * 100)}%</td>
                <td className="last-error" title={f.lastError ? `${f.lastError.class}: ${f.lastError.message}` : ''}>
                  {f.lastError ? (
                    <button className="link" onClick={() => onOpenTask?.(f.lastError!.taskId)}>
                      {f.lastError.class}: {f.lastError.message}
                    </button>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function SlowestTasks({ tasks, onOpenTask }: { tasks: Insights['slowestTasks']; onOpenTask?: (id: string) => void }) {
  return (
    <section className="ins-card">
      <h4>Slowest tasks</h4>
      <table className="grid">
        <tbody>
          {tasks.map((t) => (
            <tr key={t.taskId}>
              <td>
                <button className="link mono" onClick={() => onOpenTask?.(t.taskId)} title={t.taskId}>
                  {t.templateRef.replace(/@.*/, '')} <span className="muted">{t.taskId.slice(0, 8)}</span>
                </button>
              </td>
              <td className="num">{duration(t.durationMs)}</td>
            </tr>
          ))}
          {tasks.length === 0 ? (
            <tr>
              <td className="muted">No finished tasks.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
