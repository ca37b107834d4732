/**
 * `ctx.ancestors`: the results of every step a step transitively depends on, by name — what
 * tasker-core's dependency-results query (get_step_transitive_dependencies) gives its handlers.
 * A skipped ancestor is present with `null`, so a handler can tell "not taken" from "absent".
 * Pure; walks the runtime graph (batch workers included), each ancestor once.
 */
import type { Json, StepRecord } from '../../model/runtime.js';

type StepLike = Pick<StepRecord, 'dependsOn' | 'state' | 'results'>;

export function ancestorResults(stepOf: (name: string) => StepLike | undefined, name: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  const stack = [...(stepOf(name)?.dependsOn ?? [])];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const dep = stack.pop()!;
    if (seen.has(dep)) continue;
    seen.add(dep);
    const step = stepOf(dep);
    if (!step) continue;
    out[dep] = step.state === 'skipped' ? null : step.results;
    stack.push(...step.dependsOn);
  }
  return out;
}
