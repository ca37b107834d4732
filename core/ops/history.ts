/**
 * History: the state of a task just after one of its transitions, rebuilt from the transition
 * log (the workbench's timeline scrubber). `stateAt` reads the log up to the seq once and folds
 * it; `createHistory` keeps checkpoints of the fold every few hundred transitions per task, so
 * scrubbing back and forth reads only the rows after the nearest checkpoint. The log is
 * append-only and seqs are never reused, so a checkpoint never goes stale.
 *
 * What the log carries: every step state change (template steps exist from creation in
 * `pending`; dynamic steps have a creation row from null), the claim rows carry the attempt
 * number, flow `data` rows carry the whole data before and after. The only things read besides
 * the log are the template step names (steps that never moved have no rows) and, for a flow whose
 * data never changed, its data.
 */
import { NotFoundError } from '../model/errors.js';
import type { JsonObject, TaskRecord, TransitionRecord } from '../model/runtime.js';
import { isTaskFinished, normalizeTaskStatus, type StepState, type TaskStatus } from '../model/states.js';
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

/** The fold's accumulator: cheap to copy (flow data stays a JSON string until the end). */
interface Fold {
  seq: number;
  at: number | null;
  status: TaskStatus | null;
  paused: boolean;
  steps: Map<string, StepAt>;
  currentState: string | null;
  lastData: string | null;
}

const copy = (f: Fold): Fold => ({ ...f, steps: new Map([...f.steps].map(([k, v]) => [k, { ...v }])) });

function apply(f: Fold, t: TransitionRecord, kind: TaskRecord['kind']): void {
  f.seq = t.seq;
  f.at = t.at;
  if (t.stepName !== null && kind === 'workflow') {
    if (t.field !== 'state') return;
    let step = f.steps.get(t.stepName);
    if (!step) f.steps.set(t.stepName, (step = { state: t.to as StepState, attempts: 0 }));
    step.state = t.to as StepState;
    if (t.to === 'running' && typeof t.details.attempt === 'number') step.attempts = t.details.attempt;
    return;
  }
  switch (t.field) {
    case 'status':
      // Rows written before the one vocabulary keep flows' old words (active, completed, failed).
      f.status = normalizeTaskStatus(t.to) ?? (t.to as TaskStatus);
      // Only a continue (paused → the status it works by) clears the pause; a task that finishes
      // while paused keeps debug.paused set (a retry brings it back paused), so the fold does too.
      if (f.status === 'paused') f.paused = true;
      else if (t.from === 'paused' && !isTaskFinished(kind, f.status)) f.paused = false;
      return;
    case 'state':
      if (t.stepName === null) f.currentState = t.to;
      return;
    case 'data':
      if (t.stepName === null) f.lastData = t.to;
      return;
    case 'debug':
      // Pauses recorded before `paused` was a status were debug rows running → paused.
      if (t.to === 'paused' || t.to === 'running') f.paused = t.to === 'paused';
      return;
    case 'schedule':
      return;
  }
}

async function start(storage: Storage, task: TaskRecord): Promise<Fold> {
  const steps = new Map<string, StepAt>();
  if (task.kind === 'workflow') for (const s of await storage.getSteps(task.id)) if (!s.dynamic) steps.set(s.name, { state: 'pending', attempts: 0 });
  return { seq: 0, at: null, status: null, paused: false, steps, currentState: null, lastData: null };
}

async function finish(storage: Storage, task: TaskRecord, f: Fold): Promise<TaskStateAt> {
  let data: JsonObject | null = null;
  if (task.kind === 'flow') {
    // Before the first data change the data is what that change started from; never changed: as stored.
    if (f.lastData !== null) data = JSON.parse(f.lastData) as JsonObject;
    else {
      const first = (await storage.listTransitions(task.id, { afterSeq: f.seq })).find((t) => t.field === 'data' && t.stepName === null);
      data = first?.from ? (JSON.parse(first.from) as JsonObject) : structuredClone(task.data);
    }
  }
  return {
    taskId: task.id,
    kind: task.kind,
    seq: f.seq,
    at: f.at,
    status: f.status,
    paused: f.paused,
    steps: task.kind === 'workflow' ? Object.fromEntries([...f.steps].map(([k, v]) => [k, { ...v }])) : {},
    currentState: f.currentState,
    data,
  };
}

async function taskOf(storage: Storage, taskId: string): Promise<TaskRecord> {
  const task = await storage.getTask(taskId);
  if (!task) throw new NotFoundError('Task', taskId, 'History is kept while the task exists.');
  return task;
}

/** The task just after transition `transitionSeq` (or its last one before it), from the log. */
export async function stateAt(storage: Storage, taskId: string, transitionSeq: number): Promise<TaskStateAt> {
  const task = await taskOf(storage, taskId);
  const f = await start(storage, task);
  for (const t of await storage.listTransitions(taskId, { uptoSeq: transitionSeq })) apply(f, t, task.kind);
  return finish(storage, task, f);
}

export interface History {
  stateAt(taskId: string, transitionSeq: number): Promise<TaskStateAt>;
  /** Drop a task's checkpoints (it was deleted). */
  forget(taskId: string): void;
}

/** stateAt with per-task checkpoints every `checkpointEvery` transitions (for repeated scrubbing). */
export function createHistory(storage: Storage, options: { checkpointEvery?: number; maxTasks?: number } = {}): History {
  const every = options.checkpointEvery ?? 250;
  const maxTasks = options.maxTasks ?? 50;
  const checkpoints = new Map<string, Fold[]>();

  return {
    async stateAt(taskId, transitionSeq) {
      const task = await taskOf(storage, taskId);
      let list = checkpoints.get(taskId);
      if (!list) {
        list = [await start(storage, task)];
        checkpoints.set(taskId, list);
        if (checkpoints.size > maxTasks) checkpoints.delete(checkpoints.keys().next().value!);
      }
      let i = list.length - 1;
      while (i > 0 && list[i]!.seq > transitionSeq) i--;
      const f = copy(list[i]!);
      const extendsLog = i === list.length - 1;
      let sinceCheckpoint = 0;
      for (const t of await storage.listTransitions(taskId, { afterSeq: f.seq, uptoSeq: transitionSeq })) {
        apply(f, t, task.kind);
        // Only the newest checkpoint grows the list, so checkpoints stay sorted by seq.
        if (extendsLog && ++sinceCheckpoint === every) {
          // Two calls extending the log at once: keep the list sorted, without duplicates.
          if (f.seq > list.at(-1)!.seq) list.push(copy(f));
          sinceCheckpoint = 0;
        }
      }
      return finish(storage, task, f);
    },
    forget(taskId) {
      checkpoints.delete(taskId);
    },
  };
}
