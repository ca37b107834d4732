/**
 * The big-graph overview's rectangles as markup (renderer/lib/overviewMarkup.ts): what the
 * e2e tests and the click handler read (data-step, data-state, data-type) and the look per state,
 * with step names escaped.
 */
import { describe, expect, it } from 'vitest';
import { overviewRectsMarkup } from '../../renderer/lib/overviewMarkup.js';
import { STATE_STYLES } from '../../core/export/style.js';
import type { GraphView } from '../../core/export/graphView.js';
import type { LayoutResult } from '../../core/export/layout.js';
import type { LiveState } from '../../renderer/lib/liveState.js';

const node = (id: string, type: GraphView['nodes'][number]['type'] = 'standard'): GraphView['nodes'][number] => ({
  id, label: id, type, width: 184, height: 58, dynamic: false, createdBy: null, start: false, interactions: [], meta: {}, state: null, current: false,
});
const STROKES = { standard: '#111', decision: '#222' };
const nodes = [node('a'), node('b "<&>"', 'decision'), node('unplaced')];
const result: LayoutResult = { positions: { a: { x: 10, y: 20 }, 'b "<&>"': { x: 300, y: 20 } }, routes: {}, width: 600, height: 100, engine: 'elk' };

function rects(markup: string): Array<Record<string, string>> {
  return [...markup.matchAll(/<rect ([^>]*)><\/rect>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

describe('overview rectangles as markup', () => {
  it('a template: one rectangle per placed node, names escaped, no state, the selected one outlined', () => {
    const out = rects(overviewRectsMarkup({ nodes, kind: 'workflow', result, live: null, selected: 'a' }, STROKES));
    expect(out.map((r) => r['data-step'])).toEqual(['a', 'b &quot;&lt;&amp;&gt;&quot;']);
    expect(out.map((r) => r['data-state'])).toEqual(['none', 'none']);
    expect(out[0]).toMatchObject({ x: '10', y: '20', width: '184', height: '58', rx: '8', stroke: '#2563eb', 'stroke-width': '12' });
    expect(out[1]).toMatchObject({ 'data-type': 'decision', rx: '29', 'stroke-width': '6' });
  });

  it('a task: each node painted by its live state, pending before its first one', () => {
    const live = { nodes: { a: { state: 'complete' } } } as unknown as LiveState;
    const out = rects(overviewRectsMarkup({ nodes, kind: 'workflow', result, live, selected: null }, STROKES));
    expect(out.map((r) => r['data-state'])).toEqual(['complete', 'pending']);
    expect(out[0]).toMatchObject({ fill: STATE_STYLES.complete.fill, stroke: STATE_STYLES.complete.stroke });
    expect(out[1]).toMatchObject({ fill: STATE_STYLES.pending.fill });
    expect(rects(overviewRectsMarkup({ nodes, kind: 'flow', result, live, selected: null }, STROKES))[1]!['data-state']).toBe('unvisited');
  });
});
