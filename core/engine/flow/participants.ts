/**
 * Participants: the outside records a flow concerns, from the template's `index` fields, stored
 * as `field:value` so tasks can be found by them (`listTasks({ participant: 'user_id:42' })`).
 * An array field gives one participant per element; null/absent values give none; objects are
 * not indexable and are skipped.
 */
import type { Json, JsonObject } from '../../model/runtime.js';

function scalar(v: Json): string | null {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

export function participantsOf(index: readonly string[] | undefined, data: JsonObject): string[] {
  if (!index || index.length === 0) return [];
  const out: string[] = [];
  for (const field of index) {
    const value = data[field];
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const s = scalar(v);
      if (s !== null) out.push(`${field}:${s}`);
    }
  }
  return [...new Set(out)];
}
