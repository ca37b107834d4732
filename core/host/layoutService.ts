/**
 * Graph layouts computed and cached by the host, shared by every workbench client and the CLI:
 * a layout is keyed by the content of its request (`layoutKey`: node ids and sizes, edges,
 * direction, the layout version), kept in memory and on disk next to the database
 * (`<db folder>/layouts/<key>.json`), so a second open of the same graph — in any window, after
 * a restart, from `stepwise graph --format layout` — costs a file read instead of an ELK run.
 *
 * ELK runs in a worker thread (./layoutThread.mjs), one layout at a time, requests from a client
 * before background warm-ups; the host's event loop never waits for it. A layout that misses its
 * deadline or fails gets the fallback layout (never cached) and the thread is replaced.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { Template } from '../model/template.js';
import { templateGraph } from '../export/graphModel.js';
import { toGraphView } from '../export/graphView.js';
import { fallbackLayout, fromElkGraph, layeredLayout, layoutKey, layoutRequestOf, toElkGraph, type Direction, type LayoutRequest, type LayoutResult } from '../export/layout.js';

export interface LayoutOutcome {
  result: LayoutResult;
  /** Where the result came from. */
  source: 'memory' | 'disk' | 'computed' | 'fallback';
  /** Cache key (file name on disk). */
  key: string;
  /** Time ELK took, when it ran for this request. */
  elkMs: number | null;
  /** Why the fallback was used. */
  warning: string | null;
}

export interface LayoutService {
  /** The layout of `request`: cached, or computed now (`background`: after the clients' requests). */
  layout(request: LayoutRequest, options?: { background?: boolean }): Promise<LayoutOutcome>;
  /** The cache key of `request` (`cacheKey`, computed once per request object). */
  key(request: LayoutRequest): string;
  /** The layout of the request with cache key `key` when it is in memory or being computed (a page asking for what pageLayout started). */
  byKey(key: string): Promise<LayoutOutcome> | null;
  /** The layout of `request` when it is at hand (memory or disk), computing nothing. */
  cached(request: LayoutRequest): LayoutOutcome | null;
  /** A quick layered layout of `request` (core/export/layout.ts `layeredLayout`), remembered for the last few requests. */
  quick(request: LayoutRequest): LayoutResult;
  /** Starts the layout thread now (ELK's start-up is then not paid by the first layout). */
  warm(): void;
  /** Forgets queued background layouts (not the one running): a reload replaces what to warm. */
  dropBackground(): void;
  /** Stops the thread; pending requests get the fallback layout. */
  close(): Promise<void>;
}

export interface LayoutServiceOptions {
  /** Folder of the on-disk cache, or null for memory only (an in-memory database). */
  dir: string | null;
  /** Time budget of one ELK run. Default: 8 s + 30 ms per node, at most 60 s. */
  deadlineMs?: (nodes: number) => number;
  /** Results kept in memory, counted in nodes. Default 60,000. */
  memoryNodes?: number;
  onError?: (err: unknown) => void;
}

