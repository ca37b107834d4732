/**
 * The workbench page: header, sidebar, and the canvas for the current route. Keeps the
 * workspace and template list fresh on every workspace reload the host announces.
 */
import { useCallback, useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { connection, reconnects } from '../lib/client.js';
import { errorText, useServices } from '../lib/context.js';
import type { DirectionChoice } from '../lib/readableFit.js';
import { formatRoute, parseRoute, type Route } from '../lib/route.js';
import { reloadable, useTRPC } from '../lib/trpc.js';
import { useStore } from '../lib/useStore.js';
import { Sidebar } from './Sidebar.js';
import { TaskView } from './TaskView.js';
import { TemplateView } from './TemplateView.js';
import { ClusterView } from './cluster/ClusterView.js';
// Issue 7: announcements, workspace panels, the last view restored on a fresh open.
import { LiveRegion } from './debug/LiveRegion.js';
import { WorkspacePanels } from './debug/WorkspacePanels.js';

function initialRoute(): Route {
  const fromHash = parseRoute(window.location.hash);
  if (fromHash.view !== 'home' || window.location.hash.length > 2) return fromHash;
  // Opened without a view (a fresh URL from the host): show what was open last time.
  const last = parseRoute(localStorage.getItem('stepwise.route') ?? '');
  if (last.view !== 'home') history.replaceState(null, '', formatRoute(last));
  return last;
}

function useRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState(initialRoute);
  useEffect(() => localStorage.setItem('stepwise.route', formatRoute(route)), [route]);
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const navigate = useCallback((r: Route) => {
    window.location.hash = formatRoute(r);
  }, []);
  return [route, navigate];
}

/** The layout direction the user picked (kept across sessions); AUTO until they pick one. */
function useDirection(): [DirectionChoice, (d: DirectionChoice) => void] {
  const [direction, setDirection] = useState<DirectionChoice>(() => {
    const kept = localStorage.getItem('stepwise.direction');
    return kept === 'DOWN' || kept === 'RIGHT' ? kept : 'AUTO';
  });
  const set = useCallback((d: DirectionChoice) => {
    localStorage.setItem('stepwise.direction', d);
    setDirection(d);
  }, []);
  return [direction, set];
}

/**
 * A workspace reload (templates or handlers changed on disk) or a reconnect (the host may have
 * restarted) makes every answer the host gave possibly stale: read them again, except what the
 * user is editing.
 */
function useHostInvalidation(): void {
  const { client } = useServices();
  const queryClient = useQueryClient();
  useEffect(() => {
    const again = () => void queryClient.invalidateQueries({ predicate: reloadable });
    const sub = client.onWorkspaceChanged.subscribe(undefined, { onData: again });
    const unsubscribe = reconnects.subscribe(again);
    return () => {
      sub.unsubscribe();
      unsubscribe();
    };
  }, [client, queryClient]);
}

export function App() {
  const trpc = useTRPC();
  const [route, navigate] = useRoute();
  const [direction, setDirection] = useDirection();
  const status = useStore(connection);
  useHostInvalidation();
  const workspace = useQuery(trpc.workspace.queryOptions());
  const templates = useQuery(trpc.templates.queryOptions());

  const ws = workspace.data;
  const unowned = ws ? ws.problems.filter((p) => !p.template && !(templates.data ?? []).some((t) => t.file !== null && p.file === t.file)) : [];
  return (
    <div className="app">
      {/* The first Tab stop: past the header and the sidebar, to the view's own toolbar. */}
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          const main = document.querySelector<HTMLElement>('main');
          const first = main?.querySelector<HTMLElement>('.toolbar-actions button:not([disabled]), button:not([disabled])');
          (first ?? main)?.focus();
        }}
      >
        Skip to the view
      </a>
      <header className="header">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" /> Stepwise
        </span>
        {ws ? (
          <>
            <span className="ws-name">{ws.name}</span>
            <span className="ws-path" title={`database: ${ws.database}`}>
              {ws.root}
            </span>
          </>
        ) : null}
        <span className="spacer" />
        <a className="header-link" href="#/cluster" aria-current={route.view === 'cluster' ? 'page' : undefined} data-testid="open-cluster">
          Cluster
        </a>
        <span className="conn" data-status={status} data-testid="connection" role="status" aria-live="polite">
          <span className="conn-dot" aria-hidden="true" />
          {status === 'open' ? 'Connected' : status === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}
        </span>
      </header>
      <div className="app-body">
        <Sidebar templates={templates.data} templatesError={templates.error ? errorText(templates.error) : null} route={route} navigate={navigate} />
        {route.view === 'template' ? (
          <TemplateView
            key={route.ref}
            templateRef={route.ref}
            direction={direction}
            onDirection={setDirection}
            onTaskStarted={(id) => navigate({ view: 'task', id })}
          />
        ) : route.view === 'cluster' ? (
          <ClusterView onOpenTask={(id) => navigate({ view: 'task', id })} />
        ) : route.view === 'task' ? (
          <TaskView
            key={route.id}
            taskId={route.id}
            direction={direction}
            onDirection={setDirection}
            onOpenTemplate={(ref) => navigate({ view: 'template', ref })}
            onOpenTask={(id) => navigate({ view: 'task', id })}
          />
        ) : (
          <main className="main">
            <div className="home">
              <h2>{ws ? `Workspace ${ws.name}` : 'Stepwise workbench'}</h2>
              <p>
                Pick a template on the left to see it as a flowchart and start a task from it, or pick a task to watch it run.
                {ws ? ` ${ws.templateCount} templates, ${ws.handlers.length} handlers.` : ''}
              </p>
              {unowned.length > 0 ? (
                <div className="banner error">
                  Files with problems:
                  <ul>
                    {unowned.map((p, i) => (
                      <li key={i}>{p.text}</li>
                    ))}
                  </ul>
                </div>
              ) : null}
            </div>
            <WorkspacePanels onOpenTask={(id) => navigate({ view: 'task', id })} />
          </main>
        )}
      </div>
      <LiveRegion />
    </div>
  );
}
