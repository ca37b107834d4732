/**
 * The sidebar's task list, kept live by task events (each status, flow state and pause change is
 * applied to the rows at once; new tasks read the page again). A row tells tasks apart: template,
 * short id (the random tail of the id), status (paused included), age, a one-line input summary
 * and the error, if any. A search box (id, short id, template, input, error), status and template
 * filters; rows can be selected for a bulk retry, cancel or mark complete — the rows shown, or
 * with "Select all matching" every task the filters match on the server. Arrow keys move
 * between rows; the list is one Tab stop.
 */
import { useMemo, useState } from 'react';
import { TASK_STATUSES, type BulkOp, type TaskListPage, type TaskStatus, type TemplateSummary } from '../../core/host/protocol.js';
import { errorText } from '../lib/context.js';
import { age } from '../lib/format.js';
import { listKeyHandler } from '../lib/listKeyHandler.js';
import { rovingTabIndex } from '../lib/listKeys.js';
import type { Route } from '../lib/route.js';
import { applyTaskEvent, type LiveTaskList } from '../lib/taskListLive.js';
import { useTRPC } from '../lib/trpc.js';
import { REFETCH, useLiveQuery, type LiveReducer } from '../lib/useLiveQuery.js';
import { useNow } from '../lib/useNow.js';
import { useSettled } from '../lib/useSettled.js';
import { BulkDialog, BULK_INFO, type BulkSelection } from './debug/BulkDialog.js';
import { FilterSelect, SearchBox } from './FilterControls.js';
import { StatusPill } from './StatusPill.js';

interface Props {
  templates: TemplateSummary[] | undefined;
  route: Route;
  navigate: (route: Route) => void;
}

// One word per outcome: each filter finds workflows and flows alike (complete = complete + completed, failed = error + failed).
const STATUS_OPTIONS = TASK_STATUSES.map((s) => ({ value: s, label: s }));
const BULK_OPS: BulkOp[] = ['retry', 'cancel', 'markCompleted'];

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

const onListKey = listKeyHandler('.task-item');

