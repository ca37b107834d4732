/**
 * An in-memory picture of one workflow task: its record, its steps by name, the runtime
 * dependents index and the number of steps in each state. Planners read a view; the engine keeps
 * one per active task (a cache validated by the task's version) so that a completion costs work
 * proportional to the completed step's dependents, not to the size of the task.
 */
import type { StepRecord, TaskRecord } from '../../model/runtime.js';
import { STEP_STATES, type StepState } from '../../model/states.js';
import type { ChangeSet } from '../../storage/storage.js';
import { ReadyQueue } from './readyQueue.js';

export type StateCounts = Record<StepState, number>;

export interface TaskView {
  task: TaskRecord;
  steps: Map<string, StepRecord>;
  /** The same records by id (patches name steps by id), kept with `steps`. */
  byId: Map<string, StepRecord>;
  /** step name → names of the steps that depend on it (runtime edges, dynamic steps included). */
  dependents: Map<string, string[]>;
  counts: StateCounts;
  /** Names of steps in `ready`, in the order they became ready. */
  ready: ReadyQueue;
}

export function emptyCounts(): StateCounts {
  return Object.fromEntries(STEP_STATES.map((s) => [s, 0])) as StateCounts;
}

export function buildView(task: TaskRecord, steps: readonly StepRecord[]): TaskView {
  const view: TaskView = {
    task: { ...task },
    steps: new Map(),
    byId: new Map(),
    dependents: new Map(),
    counts: emptyCounts(),
    ready: new ReadyQueue(),
  };
  for (const s of steps) addStep(view, { ...s });
  return view;
}

function addStep(view: TaskView, step: StepRecord): void {
  view.steps.set(step.name, step);
  view.byId.set(step.id, step);
  view.counts[step.state] += 1;
  if (step.state === 'ready') view.ready.add(step.name);
  for (const dep of step.dependsOn) {
    const list = view.dependents.get(dep);
    if (list) list.push(step.name);
    else view.dependents.set(dep, [step.name]);
  }
}

function setDependsOn(view: TaskView, step: StepRecord, dependsOn: string[]): void {
  for (const dep of step.dependsOn) {
    const list = view.dependents.get(dep);
    if (list) view.dependents.set(dep, list.filter((n) => n !== step.name));
  }
  step.dependsOn = dependsOn;
  for (const dep of dependsOn) {
    const list = view.dependents.get(dep);
    if (list) list.push(step.name);
    else view.dependents.set(dep, [step.name]);
  }
}

/**
 * Apply a committed ChangeSet to the view. Versions are predicted the way storage assigns them
 * (each patched record +1; the task +1 per commit that touches it or any of its steps); a wrong
 * prediction only costs a reload, because the engine compares the task version before planning.
 */
export function applyToView(view: TaskView, changes: ChangeSet): void {
  let touched = false;
  for (const s of changes.insertSteps ?? []) {
    if (s.taskId !== view.task.id) continue;
    addStep(view, { ...s });
    touched = true;
  }
  for (const p of changes.updateSteps ?? []) {
    const step = findById(view, p.id);
    if (!step) continue;
    touched = true;
    const { dependsOn, state } = p.set;
    if (state !== undefined && state !== step.state) {
      view.counts[step.state] -= 1;
      view.counts[state] += 1;
      if (step.state === 'ready') view.ready.delete(step.name);
      if (state === 'ready') view.ready.add(step.name);
      step.state = state;
    }
    if (dependsOn !== undefined) setDependsOn(view, step, dependsOn);
    // Field by field rather than `{ dependsOn, state, ...rest }` and Object.assign: the rest copy
    // took V8's generic path, an object per patched step per commit.
    const set = p.set as Record<string, unknown>;
    const target = step as unknown as Record<string, unknown>;
    for (const key in set) if (key !== 'dependsOn' && key !== 'state') target[key] = set[key];
    step.version = p.expectedVersion + 1;
  }
  let taskPatched = false;
  for (const p of changes.updateTasks ?? []) {
    if (p.id !== view.task.id) continue;
    Object.assign(view.task, p.set);
    taskPatched = true;
  }
  if (touched || taskPatched) view.task.version += 1;
}

/**
 * Step by record id (patches name records by id). Kept in the view as steps are added: an index
 * rebuilt from every step whenever the step count changed cost O(steps in the task) per commit
 * that inserted dynamic steps.
 */
export function findById(view: TaskView, id: string): StepRecord | undefined {
  return view.byId.get(id);
}
