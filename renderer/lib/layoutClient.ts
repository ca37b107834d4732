/**
 * The page's side of the layout worker: one request at a time per client, a deadline after
 * which the worker is terminated (and recreated) and the fast fallback layout is used instead,
 * and cancellation when a newer request supersedes an older one.
 */
import { fallbackLayout, type LayoutRequest, type LayoutResult } from './layout.js';
import type { WorkerRequest, WorkerResponse } from './layout.worker.js';

/** Time budget for ELK; a bigger graph gets more, since the fallback is a poorer picture. */
export function deadlineFor(nodeCount: number): number {
  return Math.min(60_000, 8_000 + nodeCount * 30);
}

export interface LayoutOutcome {
  result: LayoutResult;
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
      if (event.data.ok) resolve({ result: event.data.result, warning: null, ms: performance.now() - started, elkMs: event.data.ms });
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
