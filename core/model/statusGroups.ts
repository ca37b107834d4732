/**
 * One word per task outcome for filters. Workflows and flows store different words for the same
 * thing (complete/completed, error/failed, running/active); someone asking for the failed tasks
 * means both kinds'. Until the stored vocabulary is one, filters go through these groups. PURE.
 */
import type { TaskStatus } from './states.js';

export const STATUS_GROUPS = {
  pending: ['pending'],
  running: ['running', 'active'],
  waiting: ['waiting'],
  complete: ['complete', 'completed'],
  failed: ['error', 'failed'],
  cancelled: ['cancelled'],
} as const satisfies Record<string, readonly TaskStatus[]>;

export type StatusGroup = keyof typeof STATUS_GROUPS;

export const STATUS_GROUP_NAMES = Object.keys(STATUS_GROUPS) as StatusGroup[];

/** The stored statuses a filter word means: a group's name or any status in it gives the whole group; null for an unknown word. */
export function statusesOf(word: string): TaskStatus[] | null {
  for (const [name, statuses] of Object.entries(STATUS_GROUPS) as Array<[StatusGroup, readonly TaskStatus[]]>) {
    if (name === word || statuses.includes(word as TaskStatus)) return [...statuses];
  }
  return null;
}
