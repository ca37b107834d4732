/**
 * Pure directed-graph analysis over plain node names and `[from, to]` edges, where `from` must
 * run (or happen) before `to` — for a workflow, `[dependency, dependent]`.
 *
 * Every function is deterministic: ties are broken by the order of `nodes`, so the same input
 * gives the same output (validation messages, DOT output and tests rely on that).
 * Edges naming an unknown node are ignored (validation reports those separately); duplicate
 * nodes and edges count once.
 */
import { StepwiseError } from '../model/errors.js';
import type { WorkflowTemplate } from '../model/template.js';

export type Edge = readonly [from: string, to: string];

/** Thrown by the ordering functions when the graph has a cycle; `details.cycles` names them. */
export class GraphCycleError extends StepwiseError {
  readonly cycles: string[][];
  constructor(cycles: string[][]) {
    const shown = cycles.map((c) => [...c, c[0]].join(' → ')).join('; ');
    super('TEMPLATE_INVALID', `The graph has a cycle: ${shown}. Remove one dependency of each cycle.`, { cycles });
    this.cycles = cycles;
  }
}

/** Index form of a graph: node i is `names[i]`, adjacency lists sorted by index. */
export interface IndexedGraph {
  names: string[];
  index: Map<string, number>;
  out: number[][];
  in: number[][];
}

export function indexGraph(nodes: readonly string[], edges: readonly Edge[]): IndexedGraph {
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const n of nodes) {
    if (index.has(n)) continue;
    index.set(n, names.length);
    names.push(n);
  }
  const outSets = names.map(() => new Set<number>());
  const inSets = names.map(() => new Set<number>());
  for (const [from, to] of edges) {
    const f = index.get(from);
    const t = index.get(to);
    if (f === undefined || t === undefined) continue;
    outSets[f]!.add(t);
    inSets[t]!.add(f);
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { names, index, out: outSets.map(sorted), in: inSets.map(sorted) };
}

/** Nodes without incoming edges, in input order. */
export function roots(nodes: readonly string[], edges: readonly Edge[]): string[] {
  const g = indexGraph(nodes, edges);
  return g.names.filter((_, i) => g.in[i]!.length === 0);
}

/** Nodes without outgoing edges, in input order. */
export function leaves(nodes: readonly string[], edges: readonly Edge[]): string[] {
  const g = indexGraph(nodes, edges);
  return g.names.filter((_, i) => g.out[i]!.length === 0);
}

/** Level of each node index (0 = no predecessors), or null for nodes on or after a cycle. */
function levelsOf(g: IndexedGraph): Array<number | null> {
  const level: Array<number | null> = g.names.map(() => null);
  const remaining = g.in.map((preds) => preds.length);
  let frontier = g.names.map((_, i) => i).filter((i) => remaining[i] === 0);
  for (const i of frontier) level[i] = 0;
  let depth = 0;
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const i of frontier) {
      for (const j of g.out[i]!) {
        remaining[j]! -= 1;
        if (remaining[j] === 0) {
          level[j] = depth + 1;
          next.push(j);
        }
      }
    }
    frontier = next;
    depth += 1;
  }
  return level;
}

/**
 * Execution levels: level 0 holds the roots, level k the nodes whose longest chain of
 * predecessors has k nodes. Nodes of one level may run in parallel. Throws GraphCycleError.
 */
export function executionLevels(nodes: readonly string[], edges: readonly Edge[]): string[][] {
  const g = indexGraph(nodes, edges);
  const level = levelsOf(g);
  if (level.some((l) => l === null)) throw new GraphCycleError(findCyclesIndexed(g, 100));
  const levels: string[][] = [];
  g.names.forEach((name, i) => (levels[level[i]!] ??= []).push(name));
  return levels;
}

/** The number of nodes on each execution level. Throws GraphCycleError. */
export function levelWidths(nodes: readonly string[], edges: readonly Edge[]): number[] {
  return executionLevels(nodes, edges).map((l) => l.length);
}

/**
 * A topological order: level by level, input order within a level (stable and readable).
 * Throws GraphCycleError (with every cycle) when there is none.
 */
export function topologicalOrder(nodes: readonly string[], edges: readonly Edge[]): string[] {
  return executionLevels(nodes, edges).flat();
}

