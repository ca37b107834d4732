/**
 * Where the canvas looks first: the whole graph when its names are readable (≥ 10 px on screen),
 * else a readable zoom around the selected node or the entry; and which direction AUTO draws.
 * Against ELK's real layouts of the bundled example flows.
 */
import ElkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api.js';
import { describe, expect, it } from 'vitest';
import { templateGraph } from '../../core/export/graphModel.js';
import { NODE_LABEL_PX, toGraphView, type GraphView } from '../../core/export/graphView.js';
import { fromElkGraph, layoutRequestOf, toElkGraph, type Direction, type LayoutResult } from '../../core/export/layout.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { chooseDirection, fitViewport, labelScale, READABLE_ZOOM, readableViewport } from '../../renderer/lib/readableFit.js';

const elk = new (ElkBundled as unknown as new (args?: ELKConstructorArguments) => ELK)();
async function laidOut(view: GraphView, direction: Direction): Promise<LayoutResult> {
  return fromElkGraph(await elk.layout(toElkGraph(layoutRequestOf(view, direction))));
}

/** Canvas sizes measured in the workbench: the template view and the task view with the inspector open, at 1400×900 and 1024×700. */
const CANVASES = { template1400: [1120, 814], inspector1400: [760, 464], template1024: [744, 593] } as const;

describe('readable fit of the bundled examples', () => {
  it('fits every example whole with names of at least 10 px on screen in the direction AUTO picks', async () => {
    const ws = await loadWorkspace('resources/examples');
    expect(ws.templates.length).toBeGreaterThanOrEqual(7);
    for (const template of ws.templates) {
      const view = toGraphView(templateGraph(template));
      const layouts = { RIGHT: await laidOut(view, 'RIGHT'), DOWN: await laidOut(view, 'DOWN') };
      for (const [name, [w, h]] of Object.entries(CANVASES)) {
        const direction = chooseDirection(layouts, w, h);
        const vp = readableViewport(layouts[direction], w, h, view.nodes.length, null);
        expect({ template: template.name, name, whole: vp.whole }).toEqual({ template: template.name, name, whole: true });
        expect(vp.zoom * NODE_LABEL_PX, `${template.name} at ${name} (${direction})`).toBeGreaterThanOrEqual(10);
      }
    }
  }, 60_000);
});

describe('readableViewport', () => {
  const result: LayoutResult = { positions: {}, routes: {}, width: 1200, height: 300, engine: 'elk' };
  it('is the whole fit when that is readable, or when nothing is focused', () => {
    const vp = readableViewport(result, 1400, 800, 8, { x: 0, y: 0, width: 100, height: 50 });
    expect(vp).toEqual({ ...fitViewport(result, 1400, 800), whole: true });
    expect(readableViewport(result, 600, 300, 8, null).whole).toBe(true);
  });
  it('zooms to READABLE_ZOOM around the focus, keeping the graph ends at the margin', () => {
    const focus = { x: 1100, y: 100, width: 100, height: 50 };
    const vp = readableViewport(result, 600, 300, 8, focus);
    expect(vp.whole).toBe(false);
    expect(vp.zoom).toBeCloseTo(READABLE_ZOOM, 6);
    // The focus (at the graph's right end) is on screen; no empty space past the right end.
    expect(focus.x * vp.zoom + vp.x).toBeGreaterThanOrEqual(0);
    expect((focus.x + focus.width) * vp.zoom + vp.x).toBeLessThanOrEqual(600);
    expect(result.width * vp.zoom + vp.x).toBeCloseTo(600 - 16, 6);
    // The entry at the left end: the graph starts at the margin.
    expect(readableViewport(result, 600, 300, 8, { x: 0, y: 100, width: 100, height: 50 }).x).toBe(16);
  });
  it('leaves graphs of over 100 nodes to their fit (the overview)', () => {
    expect(readableViewport(result, 600, 300, 500, { x: 0, y: 0, width: 10, height: 10 }).whole).toBe(true);
  });
});

describe('chooseDirection', () => {
  const wide: LayoutResult = { positions: {}, routes: {}, width: 1200, height: 200, engine: 'elk' };
  const tall: LayoutResult = { positions: {}, routes: {}, width: 400, height: 600, engine: 'elk' };
  it('picks the direction that fits at the larger zoom, left to right on a near tie', () => {
    expect(chooseDirection({ RIGHT: wide, DOWN: tall }, 760, 464)).toBe('DOWN');
    expect(chooseDirection({ RIGHT: wide, DOWN: tall }, 2400, 400)).toBe('RIGHT');
    expect(chooseDirection({ RIGHT: wide, DOWN: wide }, 760, 464)).toBe('RIGHT');
  });
  it('keeps the drawn direction while it fits readably', () => {
    expect(chooseDirection({ RIGHT: wide, DOWN: tall }, 1400, 900, 'RIGHT')).toBe('RIGHT');
    expect(chooseDirection({ RIGHT: wide, DOWN: tall }, 500, 700, 'RIGHT')).toBe('DOWN');
  });
});

describe('labelScale', () => {
  it('grows edge labels up to ×1.25 so they stay near 10 px on screen', () => {
    expect(labelScale(1)).toBe(1);
    expect(labelScale(READABLE_ZOOM) * 12.5 * READABLE_ZOOM).toBeGreaterThanOrEqual(10);
    expect(labelScale(0.1)).toBe(1.25);
  });
});
