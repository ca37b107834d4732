/**
 * History is kept as written, so transitions and events of flows recorded before the one status
 * vocabulary still say `active`, `completed` or `failed`. What the screen shows of a task's
 * status is mapped to today's words (running, complete, error) here. PURE.
 */
import { normalizeTaskStatus, type StepwiseEvent, type TransitionRecord } from '../../core/host/protocol.js';

/** A task status word as shown today (anything else unchanged). */
export function statusWord(word: unknown): string {
  const text = String(word ?? '∅');
  return normalizeTaskStatus(text) ?? text;
}

/** `from → to` of a transition, a task's status in today's words. */
export function transitionMove(t: Pick<TransitionRecord, 'field' | 'from' | 'to'>): { from: string; to: string } {
  if (t.field !== 'status') return { from: t.from ?? '∅', to: t.to };
  return { from: t.from === null ? '∅' : statusWord(t.from), to: statusWord(t.to) };
}

/** `from → to` of an event that moves something (a task's status in today's words), else null. */
export function eventMove(e: StepwiseEvent): string | null {
  const p = e.payload as { from?: unknown; to?: unknown };
  if (!('to' in p) || p.to === undefined) return null;
  const word = e.type === 'task.status_changed' ? statusWord : (v: unknown) => String(v ?? '∅');
  return `${p.from === null || p.from === undefined ? '∅' : word(p.from)} → ${word(p.to)}`;
}