/**
 * Every elementary cycle (Johnson's algorithm), each as its nodes in edge order starting at its
 * earliest node in input order, without repeating the first node; a self-loop is `[node]`.
 * Cycles are listed by their first node's input order, then by path. Stops after `maxCycles`
 * (a dense graph can have exponentially many).
 */
export function findCycles(
  nodes: readonly string[],
  edges: readonly Edge[],
  options: { maxCycles?: number } = {},
): string[][] {
  return findCyclesIndexed(indexGraph(nodes, edges), options.maxCycles ?? 1000);
}

function findCyclesIndexed(g: IndexedGraph, maxCycles: number): string[][] {
  // Only nodes left after peeling sources and sinks can be on a cycle: a DAG costs O(n + e).
  const core = new CyclicCore(g);
  const cycles: number[][] = [];
  for (let s = 0; s < g.names.length && cycles.length < maxCycles; s++) {
    if (!core.alive[s]) continue;
    const component = componentOf(g, s, (v) => core.alive[v]!);
    if (component.size > 1 || g.out[s]!.includes(s)) circuitsFrom(g, s, component, cycles, maxCycles);
    // Every cycle through s is found; dropping s lets the peeling shrink what is left.
    core.remove(s);
  }
  return cycles.map((c) => c.map((i) => g.names[i]!));
}

/** The nodes that can still lie on a cycle, peeled incrementally as nodes are removed. */
class CyclicCore {
  readonly alive: boolean[];
  private readonly indeg: number[];
  private readonly outdeg: number[];
  constructor(private readonly g: IndexedGraph) {
    this.alive = g.names.map(() => true);
    this.indeg = g.in.map((p) => p.length);
    this.outdeg = g.out.map((s) => s.length);
    const dead = g.names.map((_, i) => i).filter((i) => this.indeg[i] === 0 || this.outdeg[i] === 0);
    this.peel(dead);
  }
  remove(v: number): void {
    this.peel([v]);
  }
  private peel(queue: number[]): void {
    while (queue.length > 0) {
      const v = queue.pop()!;
      if (!this.alive[v]) continue;
      this.alive[v] = false;
      for (const w of this.g.out[v]!) if (this.alive[w] && --this.indeg[w]! === 0) queue.push(w);
      for (const u of this.g.in[v]!) if (this.alive[u] && --this.outdeg[u]! === 0) queue.push(u);
    }
  }
}

/** The strongly connected component of `s` within the nodes `allowed` admits. */
function componentOf(g: IndexedGraph, s: number, allowed: (v: number) => boolean): Set<number> {
  const reach = (adj: number[][]) => {
    const seen = new Set<number>([s]);
    const stack = [s];
    while (stack.length > 0) {
      for (const w of adj[stack.pop()!]!) {
        if (allowed(w) && !seen.has(w)) {
          seen.add(w);
          stack.push(w);
        }
      }
    }
    return seen;
  };
  const forward = reach(g.out);
  const backward = reach(g.in);
  return new Set([...forward].filter((v) => backward.has(v)));
}

/** Johnson's CIRCUIT procedure from `s` inside its component, iterative (cycles can be long). */
function circuitsFrom(g: IndexedGraph, s: number, comp: Set<number>, cycles: number[][], max: number): void {
  const blocked = new Set<number>();
  const blockedBy = new Map<number, Set<number>>();
  const unblock = (u: number) => {
    const stack = [u];
    while (stack.length > 0) {
      const x = stack.pop()!;
      blocked.delete(x);
      const waiting = blockedBy.get(x);
      if (!waiting) continue;
      blockedBy.delete(x);
      for (const w of waiting) if (blocked.has(w)) stack.push(w);
    }
  };
  const path: number[] = [];
  const frames: Array<{ v: number; next: number; found: boolean }> = [];
  const enter = (v: number) => {
    path.push(v);
    blocked.add(v);
    frames.push({ v, next: 0, found: false });
  };
  enter(s);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const successors = g.out[frame.v]!;
    if (frame.next < successors.length && cycles.length < max) {
      const w = successors[frame.next++]!;
      if (!comp.has(w)) continue;
      if (w === s) {
        cycles.push([...path]);
        frame.found = true;
      } else if (!blocked.has(w)) {
        enter(w);
      }
      continue;
    }
    if (frame.found) unblock(frame.v);
    else {
      for (const w of successors) {
        if (!comp.has(w)) continue;
        let set = blockedBy.get(w);
        if (!set) blockedBy.set(w, (set = new Set()));
        set.add(frame.v);
      }
    }
    path.pop();
    frames.pop();
    const parent = frames[frames.length - 1];
    if (parent && frame.found) parent.found = true;
  }
}