/** cyrb53: a fast 53-bit string hash (pure JS, synchronous), hex. */
export function hash53(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** The cache key of a request: its node count (readable) and the hash of its content. */
export function cacheKey(request: LayoutRequest): string {
  return `${request.nodes.length}n-${hash53(layoutKey(request))}`;
}

/**
 * Where layouts are kept: `layouts/` next to a SQLite file; for a database server, the
 * workspace's `.stepwise/layouts/`; null (memory only) for an in-memory database.
 */
export function layoutCacheDir(database: string, workspaceRoot: string): string | null {
  if (database === ':memory:' || database === '') return null;
  if (/^postgres(ql)?:\/\//i.test(database)) return join(workspaceRoot, '.stepwise', 'layouts');
  return join(dirname(database), 'layouts');
}

const defaultDeadline = (nodes: number): number => Math.min(60_000, 8_000 + nodes * 30);

/** A stored result fits the request when it places every node (a damaged file or a collision does not). */
function fits(result: LayoutResult | undefined, request: LayoutRequest): result is LayoutResult {
  if (!result || typeof result !== 'object' || result.engine !== 'elk' || !result.positions || !result.routes) return false;
  for (const n of request.nodes) {
    const p = result.positions[n.id];
    if (!p || typeof p.x !== 'number' || typeof p.y !== 'number') return false;
  }
  return true;
}

interface Job {
  key: string;
  request: LayoutRequest;
  background: boolean;
  resolve(outcome: LayoutOutcome): void;
}

type ThreadReply = { id: number; ok: true; laid: ElkNode; ms: number } | { id: number; ok: false; error: string };

export function createLayoutService(options: LayoutServiceOptions): LayoutService {
  const deadline = options.deadlineMs ?? defaultDeadline;
  const budget = options.memoryNodes ?? 60_000;
  const onError = options.onError ?? (() => undefined);
  /** Most recently used last. */
  const memory = new Map<string, { result: LayoutResult; nodes: number }>();
  let memoryUsed = 0;
  const inFlight = new Map<string, Promise<LayoutOutcome>>();
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let busy = false;
  let closed = false;
  let nextId = 1;
  if (options.dir) {
    try {
      mkdirSync(options.dir, { recursive: true });
    } catch (err) {
      onError(err);
    }
  }

  const remember = (key: string, result: LayoutResult, nodes: number): void => {
    const old = memory.get(key);
    if (old) {
      memory.delete(key);
      memoryUsed -= old.nodes;
    }
    memory.set(key, { result, nodes });
    memoryUsed += nodes;
    for (const [k, v] of memory) {
      if (memoryUsed <= budget || k === key) break;
      memory.delete(k);
      memoryUsed -= v.nodes;
    }
  };

  const fromDisk = (key: string, request: LayoutRequest): LayoutResult | null => {
    if (!options.dir) return null;
    try {
      const stored = JSON.parse(readFileSync(join(options.dir, `${key}.json`), 'utf8')) as { result?: LayoutResult };
      return fits(stored.result, request) ? stored.result : null;
    } catch {
      return null; // missing or unreadable: compute again
    }
  };

  const toDisk = (key: string, result: LayoutResult): void => {
    if (!options.dir) return;
    try {
      // Written whole then renamed: a reader never sees half a file.
      const tmp = join(options.dir, `.${key}.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify({ result }));
      renameSync(tmp, join(options.dir, `${key}.json`));
    } catch (err) {
      onError(err);
    }
  };

  const thread = (): Worker => {
    if (worker) return worker;
    const w = new Worker(new URL('./layoutThread.mjs', import.meta.url), { execArgv: [] });
    w.unref();
    w.on('error', (err) => {
      onError(err);
      if (worker === w) worker = null;
    });
    worker = w;
    return w;
  };

  const runElk = (request: LayoutRequest): Promise<{ result: LayoutResult; elkMs: number } | { warning: string }> =>
    new Promise((resolve) => {
      const id = nextId++;
      let w: Worker;
      try {
        w = thread();
      } catch (err) {
        resolve({ warning: `The layout thread did not start (${err instanceof Error ? err.message : String(err)}).` });
        return;
      }
      const done = (value: { result: LayoutResult; elkMs: number } | { warning: string }) => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('exit', onExit);
        resolve(value);
      };
      const onMessage = (reply: ThreadReply) => {
        if (reply.id !== id) return;
        if (reply.ok) done({ result: fromElkGraph(reply.laid), elkMs: reply.ms });
        else done({ warning: `ELK layout failed (${reply.error}); showing a simple layered layout.` });
      };
      const onExit = () => done({ warning: 'The layout thread stopped; showing a simple layered layout.' });
      const ms = deadline(request.nodes.length);
      const timer = setTimeout(() => {
        // ELK cannot be interrupted: end the thread; the next layout starts a fresh one.
        if (worker === w) worker = null;
        void w.terminate();
        done({ warning: `Layout took longer than ${Math.round(ms / 1000)} s; showing a simple layered layout.` });
      }, ms);
      timer.unref();
      w.on('message', onMessage);
      w.on('exit', onExit);
      w.postMessage({ id, graph: toElkGraph(request) });
    });

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const ran = closed ? { warning: 'The host is closing.' } : await runElk(job.request);
        if ('result' in ran) {
          remember(job.key, ran.result, job.request.nodes.length);
          toDisk(job.key, ran.result);
          job.resolve({ result: ran.result, source: 'computed', key: job.key, elkMs: ran.elkMs, warning: null });
        } else {
          job.resolve({ result: fallbackLayout(job.request), source: 'fallback', key: job.key, elkMs: null, warning: ran.warning });
        }
      }
    } finally {
      busy = false;
    }
  };

  // A page's request is kept with its graph (./pageLayout.ts) and asked about up to three times
  // per open: its key (a hash of its whole text) is computed once.
  const keys = new WeakMap<LayoutRequest, string>();
  const keyOf = (request: LayoutRequest): string => {
    let key = keys.get(request);
    if (key === undefined) keys.set(request, (key = cacheKey(request)));
    return key;
  };

  const lookup = (key: string, request: LayoutRequest): LayoutOutcome | null => {
    const hit = memory.get(key);
    if (hit && fits(hit.result, request)) {
      remember(key, hit.result, hit.nodes);
      return { result: hit.result, source: 'memory', key, elkMs: null, warning: null };
    }
    if (inFlight.has(key)) return null;
    const stored = fromDisk(key, request);
    if (!stored) return null;
    remember(key, stored, request.nodes.length);
    return { result: stored, source: 'disk', key, elkMs: null, warning: null };
  };
  /** Quick layouts of the last few requests (a page opening the same big graph again while ELK works). */
  const quickOnes = new Map<string, LayoutResult>();

  return {
    key: keyOf,
    byKey(key) {
      const hit = memory.get(key);
      if (hit) return Promise.resolve({ result: hit.result, source: 'memory', key, elkMs: null, warning: null });
      return inFlight.get(key) ?? null;
    },
    cached(request) {
      return lookup(keyOf(request), request);
    },
    quick(request) {
      const key = keyOf(request);
      const known = quickOnes.get(key);
      if (known) return known;
      const result = layeredLayout(request, 'quick');
      quickOnes.set(key, result);
      for (const k of quickOnes.keys()) if (quickOnes.size > 4) quickOnes.delete(k);
      return result;
    },
    layout(request, opts = {}) {
      const key = keyOf(request);
      const hit = memory.get(key);
      if (hit && fits(hit.result, request)) {
        remember(key, hit.result, hit.nodes);
        return Promise.resolve({ result: hit.result, source: 'memory', key, elkMs: null, warning: null });
      }
      const pending = inFlight.get(key);
      if (pending) {
        // A client asking for what a warm-up is computing: move it to the front.
        if (!opts.background) {
          const at = queue.findIndex((j) => j.key === key && j.background);
          if (at >= 0) {
            const [job] = queue.splice(at, 1);
            job!.background = false;
            queue.unshift(job!);
          }
        }
        return pending;
      }
      const stored = fromDisk(key, request);
      if (stored) {
        remember(key, stored, request.nodes.length);
        return Promise.resolve({ result: stored, source: 'disk', key, elkMs: null, warning: null });
      }
      const promise = new Promise<LayoutOutcome>((resolve) => {
        const job: Job = { key, request, background: opts.background === true, resolve };
        if (job.background) queue.push(job);
        else {
          const firstBackground = queue.findIndex((j) => j.background);
          if (firstBackground < 0) queue.push(job);
          else queue.splice(firstBackground, 0, job);
        }
      }).finally(() => inFlight.delete(key));
      inFlight.set(key, promise);
      void pump();
      return promise;
    },
    dropBackground() {
      for (let i = queue.length - 1; i >= 0; i--) {
        const job = queue[i]!;
        if (!job.background) continue;
        queue.splice(i, 1);
        job.resolve({ result: fallbackLayout(job.request), source: 'fallback', key: job.key, elkMs: null, warning: 'dropped: the workspace was reloaded' });
      }
    },
    warm() {
      if (closed) return;
      try {
        thread();
      } catch (err) {
        onError(err);
      }
    },
    async close() {
      closed = true;
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

/** Templates with at least this many drawn nodes are laid out before a page asks (smaller ones take ELK milliseconds). */
export const PREWARM_FROM = 100;

/**
 * Lays the workspace's big templates out in the background, in both directions (the page's
 * default first), so the first open of a big template finds its layout cached. Replaces what an
 * earlier call queued. Returns how many layouts it queued.
 */
export function prewarmLayouts(layouts: LayoutService, templates: readonly Template[], directions: readonly Direction[] = ['RIGHT', 'DOWN']): number {
  layouts.dropBackground();
  const views = templates.map((t) => toGraphView(templateGraph(t))).filter((v) => v.nodes.length >= PREWARM_FROM);
  let queued = 0;
  for (const direction of directions) {
    for (const view of views) {
      void layouts.layout(layoutRequestOf(view, direction), { background: true });
      queued += 1;
    }
  }
  return queued;
}
