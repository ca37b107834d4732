/**
 * A field computed on first read. A step's `ancestors` holds the results of every step it
 * depends on, directly or not: in a chain of n steps, building (and copying) it for every step
 * is O(n) per step, O(n²) per task, for handlers that mostly never read it. As a lazy field it
 * costs nothing until read; read once, it becomes a plain writable data property. Structured
 * clone (a worker thread's postMessage) and spreading read it like any other field.
 */
export function defineLazy<T extends object, K extends string>(target: T, key: K, compute: () => unknown): T {
  const settle = (self: object, value: unknown) => {
    Object.defineProperty(self, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(target, key, {
    get(this: object) {
      return settle(this, compute());
    },
    set(this: object, value: unknown) {
      settle(this, value);
    },
    enumerable: true,
    configurable: true,
  });
  return target;
}

/** A shallow copy of `source` that keeps lazy fields lazy (a spread would compute them). */
export function copyKeepingLazy<T extends object>(source: T): T {
  return Object.defineProperties({}, Object.getOwnPropertyDescriptors(source)) as T;
}
