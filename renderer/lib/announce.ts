/**
 * Status changes for assistive technology: components call `announce(text)` and the one
 * polite live region (LiveRegion) reads it out. Repeating the same text still re-announces it.
 */
import { Store } from './client.js';

export interface Announcement {
  id: number;
  text: string;
}

export const announcements = new Store<Announcement>({ id: 0, text: '' });

export function announce(text: string): void {
  announcements.set({ id: announcements.get().id + 1, text });
}