export function TaskList({ templates, route, navigate }: Props) {
  const trpc = useTRPC();
  const now = useNow(15_000);
  const [status, setStatus] = useState<TaskStatus | 'all'>('all');
  const [templateRef, setTemplateRef] = useState<string>('');
  const [searchText, setSearchText] = useState('');
  const search = useSettled(searchText.trim(), 250);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  // Every task the filters match (read by the host), not only the rows shown.
  const [allMatching, setAllMatching] = useState(false);
  const [bulk, setBulk] = useState<{ op: BulkOp; selection: BulkSelection } | null>(null);
  const statusFilter = useMemo(() => (status !== 'all' ? [status] : undefined), [status]);
  const reducer = useMemo(() => taskListReducer(statusFilter), [statusFilter]);
  const tasks = useLiveQuery(
    trpc.tasks.queryOptions({ limit: 200, ...(statusFilter ? { status: statusFilter } : {}), ...(templateRef ? { templateRef } : {}), ...(search ? { search } : {}) }),
    'at-fetch',
    reducer,
    { throttleMs: 250 },
  );
  const page = tasks.data?.page;
  const rows = page?.tasks ?? [];
  // The selection is of rows shown: a filter change drops what it hides.
  const chosen = rows.filter((t) => selected.has(t.id)).map((t) => t.id);
  const allChosen = rows.length > 0 && chosen.length === rows.length;
  const current = rows.findIndex((t) => route.view === 'task' && route.id === t.id);
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? new Set([...s, id]) : new Set([...s].filter((x) => x !== id))));
  const filtered = status !== 'all' || templateRef !== '' || search !== '';
  // The list may not show every match: then "Select all matching" reaches the rest.
  const partial = page !== undefined && (filtered || page.total > rows.length || page.nextCursor !== null);
  const matching = allChosen && allMatching && partial;
  const filter = { ...(statusFilter ? { status: statusFilter } : {}), ...(templateRef ? { templateRef } : {}), ...(search ? { search } : {}) };
  const chooseAll = (on: boolean) => {
    setSelected(on ? new Set(rows.map((t) => t.id)) : new Set());
    setAllMatching(false);
  };

  return (
    <section className="section tasks" aria-labelledby="tasks-head">
      <div className="section-head" id="tasks-head">
        Tasks <span className="count">{page ? `${page.total}${page.searched?.truncated ? '+' : ''}` : ''}</span>
      </div>
      <div className="filter">
        <SearchBox className="task-search" label="Search tasks" placeholder="Search id, input, error…" value={searchText} onChange={setSearchText} />
        <div className="filter-row">
          <FilterSelect label="Filter tasks by status" value={status} onChange={setStatus} all={{ value: 'all', label: 'All statuses' }} options={STATUS_OPTIONS} />
          <FilterSelect label="Filter tasks by template" value={templateRef} onChange={setTemplateRef} all={{ value: '', label: 'All templates' }} options={(templates ?? []).map((t) => ({ value: t.ref, label: `${t.namespace}/${t.name}` }))} />
        </div>
        {rows.length > 0 ? (
          <div className="bulk-bar" role="group" aria-label="Selected tasks" data-testid="bulk-bar">
            <label className="check">
              <input type="checkbox" checked={allChosen} ref={(el) => void (el && (el.indeterminate = chosen.length > 0 && !allChosen))} onChange={(e) => chooseAll(e.target.checked)} />
              {matching ? 'All matching selected' : chosen.length > 0 ? `${chosen.length} selected` : `Select all ${rows.length}${filtered ? ' shown' : ''}`}
            </label>
            {allChosen && partial ? (
              <button className="link sm" aria-pressed={matching} onClick={() => setAllMatching(!matching)} data-testid="select-all-matching">
                {matching ? `Only the ${rows.length} shown` : 'Select all matching'}
              </button>
            ) : null}
            {chosen.length > 0
              ? BULK_OPS.map((op) => (
                  <button key={op} className={`btn sm${op === 'cancel' ? ' danger-outline' : ''}`} onClick={() => setBulk({ op, selection: matching ? { filter } : { taskIds: chosen } })}>
                    {BULK_INFO[op].label}
                  </button>
                ))
              : null}
          </div>
        ) : null}
      </div>
      <div className="section-body" data-testid="task-list">
        {tasks.error ? <div className="empty">{errorText(tasks.error)}</div> : null}
        {page && rows.length === 0 ? <div className="empty">{filtered ? 'No task matches.' : 'No tasks yet. Open a template and press Start task.'}</div> : null}
        {page?.searched?.truncated ? <div className="empty">Searched the newest {page.searched.scanned} tasks.</div> : null}
        {rows.length > 0 ? (
        <div role="list" aria-label="Tasks" onKeyDown={onListKey}>
        {rows.map((t, i) => {
          const paused = t.status === 'paused';
          // The template's name (its namespace and version are in the tooltip and the filter).
          const name = t.templateRef.replace(/@.*$/, '').replace(/^.*\//, '');
          return (
            <div key={t.id} role="listitem" className={`task-row${selected.has(t.id) ? ' chosen' : ''}`}>
              <input type="checkbox" className="task-check" aria-label={`Select ${name} ${t.shortId}`} checked={selected.has(t.id)} onChange={(e) => toggle(t.id, e.target.checked)} />
              <button
                className="item task-item"
                data-task={t.id}
                data-status={t.unreadable ? 'unreadable' : t.status}
                data-paused={String(paused)}
                {...(t.currentState ? { 'data-current-state': t.currentState } : {})}
                aria-current={route.view === 'task' && route.id === t.id}
                tabIndex={rovingTabIndex(i, current)}
                onClick={() => navigate({ view: 'task', id: t.id })}
                title={`${t.templateRef}\n${t.id}\ncreated ${new Date(t.createdAt).toLocaleString()}${t.unreadable ? `\nunreadable: ${t.unreadable}` : ''}`}
              >
                <span className="task-line">
                  <span className="name">{name}</span>
                  <code className="sub id">{t.shortId}</code>
                  <StatusPill state={t.unreadable ? 'unreadable' : t.status} />
                </span>
                <span className="task-line sub-line">
                  <span className="input-summary">{t.currentState ? `${t.currentState} · ` : ''}{t.inputSummary || 'no input'}</span>
                  <span className="age">{age(t.createdAt, now)}</span>
                </span>
                {t.error ? (
                  <span className="task-error" data-testid="task-error">
                    {t.error.class}: {t.error.message}
                  </span>
                ) : null}
              </button>
            </div>
          );
        })}
        </div>
        ) : null}
      </div>
      {bulk ? (
        <BulkDialog
          op={bulk.op}
          selection={bulk.selection}
          onClose={() => {
            setBulk(null);
            chooseAll(false);
          }}
        />
      ) : null}
    </section>
  );
}
