/** Runtime step graph helpers for the operations: topological order and what lies downstream. */
import type { StepRecord } from '../model/runtime.js';

/**
 * Step names in topological order over their runtime dependencies; ties keep insertion order
 * (template order, then dynamic steps as they were created), so "the first ready step" is stable.
 */
export function topologicalOrder(steps: readonly Pick<StepRecord, 'name' | 'dependsOn'>[]): string[] {
  const index = new Map(steps.map((s, i) => [s.name, i]));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const s of steps) {
    const deps = s.dependsOn.filter((d) => index.has(d));
    indegree.set(s.name, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), s.name]);
  }
  // A tiny binary-heap-free queue: tasks have tens to a few thousand steps, sorting the frontier is fine.
  let frontier = steps.filter((s) => indegree.get(s.name) === 0).map((s) => s.name);
  const out: string[] = [];
  while (frontier.length > 0) {
    frontier.sort((a, b) => index.get(a)! - index.get(b)!);
    const name = frontier.shift()!;
    out.push(name);
    for (const next of dependents.get(name) ?? []) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) frontier.push(next);
    }
  }
  // A cycle cannot be stored (templates are validated), but never lose a step if one were.
  for (const s of steps) if (!out.includes(s.name)) out.push(s.name);
  return out;
}

/** Every step reachable from `name` through dependents (not `name` itself), in topological order. */
export function downstreamOf(name: string, dependentsOf: (n: string) => readonly string[], order: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [name];
  while (queue.length > 0) {
    for (const d of dependentsOf(queue.pop()!)) {
      if (seen.has(d)) continue;
      seen.add(d);
      queue.push(d);
    }
  }
  return order.filter((n) => seen.has(n));
}
