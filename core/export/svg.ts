/**
 * SVG rendering of DOT with the wasm GraphViz build (@viz-js/viz): no system binary needed.
 * Kept apart from dot.ts and graphModel.ts so that importing those never loads wasm.
 */
import type { Viz } from '@viz-js/viz';
import { StepwiseError } from '../model/errors.js';
import { toDot, type DotOptions } from './dot.js';
import type { TemplateGraph } from './graphModel.js';

let vizPromise: Promise<Viz> | undefined;

/**
 * The shared GraphViz instance (the wasm module is compiled once per process). @viz-js/viz is
 * imported here, on the first SVG asked for, not when the package is imported: it is 1.2 MB of
 * JavaScript with the wasm inlined.
 */
export function graphviz(): Promise<Viz> {
  vizPromise ??= import('@viz-js/viz').then((viz) => viz.instance());
  return vizPromise;
}

/** GraphViz's complaints about a DOT text: errors refuse it, warnings (font metrics) do not. */
export interface DotCheck {
  ok: boolean;
  errors: string[];
  warnings: string[];
}

/** Parses and lays out `dot` without keeping the output: what tests use to prove DOT is valid. */
export async function checkDot(dot: string): Promise<DotCheck> {
  const result = (await graphviz()).render(dot, { format: 'canon' });
  const errors = result.errors.filter((e) => e.level !== 'warning').map((e) => e.message.trim());
  const warnings = result.errors.filter((e) => e.level === 'warning').map((e) => e.message.trim());
  return { ok: result.status === 'success' && errors.length === 0, errors, warnings };
}

/** Renders DOT text to SVG; a DOT GraphViz rejects is a StepwiseError naming GraphViz's errors. */
export async function dotToSvg(dot: string): Promise<string> {
  const result = (await graphviz()).render(dot, { format: 'svg' });
  const errors = result.errors.filter((e) => e.level !== 'warning').map((e) => e.message.trim());
  if (result.status !== 'success' || errors.length > 0) {
    throw new StepwiseError('USAGE', `GraphViz could not render this DOT: ${errors.join('; ') || 'unknown error'}`, { errors });
  }
  return result.output;
}

/** A graph as SVG: toDot, then GraphViz. */
export async function toSvg(graph: TemplateGraph, options: DotOptions = {}): Promise<string> {
  return dotToSvg(toDot(graph, options));
}
