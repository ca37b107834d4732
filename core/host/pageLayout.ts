/**
 * The layout that travels with a graph the page is about to draw (the `templateGraph` and
 * `runtimeGraph` answers): one round trip instead of two, and no page-side layout work.
 * The host's cached ELK layout when it has one (memory or disk); otherwise a big graph gets the
 * quick layered layout at once (computed here, off the page's main thread) while ELK's is
 * started with a client's priority, so the page's `layoutByKey` query joins that run; a small
 * graph gets nothing (its ELK run takes milliseconds; the page asks `layout` and joins the run).
 */
import type { TemplateGraph } from '../export/graphModel.js';
import { toGraphView } from '../export/graphView.js';
import { layoutRequestOf, QUICK_FROM, type Direction, type LayoutRequest, type LayoutResult } from '../export/layout.js';
import type { LayoutService } from './layoutService.js';

/** Above this many nodes the page lays the graph out itself (the `layout` procedure's own limit). */
const MOST_NODES = 20_000;

export interface PageLayout {
  direction: Direction;
  result: LayoutResult;
  /** `quick`: ELK's layout is on its way (ask `layoutByKey` for it). */
  source: 'memory' | 'disk' | 'quick';
  /** The cache key of the request, to ask for ELK's layout by (`layoutByKey`) instead of sending the whole request. */
  key: string;
}

/** The layout requests of a graph by direction (a template's graph is kept per template by the router: a second open builds nothing). */
const requests = new WeakMap<TemplateGraph, Partial<Record<Direction, LayoutRequest>>>();

function requestOf(graph: TemplateGraph, direction: Direction): LayoutRequest {
  let byDirection = requests.get(graph);
  if (!byDirection) requests.set(graph, (byDirection = {}));
  return (byDirection[direction] ??= layoutRequestOf(toGraphView(graph), direction));
}

export function pageLayout(layouts: LayoutService | undefined, graph: TemplateGraph, direction: Direction | undefined): PageLayout | null {
  if (!layouts || !direction) return null;
  const request = requestOf(graph, direction);
  if (request.nodes.length === 0 || request.nodes.length > MOST_NODES) return null;
  const cached = layouts.cached(request);
  if (cached && (cached.source === 'memory' || cached.source === 'disk')) return { direction, result: cached.result, source: cached.source, key: cached.key };
  // Settles with the fallback at worst: nothing to handle here.
  const key = layouts.key(request);
  void layouts.layout(request);
  return request.nodes.length > QUICK_FROM ? { direction, result: layouts.quick(request), source: 'quick', key } : null;
}
