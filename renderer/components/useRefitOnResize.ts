/**
 * Keeps a laid-out graph in view when its canvas changes size (a side panel or form opens or
 * closes, the window changes): fit the graph again; if fitting would make it too small to read
 * and a node is selected (a big graph), keep the zoom and bring that node to the middle
 * instead. Shared by the view canvas and the template editor's canvas so both behave the same.
 */
import { useEffect, useEffectEvent, type RefObject } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { LayoutResult } from '../lib/layout.js';
import { fitViewport } from './GraphCanvas.js';
import { DETAIL_ZOOM } from './StepNode.js';

export function useRefitOnResize(
  wrapRef: RefObject<HTMLDivElement | null>,
  result: LayoutResult | null,
  selected: string | null,
  sizeOf: (id: string) => { width: number; height: number } | undefined,
): void {
  const flow = useReactFlow();
  // The observer lives as long as the layout, not one render: it reads the latest selection.
  const refitTo = useEffectEvent((result: LayoutResult, w: number, h: number) => {
    const fit = fitViewport(result, w, h);
    const position = selected ? result.positions[selected] : undefined;
    const n = selected ? sizeOf(selected) : undefined;
    if (fit.zoom < DETAIL_ZOOM && position && n) {
      const zoom = Math.max(DETAIL_ZOOM, flow.getViewport().zoom);
      void flow.setCenter(position.x + n.width / 2, position.y + n.height / 2, { zoom, duration: 150 });
    } else {
      void flow.setViewport(fit, { duration: 150 });
    }
  });

  useEffect(() => {
    const el = wrapRef.current;
    if (!el || !result) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let size = { w: el.clientWidth, h: el.clientHeight };
    const refit = () => {
      const w = el.clientWidth;
      const h = el.clientHeight;
      if (w === 0 || h === 0) return;
      refitTo(result, w, h);
    };
    const observer = new ResizeObserver(() => {
      // The first call reports the size at observe time: nothing changed yet.
      if (el.clientWidth === size.w && el.clientHeight === size.h) return;
      size = { w: el.clientWidth, h: el.clientHeight };
      clearTimeout(timer);
      timer = setTimeout(refit, 60);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [wrapRef, result]);
}
