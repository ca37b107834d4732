/**
 * What the canvas shows, kept in the URL hash so a reload (and a link) keeps it:
 * `#/template/<ref>`, `#/task/<id>` or `#/cluster`. The token stays in the query string. PURE.
 */
export type Route = { view: 'home' } | { view: 'cluster' } | { view: 'template'; ref: string } | { view: 'task'; id: string };

export function parseRoute(hash: string): Route {
  if (hash === '#/cluster') return { view: 'cluster' };
  const m = /^#\/(template|task)\/(.+)$/.exec(hash);
  if (!m) return { view: 'home' };
  let value: string;
  try {
    value = decodeURIComponent(m[2]!);
  } catch {
    return { view: 'home' };
  }
  return m[1] === 'template' ? { view: 'template', ref: value } : { view: 'task', id: value };
}

export function formatRoute(route: Route): string {
  switch (route.view) {
    case 'home':
      return '#/';
    case 'cluster':
      return '#/cluster';
    case 'template':
      return `#/template/${encodeURIComponent(route.ref)}`;
    case 'task':
      return `#/task/${encodeURIComponent(route.id)}`;
  }
}
