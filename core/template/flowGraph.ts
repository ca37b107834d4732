/**
 * Pure graph analysis of flow templates (state machines).
 *
 * A flow's edges are the transitions its states declare: an action's `goTo` targets, each
 * decision/wait branch's `goTo`, and — when `onTimeout` names a declared state — a timeout edge
 * from every state the flow can spend time in (action and wait states) to it. Interactions
 * change data and wake the flow but never move it, so they create no edges.
 */
import type { FlowState, FlowTemplate } from '../model/template.js';
import { assertNever } from '../model/errors.js';
import { indexGraph, walk, type Edge } from './graph.js';

export type FlowEdgeKind = 'transition' | 'timeout';

export interface FlowEdge {
  from: string;
  to: string;
  kind: FlowEdgeKind;
  /** The branch's condition as people read it: `has_email`, `not has_email`, `always`. */
  label?: string;
  /** 1-based position of the branch among its state's branches (ordered decisions/waits). */
  order?: number;
}

type FlowShape = Pick<FlowTemplate, 'states' | 'startsWith' | 'onTimeout'>;

/** The label of a decision/wait branch: its explicit label, else the condition it tests. */
export function branchLabel(branch: { condition: string | null; expect: boolean; label?: string }): string {
  if (branch.label) return branch.label;
  if (branch.condition === null) return 'always';
  return branch.expect ? branch.condition : `not ${branch.condition}`;
}

/** The declared transitions out of one state, in declaration order (targets may be undeclared). */
export function stateTransitions(state: FlowState): FlowEdge[] {
  switch (state.type) {
    case 'action':
      return state.goTo.map((to) => ({ from: state.name, to, kind: 'transition' }));
    case 'decision':
    case 'wait': {
      const ordered = state.type === 'wait' || state.form === 'ordered';
      return state.branches.map((b, i) => ({
        from: state.name,
        to: b.goTo,
        kind: 'transition' as const,
        label: branchLabel(b),
        ...(ordered && state.branches.length > 1 ? { order: i + 1 } : {}),
      }));
    }
    case 'result':
      return [];
    default:
      return assertNever(state);
  }
}

/** States in which time passes, so the flow can time out there. */
export function canTimeOutIn(state: FlowState): boolean {
  return state.type === 'action' || state.type === 'wait';
}

/** Every edge of the flow: transitions in state order, then timeout edges. */
export function flowEdges(template: FlowShape): FlowEdge[] {
  const edges = template.states.flatMap(stateTransitions);
  const target = template.onTimeout;
  if (target !== undefined && template.states.some((s) => s.name === target)) {
    for (const s of template.states) {
      if (canTimeOutIn(s) && s.name !== target) edges.push({ from: s.name, to: target, kind: 'timeout', label: 'timeout' });
    }
  }
  return edges;
}

const pairs = (edges: FlowEdge[]): Edge[] => edges.map((e): Edge => [e.from, e.to]);

/** States reachable from `startsWith` (inclusive) through transitions and timeouts. */
export function reachableStates(template: FlowShape): Set<string> {
  const names = template.states.map((s) => s.name);
  if (!names.includes(template.startsWith)) return new Set();
  const g = indexGraph(names, pairs(flowEdges(template)));
  return new Set([template.startsWith, ...walk(g, template.startsWith, 'out')]);
}

/** Declared states that `startsWith` cannot reach, in declaration order. */
export function unreachableStates(template: FlowShape): string[] {
  const reachable = reachableStates(template);
  return template.states.map((s) => s.name).filter((n) => !reachable.has(n));
}

/** The `result` states, in declaration order. */
export function terminalStates(template: Pick<FlowTemplate, 'states'>): string[] {
  return template.states.filter((s) => s.type === 'result').map((s) => s.name);
}

/**
 * Non-result states from which no declared transition path leads to a `result` state, in
 * declaration order. Timeout edges are not counted: a flow that can only end by timing out is
 * a flow whose author forgot a way out, which is what this check is for.
 */
export function statesWithoutPathToResult(template: Pick<FlowTemplate, 'states'>): string[] {
  const names = template.states.map((s) => s.name);
  const g = indexGraph(names, pairs(template.states.flatMap(stateTransitions)));
  const canFinish = new Set<string>();
  for (const result of terminalStates(template)) {
    canFinish.add(result);
    for (const n of walk(g, result, 'in')) canFinish.add(n);
  }
  return template.states.filter((s) => s.type !== 'result' && !canFinish.has(s.name)).map((s) => s.name);
}
