/**
 * The workspace sidebar: templates grouped by namespace (a red badge counts the problems of
 * an invalid one, its tooltip lists them) and the task list, kept live by task events (each
 * status and flow state change is applied to the rows at once; new tasks refetch the page).
 */
import { useEffect, useMemo, useState } from 'react';
import type { TemplateSummary, TaskListPage } from '../../core/host/protocol.js';
import { reconnects } from '../lib/client.js';
import { useServices, errorText } from '../lib/context.js';
import type { Route } from '../lib/route.js';
import { throttle, useRpc } from '../lib/useRpc.js';
import { useStore } from '../lib/useStore.js';
import { applyTaskEvent, type LiveTaskList } from '../lib/taskListLive.js';
import { StatusPill } from './StatusPill.js';

interface Props {
  templates: TemplateSummary[] | undefined;
  templatesError: string | null;
  route: Route;
  navigate: (route: Route) => void;
}

export function Sidebar({ templates, templatesError, route, navigate }: Props) {
  const groups = useMemo(() => {
    const byNs = new Map<string, TemplateSummary[]>();
    for (const t of templates ?? []) byNs.set(t.namespace, [...(byNs.get(t.namespace) ?? []), t]);
    return [...byNs.entries()];
  }, [templates]);
  return (
    <nav className="sidebar" aria-label="Workspace">
      <section className="section templates" aria-labelledby="templates-head">
        <div className="section-head" id="templates-head">
          Templates <span className="count">{templates?.length ?? ''}</span>
        </div>
        <div className="section-body" data-testid="template-list">
          {templatesError ? <div className="empty">{templatesError}</div> : null}
          {templates && templates.length === 0 ? <div className="empty">No templates in this workspace.</div> : null}
          {groups.map(([ns, list]) => (
            <div key={ns} role="group" aria-label={`namespace ${ns}`}>
              <div className="ns">{ns}</div>
              {list.map((t) => (
                <button
                  key={t.ref}
                  className="item"
                  data-template={t.ref}
                  aria-current={route.view === 'template' && route.ref === t.ref}
                  onClick={() => navigate({ view: 'template', ref: t.ref })}
                  title={t.valid ? `${t.ref}\n${t.description ?? ''}` : `${t.ref}\n\n${t.problems.map((p) => p.text).join('\n')}`}
                >
                  <span className="name">{t.name}</span>
                  {!t.valid ? (
                    <span className="problem-badge" data-testid="problem-badge" aria-label={`${t.problems.length} problems`}>
                      ⚠ {t.problems.length}
                    </span>
                  ) : null}
                  <span className="kind-badge" data-kind={t.kind}>
                    {t.kind}
                  </span>
                </button>
              ))}
            </div>
          ))}
        </div>
      </section>
      <TaskList templates={templates} route={route} navigate={navigate} />
    </nav>
  );
}

const STATUS_FILTERS = ['all', 'running', 'waiting', 'complete', 'error', 'active', 'completed', 'failed', 'cancelled'] as const;

function TaskList({ templates, route, navigate }: Omit<Props, 'templatesError'>) {
  const { client, hub } = useServices();
  const [status, setStatus] = useState<(typeof STATUS_FILTERS)[number]>('all');
  const [templateRef, setTemplateRef] = useState<string>('');
  const reconnect = useStore(reconnects);
  const statusFilter = status !== 'all' ? [status] : undefined;
  // The page and the event seq it reflects: events after that seq are applied to it.
  const tasks = useRpc<{ page: TaskListPage; seq: number }>(async () => {
    const seq = hub.lastSeq();
    const page = await client.tasks.query({ limit: 200, ...(statusFilter ? { status: statusFilter } : {}), ...(templateRef ? { templateRef } : {}) });
    return { page, seq };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, hub, status, templateRef, reconnect]);
  const [live, setLive] = useState<LiveTaskList | null>(null);
  const { refetch } = tasks;
  useEffect(() => {
    const data = tasks.data;
    if (!data) return;
    let current: LiveTaskList = { page: data.page, seq: data.seq, needsRefetch: false };
    setLive(current);
    const later = throttle(refetch, 250);
    const filter = statusFilter ? { status: statusFilter } : {};
    const sub = hub.listen(data.seq, (e) => {
      const next = applyTaskEvent(current, e, filter);
      if (next === current) return;
      current = next;
      if (current.needsRefetch) later.run();
      setLive(current);
    });
    if (!sub.complete) later.run();
    return () => {
      sub.unsubscribe();
      later.cancel();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tasks.data, hub, refetch]);
  const page = live?.page;
  const short = (ref: string) => ref.replace(/@.*$/, '');
  return (
    <section className="section tasks" aria-labelledby="tasks-head">
      <div className="section-head" id="tasks-head">
        Tasks <span className="count">{page ? page.total : ''}</span>
      </div>
      <div className="filter" style={{ display: 'flex', gap: 6 }}>
        <select aria-label="Filter tasks by status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          {STATUS_FILTERS.map((s) => (
            <option key={s} value={s}>
              {s === 'all' ? 'All statuses' : s}
            </option>
          ))}
        </select>
        <select aria-label="Filter tasks by template" value={templateRef} onChange={(e) => setTemplateRef(e.target.value)}>
          <option value="">All templates</option>
          {(templates ?? []).map((t) => (
            <option key={t.ref} value={t.ref}>
              {t.namespace}/{t.name}
            </option>
          ))}
        </select>
      </div>
      <div className="section-body" data-testid="task-list">
        {tasks.error ? <div className="empty">{errorText(tasks.error)}</div> : null}
        {page && page.tasks.length === 0 ? <div className="empty">No tasks yet. Open a template and press Start task.</div> : null}
        {page?.tasks.map((t) => (
          <button
            key={t.id}
            className="item task-item"
            data-task={t.id}
            data-status={t.status}
            {...(t.currentState ? { 'data-current-state': t.currentState } : {})}
            aria-current={route.view === 'task' && route.id === t.id}
            onClick={() => navigate({ view: 'task', id: t.id })}
            title={`${t.templateRef}\n${t.id}\ncreated ${new Date(t.createdAt).toLocaleString()}`}
          >
            <span className="name">
              {short(t.templateRef)}
              <br />
              <span className="sub id">{t.id.slice(0, 12)}</span>
              {t.currentState ? <span className="sub"> · {t.currentState}</span> : null}
            </span>
            <StatusPill state={t.status} />
          </button>
        ))}
      </div>
    </section>
  );
}
