/**
 * The operations' public shapes. An operation is named by a request (a discriminated union on
 * `op`), previewed into a Preview (what it will change, computed at one task version) and applied
 * with that version. The workbench, the CLI and users' scripts all speak these types.
 */
import type { Json, JsonObject, StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import type { StepwiseEvent } from '../model/events.js';
import type { ChangeSet } from '../storage/storage.js';

export type OpRequest =
  // Workflow steps
  | { op: 'retryStep'; taskId: string; step: string }
  /** `attempts`: the new budget (default: the template's max attempts). */
  | { op: 'resetForRetry'; taskId: string; step: string; attempts?: number }
  | { op: 'markPending'; taskId: string; step: string; cascade?: boolean }
  | { op: 'updateResults'; taskId: string; step: string; results: Json }
  | { op: 'resolveManually'; taskId: string; step: string; results: Json }
  /** The same as resolveManually (the step ends `resolved_manually`: `error → complete` is not a legal move). */
  | { op: 'markCompleted'; taskId: string; step: string; results: Json }
  | { op: 'skipStep'; taskId: string; step: string }
  | { op: 'rerunFromStep'; taskId: string; step: string; cascade?: boolean }
  // Either kind
  | { op: 'cancelTask'; taskId: string }
  /** Workflows: every retry backoff and timed wait; flows: the wake time. */
  | { op: 'wakeNow'; taskId: string }
  // Flows
  | { op: 'fireInteraction'; taskId: string; name: string; params?: JsonObject }
  | { op: 'retryState'; taskId: string }
  | { op: 'goTo'; taskId: string; state: string }
  | { op: 'updateData'; taskId: string; data: JsonObject }
  // Debugger (also reachable through createDebugger)
  /** `reason` `step`: recorded by the debugger's step on a task it leaves paused. */
  | { op: 'pause'; taskId: string; reason?: 'user' | 'step' }
  | { op: 'continue'; taskId: string }
  | { op: 'setBreakpoints'; taskId: string; names: string[] }
  /** Workflows: a step's retry backoff or wait (all of them without `step`); flows: `wake_at`, or `step: 'timeout'`. */
  | { op: 'skipWait'; taskId: string; step?: string };

export type OpName = OpRequest['op'];

/** One field of one step or task, from what to what. Task changes name the task id. */
export interface Change {
  kind: 'step' | 'task';
  name: string;
  field: string;
  from: Json;
  to: Json;
}

export interface Preview {
  op: OpName;
  taskId: string;
  /** The task version this preview was computed at: pass it to apply as `expectedVersion`. */
  version: number;
  changes: Change[];
  /** Things worth knowing that are not changes (results already consumed downstream, a child left running). */
  notes: string[];
}

export interface ApplyOptions {
  /** The version the preview showed. Anything else is refused with STALE. */
  expectedVersion: number;
  /** Recorded on every transition the operation writes and in its `op.applied` event. */
  reason: string;
}

export interface OpResult extends Preview {
  /** The task as committed. */
  task: TaskRecord;
  transitions: TransitionRecord[];
  events: StepwiseEvent[];
}

/** After the commit: work the shell does outside the transaction. */
export interface Followups {
  /** Steps of this task whose running handlers must be aborted (cancel). */
  abort: string[];
  /** Child tasks to cancel as well (cancel of a task waiting on sub-tasks). */
  cancelChildren: string[];
}

/** What a planner produces: the preview and the one ChangeSet that apply commits. */
export interface Plan extends Preview {
  changeSet: ChangeSet;
  followups: Followups;
  /** The step the op concerns (for the op.applied event), or null. */
  stepName: string | null;
}

export type { StepRecord };
