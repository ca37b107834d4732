/**
 * Keeps a laid-out graph in view when its canvas changes size (a side panel or form opens or
 * closes, the window changes): fit the graph again — readably (lib/readableFit): a normal-sized
 * graph that no longer fits with its names readable keeps the selected node in view at a
 * readable zoom; a big one keeps its zoom (at least DETAIL_ZOOM) around the selected node.
 * Shared by the view canvas and the template editor's canvas so both behave the same.
 *
 * The canvas element carries `data-fit="W×H"` once the viewport has settled for a canvas of
 * that size (transition finished), so tests wait for the state they mean instead of polling
 * through an animation.
 */
import { useEffect, useEffectEvent, type RefObject } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { LayoutResult } from '../lib/layout.js';
import { COMPACT_MAX_NODES } from '../lib/layout.js';
import { fitViewport, readableViewport } from '../lib/readableFit.js';
import { DETAIL_ZOOM } from './StepNode.js';

const sizeOfEl = (el: HTMLElement) => `${el.clientWidth}x${el.clientHeight}`;

/**
 * Marks `el` unsettled now and settled for its current size when `moved` resolves;
 * `data-fit-for` keeps the size the viewport was last fitted for (the resize observer compares
 * with it, so a size change while a new layout was being placed is not missed).
 */
export function markFit(el: HTMLElement, moved: Promise<unknown>): void {
  const size = sizeOfEl(el);
  const token = String(Number(el.dataset.fitToken ?? 0) + 1);
  el.dataset.fitToken = token;
  el.dataset.fitFor = size;
  delete el.dataset.fit;
  void moved.then(() => {
    if (el.dataset.fitToken === token) el.dataset.fit = size;
  });
}

interface Options {
  /** Called first with the new size; true when it took over (drew another layout, which fits itself). */
  onResize?: (width: number, height: number) => boolean;
}

export function useRefitOnResize(
  wrapRef: RefObject<HTMLDivElement | null>,
  result: LayoutResult | null,
  selected: string | null,
  sizeOf: (id: string) => { width: number; height: number } | undefined,
  nodeCount: number,
  options: Options = {},
): void {
  const flow = useReactFlow();
  // The observer lives as long as the layout, not one render: it reads the latest selection.
  const refitTo = useEffectEvent((el: HTMLElement, result: LayoutResult, w: number, h: number) => {
    if (options.onResize?.(w, h)) return;
    const position = selected ? result.positions[selected] : undefined;
    const n = selected ? sizeOf(selected) : undefined;
    const focus = position && n ? { ...position, width: n.width, height: n.height } : null;
    if (nodeCount <= COMPACT_MAX_NODES) {
      const { whole: _, ...vp } = readableViewport(result, w, h, nodeCount, focus);
      markFit(el, flow.setViewport(vp, { duration: 150 }));
      return;
    }
    const fit = fitViewport(result, w, h);
    if (fit.zoom < DETAIL_ZOOM && focus) {
      const zoom = Math.max(DETAIL_ZOOM, flow.getViewport().zoom);
      markFit(el, flow.setCenter(focus.x + focus.width / 2, focus.y + focus.height / 2, { zoom, duration: 150 }));
    } else {
      markFit(el, flow.setViewport(fit, { duration: 150 }));
    }
  });

  useEffect(() => {
    const el = wrapRef.current;
    if (!el || !result) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let size = el.dataset.fitFor ?? sizeOfEl(el);
    const refit = () => {
      const w = el.clientWidth;
      const h = el.clientHeight;
      if (w === 0 || h === 0) return;
      refitTo(el, result, w, h);
    };
    const observer = new ResizeObserver(() => {
      // The first call reports the size at observe time: a refit only if it is not the size fitted for.
      if (sizeOfEl(el) === size) return;
      size = sizeOfEl(el);
      delete el.dataset.fit;
      clearTimeout(timer);
      timer = setTimeout(refit, 60);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      // A refit cut short by a new layout: that layout's own fit marks the canvas settled.
      clearTimeout(timer);
    };
  }, [wrapRef, result]);
}
