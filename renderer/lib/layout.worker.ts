/// <reference lib="webworker" />
/**
 * Runs ELK off the main thread. One message in (a LayoutRequest with an id), one message out
 * (the LayoutResult or an error) per request; the page terminates the worker when it misses
 * its deadline, so a long layout never blocks the canvas.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import { fromElkGraph, toElkGraph, type LayoutRequest, type LayoutResult } from './layout.js';

export type WorkerRequest = { id: number; request: LayoutRequest };
export type WorkerResponse = { id: number; ok: true; result: LayoutResult; ms: number } | { id: number; ok: false; error: string };

const elk = new ELK();
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (message: MessageEvent<WorkerRequest>) => {
  const { id, request } = message.data;
  const started = performance.now();
  try {
    const laid = await elk.layout(toElkGraph(request));
    const response: WorkerResponse = { id, ok: true, result: fromElkGraph(laid), ms: performance.now() - started };
    scope.postMessage(response);
  } catch (err) {
    const response: WorkerResponse = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
    scope.postMessage(response);
  }
};
