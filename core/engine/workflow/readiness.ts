/**
 * Readiness, incrementally: when steps finish, only their dependents are looked at. A step is
 * ready when every dependency is done (complete, resolved_manually or skipped) and at least one
 * is not skipped; a step whose dependencies are all skipped is skipped itself, and so on
 * downstream. Roots are ready when the task starts.
 */
import { STEP_DONE_STATES, type StepState } from '../../model/states.js';
import type { StepRecord } from '../../model/runtime.js';
import type { Draft } from '../runtime/draft.js';

export type Readiness = 'ready' | 'skipped' | 'blocked';

const DONE = new Set<StepState>(STEP_DONE_STATES);

export function readinessOf(step: Pick<StepRecord, 'dependsOn'>, stateOf: (name: string) => StepState | undefined): Readiness {
  if (step.dependsOn.length === 0) return 'ready';
  let anyRan = false;
  for (const dep of step.dependsOn) {
    const state = stateOf(dep);
    if (state === undefined || !DONE.has(state)) return 'blocked';
    if (state !== 'skipped') anyRan = true;
  }
  return anyRan ? 'ready' : 'skipped';
}

/**
 * After the steps in `finished` reached a done state, move their pending dependents to `ready`
 * or `skipped`; skips cascade. Returns how many steps it moved.
 */
export function propagateReadiness(draft: Draft, finished: readonly string[]): number {
  const queue = [...finished];
  let moved = 0;
  while (queue.length > 0) {
    const name = queue.pop()!;
    for (const dependent of draft.dependentsOf(name)) {
      const step = draft.step(dependent);
      if (!step || step.state !== 'pending') continue;
      const r = readinessOf(step, (n) => draft.step(n)?.state);
      if (r === 'ready') {
        draft.moveStep(dependent, 'ready', 'dependencies met');
        moved += 1;
      } else if (r === 'skipped') {
        draft.moveStep(dependent, 'skipped', 'every dependency was skipped');
        moved += 1;
        queue.push(dependent);
      }
    }
  }
  return moved;
}
