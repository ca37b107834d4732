/**
 * The Storage contract. Asynchronous on purpose (a PostgreSQL implementation will sit behind the
 * same interface) even though better-sqlite3 is synchronous. SQL stays inside implementations.
 *
 * Writes go through `commit(changes)`: one atomic unit that may insert/update tasks, steps and
 * attempts and append transitions and events. Every update names the `expectedVersion` it read;
 * if any record's version differs, the whole commit is refused with StaleError (code STALE) and
 * nothing is written. Updating a step also bumps its task's version (the task version guards
 * "anything changed in this task"), so a commit that updates a step of a task must not also list
 * a separate update of that task's version unless it updates the task itself.
 */
import type {
  AttemptRecord,
  JsonObject,
  NewTransition,
  StepRecord,
  TaskRecord,
  TransitionRecord,
} from '../model/runtime.js';
import type { NewEvent, StepwiseEvent } from '../model/events.js';
import type { TaskStatus } from '../model/states.js';

export interface RecordPatch<T> {
  id: string;
  /** The version read before computing this change. */
  expectedVersion: number;
  set: Partial<Omit<T, 'id' | 'version'>>;
}

export interface ChangeSet {
  insertTasks?: TaskRecord[];
  updateTasks?: RecordPatch<TaskRecord>[];
  insertSteps?: StepRecord[];
  updateSteps?: RecordPatch<StepRecord>[];
  insertAttempts?: AttemptRecord[];
  /** Attempts are not versioned: they are written by the one executor that owns the lease. */
  updateAttempts?: Array<{ id: string; set: Partial<Omit<AttemptRecord, 'id'>> }>;
  transitions?: NewTransition[];
  events?: NewEvent[];
  /** Deletes the task and everything belonging to it (steps, attempts, transitions; events stay). */
  deleteTasks?: string[];
}

export interface CommitResult {
  /** Sequence numbers assigned to `transitions`, in order. */
  transitionSeqs: number[];
  /** The persisted events with their sequence numbers, in order. */
  events: StepwiseEvent[];
}

export interface TaskQuery {
  status?: TaskStatus | TaskStatus[];
  kind?: 'workflow' | 'flow';
  namespace?: string;
  name?: string;
  templateRef?: string;
  parentTaskId?: string;
  participant?: string;
  /** Newest first. Keyset pagination: pass the previous page's `nextCursor`. */
  cursor?: string;
  limit?: number;
}

export interface TaskPage {
  tasks: TaskRecord[];
  nextCursor: string | null;
  total: number;
}

export interface TransitionQuery {
  stepName?: string | null;
  afterSeq?: number;
  uptoSeq?: number;
  limit?: number;
}

export interface Heartbeat {
  owner: string;
  pid: number;
  at: number;
  kind: string;
}

export interface Storage {
  readonly kind: 'memory' | 'sqlite' | string;

  commit(changes: ChangeSet): Promise<CommitResult>;

  getTask(id: string): Promise<TaskRecord | null>;
  findTaskByIdempotencyKey(key: string): Promise<TaskRecord | null>;
  listTasks(query?: TaskQuery): Promise<TaskPage>;

  getSteps(taskId: string): Promise<StepRecord[]>;
  getStep(taskId: string, name: string): Promise<StepRecord | null>;

  listTransitions(taskId: string, query?: TransitionQuery): Promise<TransitionRecord[]>;
  listAttempts(taskId: string, stepName?: string): Promise<AttemptRecord[]>;

  /** Events with seq > afterSeq, oldest first. */
  readEvents(afterSeq: number, limit?: number, filter?: { taskId?: string }): Promise<StepwiseEvent[]>;
  lastEventSeq(): Promise<number>;

  /** Ids of tasks that have a step in `ready` state, oldest first (what the engine should run). */
  tasksWithReadySteps(limit?: number): Promise<string[]>;
  /** Steps due now: `waiting_for_retry` with retryAt <= now, `waiting` with wakeAt <= now. */
  dueSteps(now: number, limit?: number): Promise<StepRecord[]>;
  /** Running steps whose lease expired before `now` (their process died). */
  expiredLeases(now: number, limit?: number): Promise<StepRecord[]>;
  /** Tasks due now: waiting flows with wakeAt <= now, tasks with timeoutAt <= now that are not finished. */
  dueTasks(now: number, limit?: number): Promise<TaskRecord[]>;
  /** Finished tasks with deleteAt <= now. */
  expiredTasks(now: number, limit?: number): Promise<string[]>;
  /** Running steps (across all tasks) holding this concurrency key. */
  countRunningWithConcurrencyKey(key: string): Promise<number>;

  /** Liveness of engines serving this database (workbench host, runner). */
  beat(heartbeat: Heartbeat): Promise<void>;
  heartbeats(): Promise<Heartbeat[]>;
  removeHeartbeat(owner: string): Promise<void>;

  close(): Promise<void>;
}

export type { JsonObject };
