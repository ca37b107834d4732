/**
 * The workspace sidebar: templates grouped by namespace (a red badge counts the problems of
 * an invalid one, its tooltip lists them; arrow keys move between them) and the task list.
 */
import { useMemo } from 'react';
import type { TemplateSummary } from '../../core/host/protocol.js';
import { listKeyHandler } from '../lib/listKeyHandler.js';
import { rovingTabIndex } from '../lib/listKeys.js';
import type { Route } from '../lib/route.js';
import { TaskList } from './TaskList.js';

const onTemplateKey = listKeyHandler('[data-template]');

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
  // One Tab stop for the list (the open template, else the first); arrows move between them.
  const sorted = groups.flatMap(([, list]) => list.map((t) => t.ref));
  const current = sorted.indexOf(route.view === 'template' ? route.ref : '');
  return (
    <nav className="sidebar" aria-label="Workspace">
      <section className="section templates" aria-labelledby="templates-head">
        <div className="section-head" id="templates-head">
          Templates <span className="count">{templates?.length ?? ''}</span>
        </div>
        <div className="section-body" data-testid="template-list" onKeyDown={onTemplateKey}>
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
                  tabIndex={rovingTabIndex(sorted.indexOf(t.ref), current)}
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
