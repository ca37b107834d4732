/**
 * Arrow-key navigation in a list of buttons (the sidebar's templates and tasks): one Tab stop
 * for the whole list (its current item, else its first), ArrowUp/ArrowDown move between items,
 * Home/End jump to the ends. Enter/Space activate the focused item as any button does. PURE
 * (the DOM handler is in listKeyHandler.ts).
 */
/** The next item to focus for `key`, or null when the key is not a list key. PURE. */
export function nextIndex(key: string, at: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, at + 1);
    case 'ArrowUp':
      return Math.max(0, at - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** The tabIndex of item `i`: 0 for the one Tab stop (the current item, else the first), -1 for the rest. */
export function rovingTabIndex(i: number, current: number): 0 | -1 {
  return i === (current >= 0 ? current : 0) ? 0 : -1;
}
