/**
 * Setting and removing fields of a step or state map, one level deep (`retry.max_attempts`).
 * A new field goes after the fields that precede it in `order` (so a `type` lands next to
 * `name`, not at the end); removing a sub-field that was the last one removes its parent.
 */
import { isMap, isScalar } from 'yaml';
import { pairOf, keyOf, type Splicer, type YMap, type YPair } from './splice.js';

/** Where a new `key` goes in `map`, given the canonical field order. */
export function placeAfter(map: YMap, key: string, order: readonly string[]): YPair | 'before-first' | undefined {
  const rank = order.indexOf(key);
  if (rank < 0) return undefined;
  let best: YPair | undefined;
  for (const p of map.items) {
    const r = order.indexOf(keyOf(p) ?? '');
    if (r >= 0 && r < rank) best = p;
  }
  return best ?? 'before-first';
}

/** Sets `key` (an existing pair or a new one) to `value`; `undefined` removes it. */
export function setField(s: Splicer, map: YMap, key: string, value: unknown, order: readonly string[]): void {
  const pair = pairOf(map, key);
  if (value === undefined) {
    if (pair) s.removePair(map, pair);
    return;
  }
  if (pair) s.setValue(map, pair, value);
  else s.insertPair(map, key, value, placeAfter(map, key, order));
}

/**
 * Sets `parentKey.key`. A missing parent is created as `{ key: value }`; a scalar parent (a handler
 * name) becomes a map through `promote` (e.g. `x` → `{ callable: x }`).
 */
export function setSubField(
  s: Splicer,
  map: YMap,
  parentKey: string,
  key: string,
  value: unknown,
  orders: { parent: readonly string[]; child: readonly string[] },
  promote?: (scalar: unknown) => Record<string, unknown>,
): void {
  const parent = pairOf(map, parentKey);
  const inner = parent?.value;
  if (isMap(inner)) {
    const child = inner as YMap;
    const pair = pairOf(child, key);
    if (value === undefined) {
      if (!pair) return;
      if (child.items.length === 1) s.removePair(map, parent!);
      else s.removePair(child, pair);
      return;
    }
    setField(s, child, key, value, orders.child);
    return;
  }
  if (value === undefined) return;
  if (parent && isScalar(inner) && inner.value !== null && promote) {
    s.setValue(map, parent, { ...promote(inner.value), [key]: value });
    return;
  }
  setField(s, map, parentKey, { [key]: value }, orders.parent);
}
