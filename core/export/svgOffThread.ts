/**
 * SVG export with limits, off the caller's event loop. GraphViz (wasm) runs synchronously and
 * its layout time grows much faster than the graph (an 800-step template took minutes), so a
 * graph is refused above `maxNodes` before anything runs, and the rendering runs in a worker
 * thread (./svgThread.mjs) that is terminated when it passes `timeoutMs`, when its caller's
 * signal aborts (a client that went away), or when the SVG grows past `maxChars`. The host's
 * event loop (health checks, other clients, the engine) and the CLI's stay free meanwhile.
 */
import { Worker } from 'node:worker_threads';
import { StepwiseError } from '../model/errors.js';
import { toDot, type DotOptions } from './dot.js';
import type { TemplateGraph } from './graphModel.js';

export interface SvgLimits {
  /** Nodes above which the export is refused before GraphViz runs. */
  maxNodes: number;
  /** Time GraphViz may take (the thread is terminated after it). */
  timeoutMs: number;
  /** Longest SVG text kept. */
  maxChars: number;
}

/**
 * Measured on the shared 2-core machine at load 20 (a layered DAG, worker start included):
 * 150 steps 4.6 s, 300 steps 5.1 s, 500 steps 9.2 s, 800 steps 31 s (the 800-step
 * template: > 90 s on the host's main thread).
 */
export const DEFAULT_SVG_LIMITS: SvgLimits = { maxNodes: 500, timeoutMs: 60_000, maxChars: 32 * 1024 * 1024 };

/** What the refusals suggest instead, worded for where the export was asked for. */
export interface SvgHints {
  /** How to get DOT instead. */
  dot: string;
  /** How to raise the node limit. */
  raise: string;
}

const DEFAULT_HINTS: SvgHints = { dot: 'Export DOT instead and draw it with GraphViz yourself (dot -Tsvg)', raise: 'raise the limit (maxNodes)' };

export interface SvgExportOptions extends DotOptions {
  limits?: Partial<SvgLimits>;
  signal?: AbortSignal;
  /** Ways around the limits, for the refusals' messages. */
  hints?: SvgHints;
}

/** Refuses a graph over the node limit, naming the limit and the ways around it. */
export function checkSvgSize(graph: TemplateGraph, limits: Partial<SvgLimits> = {}, hints: SvgHints = DEFAULT_HINTS): void {
  const max = limits.maxNodes ?? DEFAULT_SVG_LIMITS.maxNodes;
  if (graph.nodes.length <= max) return;
  throw new StepwiseError(
    'GRAPH_TOO_LARGE',
    `${graph.id} has ${graph.nodes.length} nodes, more than the ${max} an SVG export draws (GraphViz takes minutes on graphs this size). ` +
      `${hints.dot}, or ${hints.raise}.`,
    { nodes: graph.nodes.length, maxNodes: max },
  );
}

/** The graph as SVG, drawn in a worker thread within the limits. */
export function renderSvg(graph: TemplateGraph, options: SvgExportOptions = {}): Promise<string> {
  const { limits = {}, signal, hints = DEFAULT_HINTS, ...dotOptions } = options;
  checkSvgSize(graph, limits, hints);
  return dotToSvgOffThread(toDot(graph, dotOptions), { ...limits, ...(signal ? { signal } : {}), hints });
}

/** DOT text to SVG in a worker thread: TIMEOUT past the time budget, CANCELLED when `signal` aborts. */
export function dotToSvgOffThread(dot: string, options: Partial<Omit<SvgLimits, 'maxNodes'>> & { signal?: AbortSignal; hints?: SvgHints } = {}): Promise<string> {
  const dotHint = (options.hints ?? DEFAULT_HINTS).dot;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SVG_LIMITS.timeoutMs;
  const maxChars = options.maxChars ?? DEFAULT_SVG_LIMITS.maxChars;
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./svgThread.mjs', import.meta.url), { workerData: { dot, maxChars }, execArgv: [] });
    let settled = false;
    const finish = (err: StepwiseError | null, svg?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve(svg!);
    };
    const onAbort = () => finish(cancelled());
    const timer = setTimeout(() => {
      const seconds = Math.round(timeoutMs / 100) / 10;
      finish(new StepwiseError('TIMEOUT', `GraphViz did not finish drawing the SVG within ${seconds} s and was stopped. ${dotHint}, or draw a smaller graph.`, { timeoutMs }));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: { ok: true; svg: string } | { ok: false; errors?: string[]; tooLong?: number }) => {
      if (m.ok) return finish(null, m.svg);
      if (m.tooLong !== undefined) {
        return finish(new StepwiseError('GRAPH_TOO_LARGE', `The SVG is ${m.tooLong.toLocaleString('en-US')} characters, more than the ${maxChars.toLocaleString('en-US')} an export keeps. ${dotHint}.`, { chars: m.tooLong, maxChars }));
      }
      const errors = m.errors ?? [];
      finish(new StepwiseError('USAGE', `GraphViz could not render this DOT: ${errors.join('; ') || 'unknown error'}`, { errors }));
    });
    worker.once('error', (err) => finish(new StepwiseError('GRAPH_TOO_LARGE', `GraphViz failed while drawing the SVG (${err.message}). ${dotHint}.`, {})));
    worker.once('exit', (code) => finish(new StepwiseError('GRAPH_TOO_LARGE', `GraphViz stopped (exit ${code}) before drawing the SVG. ${dotHint}.`, { exitCode: code })));
  });
}

const cancelled = () => new StepwiseError('CANCELLED', 'The SVG export was cancelled.', {});
