/**
 * Short task ids. Task ids are UUIDv7: the first 12 hex digits are the creation time, the same
 * for every task started in one millisecond and close for tasks of one minute, so a prefix of
 * them tells nothing apart. The short id is the end of the random tail (8 hex digits, 32 random
 * bits): what the workbench shows and what the CLI accepts alongside any unique prefix. PURE.
 */

export const SHORT_ID_LENGTH = 8;

/** The last 8 hex digits of the id (its random tail). */
export function shortTaskId(id: string): string {
  const hex = id.replace(/-/g, '');
  return hex.length > SHORT_ID_LENGTH ? hex.slice(-SHORT_ID_LENGTH) : id;
}

/**
 * Whether `query` names `id`: the whole id, a prefix of it (dashes optional), or its short id
 * (or a suffix of the id at least as long as the short id). Case-insensitive.
 */
export function taskIdMatches(id: string, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return false;
  const full = id.toLowerCase();
  if (full.startsWith(q)) return true;
  const hex = full.replace(/-/g, '');
  const qHex = q.replace(/-/g, '');
  return hex.startsWith(qHex) || (qHex.length >= SHORT_ID_LENGTH && hex.endsWith(qHex));
}
