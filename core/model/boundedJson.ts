/**
 * Any JavaScript value as bounded, storable JSON. Used for what user code hands the engine
 * without a contract (an error's `details`, a thrown non-Error), so that recording a failure
 * never fails: cycles, BigInts, functions, symbols, throwing getters, class instances, huge or
 * deeply nested values all become plain JSON, and every place where something was lost is named
 * in `dropped` (`details.self: circular reference to details`). Never throws.
 *
 * What is replaced stays visible in place as a bracketed string (`"[BigInt 12345678901234567890]"`,
 * `"[Circular → details]"`), the way util.inspect shows them, so a person reading the stored JSON
 * sees where and what.
 */
import type { Json, JsonObject } from './runtime.js';

export interface JsonBounds {
  /** Objects and arrays nested deeper than this become a one-line summary. */
  maxDepth: number;
  /** Keys kept per object (the rest are counted). */
  maxKeys: number;
  /** Items kept per array, Set or Map. */
  maxItems: number;
  /** Characters kept per string. */
  maxString: number;
  /** Values visited in all (bounds shared references, which JSON would repeat). */
  maxNodes: number;
}

export const DEFAULT_JSON_BOUNDS: Readonly<JsonBounds> = { maxDepth: 8, maxKeys: 100, maxItems: 100, maxString: 10_000, maxNodes: 5_000 };

export interface BoundedJson {
  value: Json;
  /** One note per place where information was lost, with its path. Empty when nothing was. */
  dropped: string[];
}

const MAX_NOTES = 20;

/** `value` as bounded JSON; `path` names the root in the notes (e.g. `details`). */
export function toBoundedJson(value: unknown, path = 'value', bounds: Partial<JsonBounds> = {}): BoundedJson {
  const walker = new Walker({ ...DEFAULT_JSON_BOUNDS, ...bounds });
  const out = walker.walk(value, path, 0);
  return { value: out, dropped: walker.notes() };
}

/** A string cut to `max` characters, saying how many were cut. */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** `String(value)` that cannot throw (a Symbol, an object whose toString throws). */
export function safeString(value: unknown): string {
  try {
    return typeof value === 'symbol' ? value.toString() : String(value);
  } catch (err) {
    return `[unprintable ${typeof value}${err instanceof Error ? `: ${err.message}` : ''}]`;
  }
}

class Walker {
  private readonly ancestors: object[] = [];
  private readonly ancestorPaths: string[] = [];
  private readonly noted: string[] = [];
  private extraNotes = 0;
  private nodes = 0;

  constructor(private readonly b: JsonBounds) {}

  notes(): string[] {
    return this.extraNotes > 0 ? [...this.noted, `… and ${this.extraNotes} more`] : this.noted;
  }

  private note(path: string, what: string): void {
    if (this.noted.length < MAX_NOTES) this.noted.push(`${path}: ${what}`);
    else this.extraNotes += 1;
  }

