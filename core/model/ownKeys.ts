/**
 * Objects whose keys are data (schema properties, inputs, results by step name, handlers by
 * name). `key in obj` and `obj[key]` see Object.prototype (`constructor`, `toString`), and
 * `obj.__proto__ = v` replaces the prototype instead of adding a key: these read and write own
 * properties only, so every name is kept and none is invented.
 */

/** The own property `key` of `obj`, or undefined. */
export function getOwn<T>(obj: Readonly<Record<string, T>> | undefined | null, key: string): T | undefined {
  return obj != null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets `obj[key]` as an own, enumerable data property, whatever the key (`__proto__` included). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Names that Object.prototype already has. A step, state or interaction named so would be read
 * from the prototype wherever it is missing (`ctx.results.constructor` of a skipped step is a
 * function), so validation refuses them (RESERVED_NAME).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
