/** The DOM side of lib/listKeys: an onKeyDown for a list's container. */
import type { KeyboardEvent } from 'react';
import { nextIndex } from './listKeys.js';

/** An onKeyDown for the list's container; `selector` finds its items in order. */
export function listKeyHandler(selector: string) {
  return (e: KeyboardEvent<HTMLElement>) => {
    const items = [...e.currentTarget.querySelectorAll<HTMLElement>(selector)];
    const at = items.indexOf(e.target as HTMLElement);
    if (at < 0) return;
    const next = nextIndex(e.key, at, items.length);
    if (next === null) return;
    e.preventDefault();
    items[next]!.focus();
  };
}
