/**
 * The workspace sidebar: templates grouped by namespace (a red badge counts the problems of
 * an invalid one, its tooltip lists them) and the task list, kept live by task events (each
 * status and flow state change is applied to the rows at once; new tasks refetch the page).
 */
import { useMemo, useState } from 'react';
import type { TaskListPage, TaskStatus, TemplateSummary } from '../../core/host/protocol.js';
import { errorText } from '../lib/context.js';
import type { Route } from '../lib/route.js';
import { applyTaskEvent, type LiveTaskList } from '../lib/taskListLive.js';
import { useTRPC } from '../lib/trpc.js';
import { REFETCH, useLiveQuery, type LiveReducer } from '../lib/useLiveQuery.js';
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

/** The list advanced by task events; a change the events do not describe reads the page again. */
function taskListReducer(status: readonly TaskStatus[] | undefined): LiveReducer<TaskListPage, LiveTaskList> {
  const filter = status ? { status } : {};
  return {
    init: (page) => ({ page, seq: 0, needsRefetch: false }),
    apply: (list, event) => {
      const next = applyTaskEvent(list, event, filter);
      return next.needsRefetch ? REFETCH : next;
    },
  };
}

function TaskList({ templates, route, navigate }: Omit<Props, 'templatesError'>) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<(typeof STATUS_FILTERS)[number]>('all');
  const [templateRef, setTemplateRef] = useState<string>('');
  const statusFilter = useMemo(() => (status !== 'all' ? [status] : undefined), [status]);
  const reducer = useMemo(() => taskListReducer(statusFilter), [statusFilter]);
  const tasks = useLiveQuery(
    trpc.tasks.queryOptions({ limit: 200, ...(statusFilter ? { status: statusFilter } : {}), ...(templateRef ? { templateRef } : {}) }),
    'at-fetch',
    reducer,
    { throttleMs: 250 },
  );
  const live = tasks.data;
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
