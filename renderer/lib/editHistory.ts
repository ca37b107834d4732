/**
 * Undo/redo for the template editor: a list of editor states (each the whole template text with
 * its problems and graph, as the host returned them) and a position in it. A new edit drops the
 * states after the position. PURE.
 */
export interface History<T> {
  states: readonly T[];
  index: number;
}

const LIMIT = 200;

export function startHistory<T>(state: T): History<T> {
  return { states: [state], index: 0 };
}

export function push<T>(h: History<T>, state: T): History<T> {
  const kept = h.states.slice(Math.max(0, h.index + 1 - (LIMIT - 1)), h.index + 1);
  return { states: [...kept, state], index: kept.length };
}

export const current = <T>(h: History<T>): T => h.states[h.index]!;
export const canUndo = <T>(h: History<T>): boolean => h.index > 0;
export const canRedo = <T>(h: History<T>): boolean => h.index < h.states.length - 1;
export const undo = <T>(h: History<T>): History<T> => (canUndo(h) ? { ...h, index: h.index - 1 } : h);
export const redo = <T>(h: History<T>): History<T> => (canRedo(h) ? { ...h, index: h.index + 1 } : h);
