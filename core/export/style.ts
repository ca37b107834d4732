/**
 * How each node type and runtime state looks, shared by DOT, Mermaid and (as data) the canvas.
 * PURE. A state is never shown by colour alone: each has a text marker drawn in the label.
 */
import type { GraphEdgeKind, GraphNodeType, NodeRuntimeState } from './graphModel.js';

export interface StateStyle {
  fill: string;
  stroke: string;
  /** Symbol and word added under the node's name, e.g. `✓ complete`. */
  marker: string;
  /** Drawn dashed (states where the node did not or will not run). */
  dashed?: boolean;
}

export const STATE_STYLES: Readonly<Record<NodeRuntimeState, StateStyle>> = {
  pending: { fill: '#f3f4f6', stroke: '#6b7280', marker: '○ pending' },
  ready: { fill: '#e0f2fe', stroke: '#0284c7', marker: '◔ ready' },
  running: { fill: '#bfdbfe', stroke: '#1d4ed8', marker: '▶ running' },
  complete: { fill: '#bbf7d0', stroke: '#15803d', marker: '✓ complete' },
  waiting_for_retry: { fill: '#fde68a', stroke: '#b45309', marker: '↻ waiting for retry' },
  waiting: { fill: '#fef3c7', stroke: '#b45309', marker: '‖ waiting' },
  error: { fill: '#fecaca', stroke: '#b91c1c', marker: '✗ error' },
  skipped: { fill: '#f9fafb', stroke: '#9ca3af', marker: '⤼ skipped', dashed: true },
  cancelled: { fill: '#e5e7eb', stroke: '#4b5563', marker: '⊘ cancelled', dashed: true },
  resolved_manually: { fill: '#ddd6fe', stroke: '#6d28d9', marker: '✎ resolved manually' },
  // A flow's current state shows the flow's status (running, waiting, complete, error and:)
  paused: { fill: '#e9d5ff', stroke: '#7e22ce', marker: '‖ paused' },
  visited: { fill: '#f0fdf4', stroke: '#15803d', marker: '· visited' },
};

/** GraphViz shape (and extra style) per node type. */
export const DOT_SHAPES: Readonly<Record<GraphNodeType, { shape: string; style?: string }>> = {
  standard: { shape: 'box' },
  action: { shape: 'box', style: 'rounded' },
  decision: { shape: 'diamond' },
  result: { shape: 'doublecircle' },
  wait: { shape: 'hexagon' },
  batchable: { shape: 'box3d' },
  batch_worker: { shape: 'component' },
  deferred_convergence: { shape: 'invtrapezium' },
  subtask: { shape: 'tab' },
  interaction: { shape: 'cds' },
};

/** Mermaid flowchart shape delimiters per node type. */
export const MERMAID_SHAPES: Readonly<Record<GraphNodeType, readonly [open: string, close: string]>> = {
  standard: ['[', ']'],
  action: ['(', ')'],
  decision: ['{', '}'],
  result: ['(((', ')))'],
  wait: ['{{', '}}'],
  batchable: ['[[', ']]'],
  batch_worker: ['([', '])'],
  deferred_convergence: ['[\\', '/]'],
  subtask: ['>', ']'],
  interaction: ['[/', '/]'],
};

export const EDGE_STYLES: Readonly<Record<GraphEdgeKind, { style: string; color: string }>> = {
  dependency: { style: 'solid', color: '#374151' },
  transition: { style: 'solid', color: '#374151' },
  timeout: { style: 'dashed', color: '#b45309' },
  interaction: { style: 'dotted', color: '#7c3aed' },
};

/** The fill of a node that has no runtime state (template graphs). */
export const DEFAULT_FILL = '#ffffff';
export const DEFAULT_STROKE = '#374151';
