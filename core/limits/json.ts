/**
 * Checking a value before it is stored as JSON: numbers that JSON cannot hold (`1e400` parses to
 * Infinity, which is then stored as null and no longer matches the schema it passed), `__proto__`
 * keys (JSON Schema validators skip them, and code that copies by assignment turns them into a
 * prototype), and the size limit. Iterative, so a deeply nested value cannot overflow the stack.
 */
import { formatSize } from './limits.js';

export interface JsonViolation {
  /** JSON pointer ('' for the whole value). */
  path: string;
  message: string;
}

const MAX_REPORTED = 10;

const pointer = (parent: string, key: string | number): string => `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Non-finite numbers and `__proto__` keys in `value`, at most ten, in document order. */
export function unstorableParts(value: unknown): JsonViolation[] {
  const out: JsonViolation[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  const seen = new Set<object>();
  while (stack.length > 0 && out.length < MAX_REPORTED) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) out.push({ path, message: `is ${v}, which JSON cannot store (use a finite number, or a string)` });
      continue;
    }
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], pointer(path, i)]);
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (k === '__proto__') {
        out.push({ path: pointer(path, k), message: 'is a `__proto__` key, which is refused (it would replace an object\'s prototype); rename it' });
        continue;
      }
      stack.push([(v as Record<string, unknown>)[k], pointer(path, k)]);
    }
  }
  return out;
}

/** Bytes of `value` as stored (UTF-8 JSON); 0 for undefined. */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/**
 * Everything that keeps `value` from being stored: unstorable parts, then the size over `maxBytes`.
 * `text`: `JSON.stringify(value)` when the caller has it (the value is not encoded again).
 */
export function jsonViolations(value: unknown, maxBytes: number, limitName: string, text?: string): JsonViolation[] {
  // null, booleans and finite numbers: at most 24 bytes as JSON, and nothing inside to refuse.
  if (maxBytes >= 24 && (value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) return [];
  const parts = unstorableParts(value);
  if (parts.length > 0) return parts;
  const bytes = text === undefined ? jsonBytes(value) : Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return [];
  return [{ path: '', message: `is ${formatSize(bytes)} as JSON, over the limit of ${formatSize(maxBytes)} (limits.${limitName})` }];
}
