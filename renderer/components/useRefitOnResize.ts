/**
 * Keeps a laid-out graph in view when its canvas changes size (a side panel or form opens or
 * closes, the window changes): fit the graph again; if fitting would make it too small to read
 * and a node is selected (a big graph), keep the zoom and bring that node to the middle
 * instead. Shared by the view canvas and the template editor's canvas so both behave the same.
 */
import { useEffect, useRef, type RefObject } from 'react';
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
  // Read through refs: the observer lives as long as the layout, not one render.
  const flowRef = useRef(flow);
  flowRef.current = flow;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const sizeRef = useRef(sizeOf);
  sizeRef.current = sizeOf;

  useEffect(() => {
    const el = wrapRef.current;
    if (!el || !result) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let size = { w: el.clientWidth, h: el.clientHeight };
    const refit = () => {
      const w = el.clientWidth;
      const h = el.clientHeight;
      if (w === 0 || h === 0) return;
      const fit = fitViewport(result, w, h);
      const id = selectedRef.current;
      const position = id ? result.positions[id] : undefined;
      const n = id ? sizeRef.current(id) : undefined;
      if (fit.zoom < DETAIL_ZOOM && position && n) {
        const zoom = Math.max(DETAIL_ZOOM, flowRef.current.getViewport().zoom);
        void flowRef.current.setCenter(position.x + n.width / 2, position.y + n.height / 2, { zoom, duration: 150 });
      } else {
        void flowRef.current.setViewport(fit, { duration: 150 });
      }
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
