/**
 * Name lists as templates write them (`depends_on`, `go_to`, `when`): one name (`go_to: done`),
 * a flow list (`[a, b]`) or a block list. Adding turns a single name into a flow list; removing
 * the last name removes the field.
 */
import { isScalar, isSeq } from 'yaml';
import { pairOf, type Splicer, type YMap, type YPair, type YSeq } from './splice.js';

/** The names a list field holds (non-string items read as ''), or [] for none. */
export function namesOf(pair: YPair | undefined): string[] {
  const v = pair?.value;
  if (isScalar(v)) return typeof v.value === 'string' ? [v.value] : [];
  if (isSeq(v)) return v.items.map((i) => (isScalar(i) && typeof i.value === 'string' ? i.value : ''));
  return [];
}

/**
 * Removes every occurrence of `name` from the list field `pair` of `map`. True if it held it.
 * When no name is left the field goes, or stays as `[]` with `keepEmpty` (files that write
 * `dependencies: []` on their root steps, as tasker-core templates do).
 */
export function removeName(s: Splicer, map: YMap, pair: YPair, name: string, keepEmpty = false): boolean {
  const names = namesOf(pair);
  const hits = names.flatMap((n, i) => (n === name ? [i] : []));
  if (hits.length === 0) return false;
  if (hits.length === names.length) {
    if (!keepEmpty) s.removePair(map, pair);
    else if (isSeq(pair.value) && (pair.value as YSeq).flow) s.replace(s.start(pair.value), s.end(pair.value), '[]');
    else s.setValue(map, pair, []);
    return true;
  }
  const seq = pair.value as YSeq;
  if (seq.flow && hits.length > 1) s.setValue(map, pair, names.filter((n) => n !== name));
  else for (const i of hits) s.removeItem(seq, i);
  return true;
}

/** Adds `name` to the list field `key` of `map`, creating it (after `after`) as `[name]`, or as `name` for `create: 'single'` (a flow's `go_to: done`). */
export function addName(s: Splicer, map: YMap, key: string, name: string, after: YPair | 'before-first' | undefined, create: 'list' | 'single' = 'list'): void {
  const pair = pairOf(map, key);
  if (!pair) {
    s.insertPair(map, key, create === 'list' ? [name] : name, after);
    return;
  }
  const v = pair.value;
  if (isSeq(v)) s.insertItem(v as YSeq, name);
  else s.setValue(map, pair, [...namesOf(pair), name]);
}

/** Renames every occurrence of `from` in the list field `pair`. True if it held it. */
export function renameName(s: Splicer, map: YMap, pair: YPair | undefined, from: string, to: string): boolean {
  if (!pair) return false;
  const v = pair.value;
  if (isScalar(v)) {
    if (v.value !== from) return false;
    s.replaceScalar(v, to, Boolean(map.flow));
    return true;
  }
  if (!isSeq(v)) return false;
  let hit = false;
  for (const item of v.items) {
    if (isScalar(item) && item.value === from) {
      s.replaceScalar(item, to, Boolean(v.flow));
      hit = true;
    }
  }
  return hit;
}
