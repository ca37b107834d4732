/**
 * Where the page gets a layout: from the host (`layoutGraph`: cached by content there, so every
 * later open of the same graph, in any window, is a lookup; a cache miss runs ELK in the host's
 * layout thread), or — without a host, or when it fails — from the page's own ELK worker
 * (`layoutInWorker`: one request at a time per client, a deadline after which the worker is
 * terminated and recreated and the fallback layout used instead, cancellation when a newer
 * request supersedes an older one). A big graph whose layout the host does not have yet is
 * drawn at once with a quick layered layout and redrawn when ELK's arrives.
 */
import { encodeLayoutRequest, fallbackLayout, layeredLayout, QUICK_FROM, type CompactLayoutRequest, type LayoutRequest, type LayoutResult } from './layout.js';
import type { WorkerRequest, WorkerResponse } from './layout.worker.js';

/** Time budget for ELK; a bigger graph gets more, since the fallback is a poorer picture. */
export function deadlineFor(nodeCount: number): number {
  return Math.min(60_000, 8_000 + nodeCount * 30);
}

export interface LayoutOutcome {
  result: LayoutResult;
  /** Where it came from: the host's cache (memory/disk), an ELK run (host or page), or a local quick/fallback layout. */
  source?: 'memory' | 'disk' | 'computed' | 'fallback' | 'quick' | 'worker';
  /** Why the fallback was used, when it was. */
  warning: string | null;
  /** Request to result, as the page saw it (includes starting the worker the first time). */
  ms: number;
  /** Time ELK itself took in the worker (null for the fallback). */
  elkMs: number | null;
}

let worker: Worker | null = null;
let nextId = 1;

function spawn(): Worker {
  return new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'elk-layout' });
}

export function layoutInWorker(request: LayoutRequest, signal?: AbortSignal): Promise<LayoutOutcome> {
  const id = nextId++;
  const w = (worker ??= spawn());
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const fallback = (warning: string) => {
      finish();
      resolve({ result: fallbackLayout(request), warning, ms: performance.now() - started, elkMs: null });
    };
    const onMessage = (event: MessageEvent<WorkerResponse>) => {
      if (event.data.id !== id) return;
      finish();
      if (event.data.ok) resolve({ result: event.data.result, warning: null, ms: performance.now() - started, elkMs: event.data.ms, source: 'worker' });
      else fallback(`ELK layout failed (${event.data.error}); showing a simple layered layout.`);
    };
    const onError = (event: ErrorEvent) => {
      w.terminate();
      if (worker === w) worker = null;
      fallback(`The layout worker crashed (${event.message}); showing a simple layered layout.`);
    };
    const onAbort = () => {
      finish();
      reject(new DOMException('Layout superseded', 'AbortError'));
    };
    const timer = setTimeout(() => {
      // ELK cannot be interrupted: kill the worker; the next request starts a fresh one.
      w.terminate();
      if (worker === w) worker = null;
      fallback(`Layout took longer than ${Math.round(deadlineFor(request.nodes.length) / 1000)} s; showing a simple layered layout.`);
    }, deadlineFor(request.nodes.length));
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    const message: WorkerRequest = { id, request };
    w.postMessage(message);
  });
}

/** What the host answers for a layout (the `layout` procedure). */
export interface HostLayoutAnswer {
  result: LayoutResult;
  source: 'memory' | 'disk' | 'computed' | 'fallback';
  elkMs: number | null;
  warning: string | null;
}

type HostLayout = (request: CompactLayoutRequest, signal: AbortSignal | undefined) => Promise<HostLayoutAnswer>;
let hostLayout: HostLayout | null = null;

type HostLayoutByKey = (key: string, signal: AbortSignal | undefined) => Promise<HostLayoutAnswer>;
let hostLayoutByKey: HostLayoutByKey | null = null;

/** The page's connection registers how to ask the host (null: lay out in the page only). */
export function setHostLayout(fn: HostLayout | null, byKey: HostLayoutByKey | null = null): void {
  hostLayout = fn;
  hostLayoutByKey = byKey;
}

/**
 * ELK's layout of a graph the host sent with a quick layout and the cache `key` of its request:
 * asked for by key (the host is already computing it; a 5,000-node request is half a megabyte
 * to encode and send), or with the whole request when the host does not know the key (it
 * restarted) or failed.
 */
export async function layoutByKey(key: string, request: () => LayoutRequest, signal?: AbortSignal): Promise<LayoutOutcome> {
  const ask = hostLayoutByKey;
  if (ask) {
    const started = performance.now();
    try {
      const answer = await ask(key, signal);
      if (answer.source !== 'fallback') return { result: answer.result, warning: answer.warning, ms: performance.now() - started, elkMs: answer.elkMs, source: answer.source };
    } catch (err) {
      if (aborted(signal)) throw err;
    }
  }
  if (aborted(signal)) throw new DOMException('Layout superseded', 'AbortError');
  return layoutGraph(request(), signal ? { signal } : {});
}

export { QUICK_FROM };
/** How long a big graph waits for the host's answer (a cache hit) before drawing the quick layout. */
const QUICK_WAIT_MS = 150;
/** Above this the request is too big for one protocol message: the page lays it out itself. */
const HOST_MAX_NODES = 20_000;

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * The layout of `request`: the host's (cached or computed there), else the page's worker.
 * `onQuick` receives a quick layered layout first when the graph is big and the host's answer is
 * not there within QUICK_WAIT_MS; the promise then resolves with the ELK layout.
 */
export async function layoutGraph(request: LayoutRequest, options: { signal?: AbortSignal; onQuick?: (outcome: LayoutOutcome) => void } = {}): Promise<LayoutOutcome> {
  const { signal, onQuick } = options;
  const ask = hostLayout;
  if (!ask || request.nodes.length > HOST_MAX_NODES) return layoutInWorker(request, signal);
  const started = performance.now();
  const fromHost = ask(encodeLayoutRequest(request), signal).then(
    (answer): LayoutOutcome => ({ result: answer.result, warning: answer.warning, ms: performance.now() - started, elkMs: answer.elkMs, source: answer.source }),
  );
  // Settled either way, so a rejection seen only after the race is never "unhandled".
  const settled = fromHost.then(
    (outcome) => ({ outcome }),
    (error: unknown) => ({ error }),
  );
  if (onQuick && request.nodes.length > QUICK_FROM) {
    const first = await Promise.race([settled, new Promise<null>((r) => setTimeout(() => r(null), QUICK_WAIT_MS))]);
    if (first && 'outcome' in first && first.outcome.source !== 'fallback') return first.outcome;
    if (!first && !aborted(signal)) {
      const t0 = performance.now();
      onQuick({ result: layeredLayout(request, 'quick'), warning: null, ms: performance.now() - t0, elkMs: null, source: 'quick' });
    }
  }
  const answer = await settled;
  // The host's own fallback (its ELK failed or missed its deadline): the page's ELK may still manage.
  if ('outcome' in answer && answer.outcome.source !== 'fallback') return answer.outcome;
  if (aborted(signal)) throw new DOMException('Layout superseded', 'AbortError');
  // No host answer (an old host, a dropped connection): lay it out here.
  return layoutInWorker(request, signal);
}
