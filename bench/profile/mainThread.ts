/**
 * Where a page's main thread spends a Chromium trace (devtools.timeline + blink.user_timing):
 * the self time of every complete event on the renderer's main thread, grouped as DevTools
 * groups it (script, script compile, style & layout, paint, GC, parse HTML, other), per phase
 * between the page's marks, with the idle rest. Used by ./workbenchPage.ts.
 */

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: { name?: string; data?: { url?: string } };
}

export type Category = 'script' | 'compile' | 'style+layout' | 'paint' | 'gc' | 'html' | 'other';

const CATEGORY: Record<string, Category> = {
  FunctionCall: 'script',
  EvaluateScript: 'script',
  'v8.evaluateModule': 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  EventDispatch: 'script',
  RunMicrotasks: 'script',
  'v8.run': 'script',
  'v8.callFunction': 'script',
  'V8.Execute': 'script',
  'v8.compile': 'compile',
  'v8.compileModule': 'compile',
  'V8.CompileCode': 'compile',
  'v8.produceModuleCache': 'compile',
  'v8.produceCache': 'compile',
  CacheScript: 'compile',
  UpdateLayoutTree: 'style+layout',
  Layout: 'style+layout',
  HitTest: 'style+layout',
  ScheduleStyleRecalculation: 'style+layout',
  'IntersectionObserverController::computeIntersections': 'style+layout',
  Paint: 'paint',
  PrePaint: 'paint',
  Layerize: 'paint',
  UpdateLayer: 'paint',
  UpdateLayerTree: 'paint',
  Commit: 'paint',
  CompositeLayers: 'paint',
  PaintImage: 'paint',
  MinorGC: 'gc',
  MajorGC: 'gc',
  'V8.GCScavenger': 'gc',
  'V8.GCFinalizeMC': 'gc',
  'V8.GCIncrementalMarking': 'gc',
  'BlinkGC.AtomicPhase': 'gc',
  ParseHTML: 'html',
  ParseAuthorStyleSheet: 'html',
};
const CATEGORIES: Category[] = ['script', 'compile', 'style+layout', 'paint', 'gc', 'html', 'other'];

export interface Phase {
  name: string;
  /** Trace clock, µs. */
  from: number;
  to: number;
}

export interface PhaseBreakdown {
  name: string;
  wallMs: number;
  busyMs: number;
  byCategory: Record<Category, number>;
  /** The longest main-thread task starting in the phase. */
  longestTaskMs: number;
}

/**
 * The renderer main thread of the page: the thread of the last `navigationStart` mark before the
 * page's first mark `firstMark` (the blank page before it navigates has one too).
 */
export function mainThreadOf(events: TraceEvent[], firstMark: string): { pid: number; tid: number; navigationStart: number } | null {
  const first = events.find((e) => e.name === firstMark);
  if (!first) return null;
  const nav = events.filter((e) => e.name === 'navigationStart' && e.pid === first.pid && e.ts <= first.ts).sort((a, b) => b.ts - a.ts)[0];
  return nav ? { pid: nav.pid, tid: nav.tid, navigationStart: nav.ts } : null;
}

/** Self time per category of the main thread's complete events, cut into `phases`. */
export function breakdown(events: TraceEvent[], thread: { pid: number; tid: number }, phases: Phase[]): PhaseBreakdown[] {
  const mine = events
    .filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X' && (e.dur ?? 0) > 0)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const out = phases.map((p) => ({ name: p.name, wallMs: (p.to - p.from) / 1000, busyMs: 0, byCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>, longestTaskMs: 0 }));
  /** Adds [from, to) of `category` to the phases it overlaps. */
  const add = (from: number, to: number, category: Category) => {
    phases.forEach((p, i) => {
      const ms = (Math.min(to, p.to) - Math.max(from, p.from)) / 1000;
      if (ms > 0) out[i]!.byCategory[category] += ms;
    });
  };
  // Walk the nesting: an event's self time is its span minus its children's; a child inherits
  // its parent's category when its own name is not one we group (a RunTask's children decide).
  const stack: Array<{ end: number; category: Category | null; cursor: number }> = [];
  const close = (until: number) => {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= until) {
      const top = stack.pop()!;
      if (top.cursor < top.end) add(top.cursor, top.end, top.category ?? 'other');
      const parent = stack[stack.length - 1];
      if (parent) parent.cursor = top.end;
    }
  };
  for (const e of mine) {
    close(e.ts);
    const parent = stack[stack.length - 1];
    if (parent) {
      if (parent.cursor < e.ts) add(parent.cursor, e.ts, parent.category ?? 'other');
      parent.cursor = e.ts;
    } else if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') {
      phases.forEach((p, i) => {
        if (e.ts >= p.from && e.ts < p.to) out[i]!.longestTaskMs = Math.max(out[i]!.longestTaskMs, e.dur! / 1000);
      });
    }
    const end = e.ts + e.dur!;
    // A child that outlives its parent (clock rounding) is cut at the parent's end.
    stack.push({ end: parent ? Math.min(end, parent.end) : end, category: CATEGORY[e.name] ?? parent?.category ?? null, cursor: e.ts });
  }
  close(Number.POSITIVE_INFINITY);
  for (const o of out) {
    o.busyMs = CATEGORIES.reduce((sum, c) => sum + o.byCategory[c], 0);
    for (const c of CATEGORIES) o.byCategory[c] = Math.round(o.byCategory[c]);
    o.busyMs = Math.round(o.busyMs);
    o.wallMs = Math.round(o.wallMs);
    o.longestTaskMs = Math.round(o.longestTaskMs);
  }
  return out;
}

/** A table: one row per phase, wall and busy ms, each category, the longest task. */
export function formatBreakdown(rows: PhaseBreakdown[]): string {
  const head = ['phase', 'wall', 'busy', ...CATEGORIES, 'longest task'];
  const lines = rows.map((r) => [r.name, r.wallMs, r.busyMs, ...CATEGORIES.map((c) => r.byCategory[c]), r.longestTaskMs].map(String));
  const total = ['total', ...[1, 2].map((i) => String(lines.reduce((s, l) => s + Number(l[i]), 0))), ...CATEGORIES.map((c) => String(rows.reduce((s, r) => s + r.byCategory[c], 0))), String(Math.max(0, ...rows.map((r) => r.longestTaskMs)))];
  return [head, ...lines, total].map((l) => '| ' + l.join(' | ') + ' |').join('\n');
}
