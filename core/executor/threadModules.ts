/**
 * Loading user modules inside a worker thread of the `threads` executor: handler modules by path
 * (jiti, cached for the worker's life: the executor replaces its workers when the workspace is
 * reloaded) and the workspace's setup modules (once per worker, before any handler module).
 *
 * `import … from 'stepwise-workflows'` in a handler module gets the package's real API, as in the
 * main thread, so a handler behaves the same under every executor. The API is loaded lazily, on
 * the first use of a name beyond core/model (errors, types: what handlers nearly always import
 * and what every worker has loaded anyway), so a worker does not pay for the whole API (the
 * engine, storage, templates) unless a handler uses it.
 */
import { createRequire } from 'node:module';
import { createJiti } from 'jiti';
import * as model from '../model/index.js';
import { PACKAGE_NAME } from '../packageInfo.js';

/** Sources run under jiti (this file is .ts); the built package runs compiled JavaScript. */
const fromSources = import.meta.url.endsWith('.ts');

let fullApi: Record<string, unknown> | undefined;

function loadFullApi(): Record<string, unknown> {
  // Synchronous: a module's property reads cannot wait. The built package's index is plain ESM
  // without top-level await, which Node ≥ 20.19 requires synchronously; the sources go through
  // jiti's require, which shares the module cache the worker's own modules were loaded into.
  // (jiti with its default interop, as the worker entry loaded this module: core's sources use
  // default imports of Node's CommonJS built-ins.)
  fullApi ??= (fromSources ? createJiti(import.meta.url)('../index.ts') : createRequire(import.meta.url)('../index.js')) as Record<string, unknown>;
  return fullApi;
}

/** The package's API: model names at once, anything else by loading the full API. */
export const packageApi: Record<string, unknown> = new Proxy({} as Record<string, unknown>, {
  get(_target, key) {
    if (key === '__esModule') return true;
    // Promise.resolve() and inspection probe these; a module has neither, and they must not load the API.
    if (typeof key === 'symbol' || key === 'then') return undefined;
    if (key in model) return (model as Record<string, unknown>)[key];
    return loadFullApi()[key];
  },
  has: (_target, key) => key in model || key in loadFullApi(),
  ownKeys: () => Reflect.ownKeys(loadFullApi()),
  getOwnPropertyDescriptor(_target, key) {
    const api = loadFullApi();
    return key in api ? { value: api[key as string], enumerable: true, configurable: true, writable: false } : undefined;
  },
});

const jiti = createJiti(import.meta.url, { moduleCache: true, fsCache: true, interopDefault: false, virtualModules: { [PACKAGE_NAME]: packageApi } });

const modules = new Map<string, Promise<Record<string, unknown>>>();

export function loadModule(file: string): Promise<Record<string, unknown>> {
  let mod = modules.get(file);
  if (!mod) {
    mod = jiti.import<Record<string, unknown>>(file).then((m) => (m && typeof m === 'object' ? m : { default: m }));
    modules.set(file, mod);
    mod.catch(() => modules.delete(file));
  }
  return mod;
}

const setupDone = new Set<string>();

/** Runs each setup module once in this worker (a failing one is tried again with the next task). */
export async function loadSetup(files: readonly string[]): Promise<void> {
  for (const file of files) {
    if (setupDone.has(file)) continue;
    await loadModule(file);
    setupDone.add(file);
  }
}
