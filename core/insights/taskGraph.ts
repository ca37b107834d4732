/**
 * Graph analysis of a live workflow task, pure over its step and attempt records: what holds a
 * step back, what a step's failure or reset touches, where the time went, what runs now.
 * The runtime graph is the steps' own `dependsOn` (which includes dynamic batch workers) plus an
 * edge from each dynamic step's creator, so it is what the engine actually schedules.
 */
import type { ErrorInfo } from '../model/errors.js';
import type { AttemptRecord, StepRecord } from '../model/runtime.js';
import { STEP_DONE_STATES, type StepState } from '../model/states.js';
import { indexGraph, longestPath, walk, type Edge, type IndexedGraph } from '../template/graph.js';

type Steps = readonly StepRecord[];

export interface RuntimeDependencyGraph {
  /** Step names in record order. */
  nodes: string[];
  /** `[dependency, dependent]`; dependencies naming no step are left out. */
  edges: Edge[];
}

export function runtimeDependencyGraph(steps: Steps): RuntimeDependencyGraph {
  const nodes = steps.map((s) => s.name);
  const known = new Set(nodes);
  const seen = new Set<string>();
  const edges: Edge[] = [];
  for (const s of steps) {
    const froms = s.createdBy && !s.dependsOn.includes(s.createdBy) ? [...s.dependsOn, s.createdBy] : s.dependsOn;
    for (const from of froms) {
      const key = JSON.stringify([from, s.name]);
      if (!known.has(from) || seen.has(key)) continue;
      seen.add(key);
      edges.push([from, s.name]);
    }
  }
  return { nodes, edges };
}

function indexed(steps: Steps): IndexedGraph {
  const g = runtimeDependencyGraph(steps);
  return indexGraph(g.nodes, g.edges);
}

const isDone = (state: StepState) => STEP_DONE_STATES.includes(state);

export interface Blocker {
  name: string;
  state: StepState;
}

export interface Blocking {
  /** Direct dependencies that are not done (complete, resolved manually or skipped). */
  direct: Blocker[];
  /**
   * The unfinished ancestors whose own dependencies are all done: the steps to look at (run,
   * retry or resolve) to get this one moving.
   */
  root: Blocker[];
}

/** Which unfinished dependencies hold `stepName` back; empty lists when nothing does. */
export function blockingDependencies(steps: Steps, stepName: string): Blocking {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const g = indexed(steps);
  const target = g.index.get(stepName);
  if (target === undefined) return { direct: [], root: [] };
  const blocker = (name: string): Blocker => ({ name, state: byName.get(name)!.state });
  const unfinished = (name: string) => !isDone(byName.get(name)!.state);
  const direct = g.in[target]!.map((i) => g.names[i]!).filter(unfinished);
  // Walk only through unfinished steps: a done step's ancestors hold nothing back.
  const seen = new Set<number>();
  const stack = g.in[target]!.filter((i) => unfinished(g.names[i]!));
  const root: number[] = [];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const open = g.in[v]!.filter((u) => unfinished(g.names[u]!));
    if (open.length === 0) root.push(v);
    else stack.push(...open);
  }
  return { direct: direct.map(blocker), root: root.sort((a, b) => a - b).map((i) => blocker(g.names[i]!)) };
}

/** Every step that depends on `stepName`, directly or not, in record order. */
export function downstreamImpact(steps: Steps, stepName: string): string[] {
  return walk(indexed(steps), stepName, 'out');
}

/** Time spent in a step's attempts: finished ones by their duration, running ones until `now`. */
export function stepDurations(attempts: readonly AttemptRecord[], now?: number): Map<string, number> {
  const total = new Map<string, number>();
  for (const a of attempts) {
    const ms = a.durationMs ?? (a.finishedAt !== null ? a.finishedAt - a.startedAt : now !== undefined ? Math.max(0, now - a.startedAt) : 0);
    total.set(a.stepName, (total.get(a.stepName) ?? 0) + ms);
  }
  return total;
}

export interface CriticalPath {
  steps: Array<{ name: string; durationMs: number; attempts: number }>;
  totalMs: number;
}

/**
 * The dependency chain with the most handler time (all attempts, retries included): the chain
 * that bounds how fast this task could have finished. `now` counts running attempts so far.
 */
export function criticalPath(steps: Steps, attempts: readonly AttemptRecord[], now?: number): CriticalPath {
  const g = runtimeDependencyGraph(steps);
  const durations = stepDurations(attempts, now);
  const counts = new Map<string, number>();
  for (const a of attempts) counts.set(a.stepName, (counts.get(a.stepName) ?? 0) + 1);
  const { path, length } = longestPath(g.nodes, g.edges, (n) => durations.get(n) ?? 0);
  return {
    steps: path.map((name) => ({ name, durationMs: durations.get(name) ?? 0, attempts: counts.get(name) ?? 0 })),
    totalMs: length,
  };
}

export interface Parallelism {
  running: number;
  runningSteps: string[];
  /** Ready to run now but not started (a cap or the executor holds them). */
  ready: number;
}

export function currentParallelism(steps: Steps): Parallelism {
  const runningSteps = steps.filter((s) => s.state === 'running').map((s) => s.name);
  return { running: runningSteps.length, runningSteps, ready: steps.filter((s) => s.state === 'ready').length };
}

export interface ErrorChain {
  step: string;
  error: ErrorInfo | null;
  /** Transitive dependents that are not finished: they cannot run until this step is dealt with. */
  blocks: string[];
}

/** Each step in `error`, with the unfinished steps downstream of it, in record order. */
export function errorChains(steps: Steps): ErrorChain[] {
  const g = indexed(steps);
  const byName = new Map(steps.map((s) => [s.name, s]));
  return steps
    .filter((s) => s.state === 'error')
    .map((s) => ({
      step: s.name,
      error: s.error,
      blocks: walk(g, s.name, 'out').filter((n) => {
        const state = byName.get(n)!.state;
        return !isDone(state) && state !== 'cancelled' && state !== 'error';
      }),
    }));
}