/**
 * The longest path (by summed node weight; default 1 per node, i.e. the most nodes), as its
 * nodes in order. Ties go to the path that ends, then starts, earliest in input order.
 * Empty graph → empty path. Throws GraphCycleError.
 */
export function longestPath(
  nodes: readonly string[],
  edges: readonly Edge[],
  weight: (node: string) => number = () => 1,
): { path: string[]; length: number } {
  const g = indexGraph(nodes, edges);
  const order = topologicalOrder(g.names, edges).map((n) => g.index.get(n)!);
  const best = g.names.map(() => 0);
  const prev: Array<number | null> = g.names.map(() => null);
  for (const v of order) {
    // in[v] is sorted, so a strict comparison keeps the earliest predecessor on ties.
    let p: number | null = null;
    for (const u of g.in[v]!) if (p === null || best[u]! > best[p]!) p = u;
    prev[v] = p;
    const base = p === null ? 0 : best[p]!;
    best[v] = base + weight(g.names[v]!);
  }
  let end = -1;
  g.names.forEach((_, i) => (end === -1 || best[i]! > best[end]!) && (end = i));
  const path: string[] = [];
  for (let v: number | null = end === -1 ? null : end; v !== null; v = prev[v]!) path.unshift(g.names[v]!);
  return { path, length: end === -1 ? 0 : best[end]! };
}

/** Every node reachable from `start` by following edges forward (excluding `start` unless on a cycle). */
export function descendants(nodes: readonly string[], edges: readonly Edge[], start: string): string[] {
  return walk(indexGraph(nodes, edges), start, 'out');
}

/** Every node from which `start` is reachable. */
export function ancestors(nodes: readonly string[], edges: readonly Edge[], start: string): string[] {
  return walk(indexGraph(nodes, edges), start, 'in');
}

/** Nodes reachable from `start` along `dir`, in input order. */
export function walk(g: IndexedGraph, start: string, dir: 'out' | 'in'): string[] {
  const s = g.index.get(start);
  if (s === undefined) return [];
  const seen = new Set<number>();
  const stack = [s];
  while (stack.length > 0) {
    for (const w of g[dir][stack.pop()!]!) {
      if (!seen.has(w)) {
        seen.add(w);
        stack.push(w);
      }
    }
  }
  return [...seen].sort((a, b) => a - b).map((i) => g.names[i]!);
}

/** A workflow's dependency edges: `[dependency, dependent]`, in step then dependsOn order. */
export function workflowEdges(template: Pick<WorkflowTemplate, 'steps'>): Edge[] {
  return template.steps.flatMap((step) => step.dependsOn.map((dep): Edge => [dep, step.name]));
}

export interface WorkflowAnalysis {
  roots: string[];
  leaves: string[];
  cycles: string[][];
  /** null when the template has a cycle (then `cycles` names them). */
  order: string[] | null;
  levels: string[][] | null;
  levelWidths: number[] | null;
  /** The longest dependency chain (most steps); null when cyclic. */
  longestPath: string[] | null;
}

/** Everything graph-shaped about a workflow template, computed once. */
export function analyzeWorkflow(template: Pick<WorkflowTemplate, 'steps'>): WorkflowAnalysis {
  const nodes = template.steps.map((s) => s.name);
  const edges = workflowEdges(template);
  const cycles = findCycles(nodes, edges);
  const acyclic = cycles.length === 0;
  const levels = acyclic ? executionLevels(nodes, edges) : null;
  return {
    roots: roots(nodes, edges),
    leaves: leaves(nodes, edges),
    cycles,
    order: levels ? levels.flat() : null,
    levels,
    levelWidths: levels ? levels.map((l) => l.length) : null,
    longestPath: acyclic ? longestPath(nodes, edges).path : null,
  };
}
