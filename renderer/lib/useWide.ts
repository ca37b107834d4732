/** Window size hooks: whether the window is at least so wide, and its height, kept current as it is resized. */
import { useSyncExternalStore } from 'react';

export function useWide(px: number): boolean {
  const query = `(min-width: ${px}px)`;
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => window.matchMedia(query).matches,
  );
}

const onResize = (onChange: () => void) => {
  window.addEventListener('resize', onChange);
  return () => window.removeEventListener('resize', onChange);
};

/** The window's inner height, kept current as it is resized. */
export function useWindowHeight(): number {
  return useSyncExternalStore(onResize, () => window.innerHeight);
}
