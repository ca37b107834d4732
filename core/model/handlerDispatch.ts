/**
 * How a handler export is called (tasker-core's `handler.method`): a plain function is called as
 * it is; an object's method, or a new instance's method for a class, is called by name (`call`
 * when the template names none). A class gets a fresh instance per call, so no state leaks
 * between attempts. Pure: shared by the in-process registry, the worker threads and validation.
 */
import type { HandlerFn } from './template.js';

export const DEFAULT_HANDLER_METHOD = 'call';

type Methods = Record<string, unknown>;

/** Answers by function: a function's source never changes, and reading it (toString) builds a string per call. */
const classes = new WeakMap<object, boolean>();

export function isClass(value: unknown): value is new () => Methods {
  if (typeof value !== 'function') return false;
  let known = classes.get(value);
  if (known === undefined) classes.set(value, (known = /^class[\s{]/.test(Function.prototype.toString.call(value))));
  return known;
}

/** A value a handler module may export as a handler: a function, a class, or an object with at least one method. */
export function isHandlerExport(value: unknown): boolean {
  if (typeof value === 'function') return true;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && methodNames(value).length > 0;
}

/**
 * The methods `method` may name: for an object its function-valued properties (own and inherited
 * from a class), for a class those of its prototype chain; undefined for a plain function, which
 * takes no method other than `call` (itself) and its own function properties.
 */
export function methodNames(value: unknown): string[] {
  const names = new Set<string>();
  let proto: unknown = isClass(value) ? value.prototype : typeof value === 'function' ? value : value;
  while (proto !== null && proto !== undefined && proto !== Object.prototype && proto !== Function.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (d && typeof d.value === 'function') names.add(key);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return [...names];
}

/** True when `value` can be called through `method` (absent: the default). */
export function hasHandlerMethod(value: unknown, method: string | undefined): boolean {
  const m = method ?? DEFAULT_HANDLER_METHOD;
  if (typeof value === 'function' && !isClass(value) && m === DEFAULT_HANDLER_METHOD) return true;
  return methodNames(value).includes(m);
}

/**
 * The function to call for `value` through `method`, bound to its object (a new instance for a
 * class); undefined when there is no such method.
 */
export function dispatchHandler(value: unknown, method: string | undefined): HandlerFn | undefined {
  const m = method ?? DEFAULT_HANDLER_METHOD;
  if (isClass(value)) {
    if (typeof (value.prototype as Methods)[m] !== 'function') return undefined;
    const Cls = value;
    return (ctx: unknown, ...rest: unknown[]) => {
      const instance = new Cls();
      return (instance[m] as HandlerFn).call(instance, ctx, ...rest);
    };
  }
  if (typeof value === 'function' && m === DEFAULT_HANDLER_METHOD) return value as HandlerFn;
  if ((typeof value === 'object' || typeof value === 'function') && value !== null) {
    const fn = (value as Methods)[m];
    if (typeof fn === 'function') return (fn as HandlerFn).bind(value);
  }
  return undefined;
}