  walk(value: unknown, path: string, depth: number): Json {
    this.nodes += 1;
    if (this.nodes > this.b.maxNodes) {
      if (this.nodes === this.b.maxNodes + 1) this.note(path, `more than ${this.b.maxNodes} values; the rest were dropped`);
      return '[Dropped: too many values]';
    }
    switch (typeof value) {
      case 'string':
        if (value.length > this.b.maxString) this.note(path, `string of ${value.length} characters cut to ${this.b.maxString}`);
        return truncateText(value, this.b.maxString);
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value)) return value;
        this.note(path, `${value} is not a JSON number`);
        return `[${value}]`;
      case 'bigint':
        this.note(path, 'BigInt stored as a string');
        return `[BigInt ${value.toString()}]`;
      case 'undefined':
        return null;
      case 'symbol':
        this.note(path, 'symbol dropped');
        return `[${value.toString()}]`;
      case 'function':
        this.note(path, 'function dropped');
        return `[Function ${value.name || '(anonymous)'}]`;
      default:
        return value === null ? null : this.object(value as object, path, depth);
    }
  }

  private object(value: object, path: string, depth: number): Json {
    const seenAt = this.ancestors.indexOf(value);
    if (seenAt >= 0) {
      this.note(path, `circular reference to ${this.ancestorPaths[seenAt]}`);
      return `[Circular → ${this.ancestorPaths[seenAt]}]`;
    }
    try {
      const plain = this.unwrap(value, path);
      if (plain !== value) return plain === undefined ? null : this.walk(plain, path, depth);
      if (depth >= this.b.maxDepth) {
        this.note(path, `nested deeper than ${this.b.maxDepth} levels; replaced by a summary`);
        return `[${describeShape(value)}]`;
      }
      this.ancestors.push(value);
      this.ancestorPaths.push(path);
      try {
        if (Array.isArray(value)) return this.items(value, path, depth);
        if (value instanceof Set) return this.items([...value], path, depth);
        if (value instanceof Map) return this.items([...value.entries()], path, depth);
        return this.entries(value, path, depth);
      } finally {
        this.ancestors.pop();
        this.ancestorPaths.pop();
      }
    } catch (err) {
      this.note(path, `could not be read (${errorText(err)})`);
      return `[Unreadable: ${errorText(err)}]`;
    }
  }

  /** What an object stands for before walking it: toJSON's result, an Error's fields, a byte summary. */
  private unwrap(value: object, path: string): unknown {
    if (isErrorLike(value)) return errorFields(value as Error);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      this.note(path, 'binary data dropped');
      return `[${value.constructor?.name ?? 'Binary'} ${value.byteLength} bytes]`;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const replaced: unknown = toJSON.call(value);
      // A toJSON returning its own receiver (or another object with toJSON) would loop.
      if (replaced === value || (replaced !== null && typeof replaced === 'object' && typeof (replaced as { toJSON?: unknown }).toJSON === 'function')) {
        return { ...(replaced as object) };
      }
      return replaced;
    }
    return value;
  }

  private items(list: readonly unknown[], path: string, depth: number): Json[] {
    const kept = Math.min(list.length, this.b.maxItems);
    const out: Json[] = [];
    for (let i = 0; i < kept; i++) out.push(this.walk(list[i], `${path}[${i}]`, depth + 1));
    if (list.length > kept) {
      this.note(path, `${list.length - kept} of ${list.length} items dropped`);
      out.push(`[${list.length - kept} more items]`);
    }
    return out;
  }

  private entries(value: object, path: string, depth: number): JsonObject {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    if (proto !== null && proto !== Object.prototype) {
      this.note(path, `instance of ${proto.constructor?.name || 'a class'} stored as its own enumerable properties`);
    }
    const keys = Object.keys(value);
    const kept = Math.min(keys.length, this.b.maxKeys);
    const out: JsonObject = {};
    for (let i = 0; i < kept; i++) {
      const key = keys[i]!;
      const child = `${path}.${key}`;
      let v: unknown;
      try {
        v = (value as Record<string, unknown>)[key];
      } catch (err) {
        this.note(child, `getter threw (${errorText(err)})`);
        setKey(out, key, `[Getter threw: ${errorText(err)}]`);
        continue;
      }
      if (v === undefined) continue; // as JSON.stringify does
      setKey(out, key, this.walk(v, child, depth + 1));
    }
    if (keys.length > kept) {
      this.note(path, `${keys.length - kept} of ${keys.length} keys dropped`);
      out['…'] = `[${keys.length - kept} more keys]`;
    }
    return out;
  }
}

/** An own data property even for the key `__proto__` (an assignment would change the prototype). */
function setKey(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Errors from other realms (worker threads, vm contexts) fail `instanceof Error`. */
export function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function errorFields(err: Error): Record<string, unknown> {
  const e = err as Error & { code?: unknown; details?: unknown; cause?: unknown };
  const out: Record<string, unknown> = { class: safeString(e.name || 'Error'), message: safeString(e.message) };
  if (e.code !== undefined) out.code = e.code;
  if (e.details !== undefined) out.details = e.details;
  if (e.cause !== undefined) out.cause = e.cause;
  return out;
}

function errorText(err: unknown): string {
  return truncateText(isErrorLike(err) ? safeString(err.message) : safeString(err), 200);
}

function describeShape(value: object): string {
  try {
    if (Array.isArray(value)) return `Array(${value.length})`;
    if (value instanceof Map || value instanceof Set) return `${value.constructor.name}(${value.size})`;
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name || 'Object';
    return `${name} with ${Object.keys(value).length} keys`;
  } catch {
    return 'Object';
  }
}
