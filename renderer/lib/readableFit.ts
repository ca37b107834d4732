/**
 * Where the canvas looks first, as pure functions of a laid-out graph and the canvas size:
 * the whole graph when it fits with its names readable (≥ 10 px on screen), else — for a
 * normal-sized graph — a readable zoom around the selected node (or the entry), the minimap
 * showing the rest. Which of the two layout directions to show when the user has not chosen:
 * the one that fits the canvas at the larger zoom.
 */
import { NODE_LABEL_PX } from './graphView.js';
import { COMPACT_MAX_NODES, type Direction, type LayoutResult } from './layout.js';

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const MIN_ZOOM = 0.02;
const MAX_FIT_ZOOM = 1.1;
/** Share of the canvas a fitted graph takes (the rest is margin). */
const PAD = 0.92;
/** Margin kept between the canvas edge and a graph that does not fit. */
const MARGIN = 16;
/** Node names are drawn at 10 px on screen or more from this zoom on. */
export const READABLE_ZOOM = 10 / NODE_LABEL_PX + 0.005;

/** The viewport that shows the whole laid-out graph centred in a `width`×`height` canvas. */
export function fitViewport(result: Pick<LayoutResult, 'width' | 'height'>, width: number, height: number): Viewport {
  const zoom = Math.max(MIN_ZOOM, Math.min(MAX_FIT_ZOOM, (width / Math.max(1, result.width)) * PAD, (height / Math.max(1, result.height)) * PAD));
  return { x: (width - result.width * zoom) / 2, y: (height - result.height * zoom) / 2, zoom };
}

/** Offset along one axis: centred when the graph fits it, else `focus` centred but no empty space past the graph's ends. */
function place(room: number, size: number, zoom: number, focusStart: number, focusSize: number): number {
  if (size * zoom + 2 * MARGIN <= room) return (room - size * zoom) / 2;
  const centred = room / 2 - (focusStart + focusSize / 2) * zoom;
  return Math.min(MARGIN, Math.max(room - MARGIN - size * zoom, centred));
}

/**
 * The first view of a graph: the whole graph when it fits readably, or when it is too big to
 * be read whole anyway (over COMPACT_MAX_NODES nodes: its overview); else READABLE_ZOOM with
 * `focus` (the selected node, else the entry) in view, as near the middle as the graph's ends allow.
 */
export function readableViewport(result: LayoutResult, width: number, height: number, nodeCount: number, focus: Box | null): Viewport & { whole: boolean } {
  const whole = fitViewport(result, width, height);
  if (whole.zoom >= READABLE_ZOOM || nodeCount > COMPACT_MAX_NODES || !focus) return { ...whole, whole: true };
  const zoom = READABLE_ZOOM;
  return {
    x: place(width, result.width, zoom, focus.x, focus.width),
    y: place(height, result.height, zoom, focus.y, focus.height),
    zoom,
    whole: false,
  };
}

/**
 * The direction to draw a graph in when the user left it to the canvas: the one whose whole
 * graph fits at the larger zoom (left to right unless top to bottom is clearly, 10 %, better).
 * Given the `current` direction (the canvas was resized), it is kept while it still fits
 * readably, so opening the inspector does not turn a readable graph around.
 */
export function chooseDirection(layouts: Partial<Record<Direction, LayoutResult>>, width: number, height: number, current: Direction | null = null): Direction {
  const right = layouts.RIGHT;
  const down = layouts.DOWN;
  if (!right || !down) return right ? 'RIGHT' : down ? 'DOWN' : (current ?? 'RIGHT');
  const zoom = { RIGHT: fitViewport(right, width, height).zoom, DOWN: fitViewport(down, width, height).zoom };
  if (current && zoom[current] >= READABLE_ZOOM) return current;
  const keep = current ?? 'RIGHT';
  const other: Direction = keep === 'RIGHT' ? 'DOWN' : 'RIGHT';
  return zoom[other] > zoom[keep] * 1.1 ? other : keep;
}

/** How much edge labels (12.5 px) grow at `zoom` so they stay near 10 px on screen (at most ×1.25). */
export function labelScale(zoom: number): number {
  return Math.min(1.25, Math.max(1, 10 / (12.5 * zoom)));
}

/** The user's layout direction, or AUTO: the canvas picks per graph and canvas size (chooseDirection). */
export type DirectionChoice = Direction | 'AUTO';

/** The direction drawn for `choice` before the canvas has chosen (exports, the editor). */
export const concreteDirection = (choice: DirectionChoice): Direction => (choice === 'AUTO' ? 'RIGHT' : choice);
