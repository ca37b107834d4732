/**
 * History: the state of a task just after one of its transitions, rebuilt from the transition
 * log (the workbench's timeline scrubber). One read of the log up to `transitionSeq` and one pass
 * over it; flow data is parsed once, from the last data snapshot.
 *
 * What the log carries: every step state change (template steps exist from creation in
 * `pending`; dynamic steps have a creation row from null), the claim rows carry the attempt
 * number, flow `data` rows carry the whole data before and after. The only thing read besides the
 * log is the list of template step names (steps that never moved have no rows) and, for a flow
 * whose data never changed, its data.
 */
import { NotFoundError } from '../model/errors.js';
import type { JsonObject } from '../model/runtime.js';
import type { StepState, TaskStatus } from '../model/states.js';
import type { Storage } from '../storage/storage.js';

export interface StepAt {
  state: StepState;
  /** Attempts started so far (from the claim rows). */
  attempts: number;
}

export interface TaskStateAt {
  taskId: string;
  kind: 'workflow' | 'flow';
  /** The last transition applied (<= the seq asked for); 0 when none. */
  seq: number;
  /** When that transition happened; null when none. */
  at: number | null;
  status: TaskStatus | null;
  paused: boolean;
  /** Workflows: every step that existed then, by name. Flows: {}. */
  steps: Record<string, StepAt>;
  /** Flows: the current state then. */
  currentState: string | null;
  /** Flows: the data then. Workflows: null. */
  data: JsonObject | null;
}

export async function stateAt(storage: Storage, taskId: string, transitionSeq: number): Promise<TaskStateAt> {
  const task = await storage.getTask(taskId);
  if (!task) throw new NotFoundError('Task', taskId, 'History is kept while the task exists.');
  const log = await storage.listTransitions(taskId, { uptoSeq: transitionSeq });
  const out: TaskStateAt = {
    taskId,
    kind: task.kind,
    seq: 0,
    at: null,
    status: null,
    paused: false,
    steps: {},
    currentState: null,
    data: null,
  };
  const steps = new Map<string, StepAt>();
  if (task.kind === 'workflow') {
    for (const s of await storage.getSteps(taskId)) if (!s.dynamic) steps.set(s.name, { state: 'pending', attempts: 0 });
  }
  let lastData: string | null = null;
  for (const t of log) {
    out.seq = t.seq;
    out.at = t.at;
    if (t.stepName !== null && task.kind === 'workflow') {
      if (t.field !== 'state') continue;
      let step = steps.get(t.stepName);
      if (!step) steps.set(t.stepName, (step = { state: t.to as StepState, attempts: 0 }));
      step.state = t.to as StepState;
      if (t.to === 'running' && typeof t.details.attempt === 'number') step.attempts = t.details.attempt;
      continue;
    }
    switch (t.field) {
      case 'status':
        out.status = t.to as TaskStatus;
        break;
      case 'state':
        if (t.stepName === null) out.currentState = t.to;
        break;
      case 'data':
        if (t.stepName !== null) break;
        lastData = t.to;
        break;
      case 'debug':
        if (t.to === 'paused' || t.to === 'running') out.paused = t.to === 'paused';
        break;
      case 'schedule':
        break;
    }
  }
  if (task.kind === 'workflow') out.steps = Object.fromEntries(steps);
  else {
    // Before the first data change the data is what that change started from; never changed: as stored.
    out.data = lastData !== null ? (JSON.parse(lastData) as JsonObject) : await firstDataSnapshot(storage, taskId, transitionSeq, task.data);
  }
  return out;
}

/** The data before the first data change after `seq` (or the stored data when it never changed). */
async function firstDataSnapshot(storage: Storage, taskId: string, seq: number, stored: JsonObject): Promise<JsonObject> {
  const later = await storage.listTransitions(taskId, { afterSeq: seq });
  const first = later.find((t) => t.field === 'data' && t.stepName === null);
  return first?.from ? (JSON.parse(first.from) as JsonObject) : structuredClone(stored);
}
