/**
 * The Storage contract. Asynchronous on purpose (a PostgreSQL implementation will sit behind the
 * same interface) even though better-sqlite3 is synchronous. SQL stays inside implementations.
 * Implementations: ./memory.ts, ./sqlite.ts, ./postgres/; open one with `openStorage` (./index.ts). The
 * contract suite test/unit/storage.contract.ts runs against each.
 *
 * Writes go through `commit(changes)`: ONE transaction that may insert/update tasks, steps and
 * attempts, append transitions and events, and delete tasks. Semantics:
 *
 * - Checks run before anything is written, in this order, and a failing check writes nothing
 *   (no records, no transitions, no events; it may use up seq numbers, see below):
 *   1. USAGE: a patch names an unknown field or an identity field (`id`, `version`; a task's
 *      `kind`/`idempotencyKey`; a step's `taskId`/`name`; an attempt's `taskId`/`stepName`/`number`),
 *      or the same record is patched twice in one commit. `undefined` values in `set` are ignored.
 *   2. STALE (StaleError, details `{ record, id, expectedVersion, actualVersion }`): a patched
 *      task or step does not exist (`actualVersion: null`) or is not at `expectedVersion`.
 *   3. STALE: an inserted step/attempt or a transition names a task that does not exist (and is
 *      not inserted in the same commit), or a patched attempt does not exist.
 *   4. DUPLICATE (DuplicateError): an inserted task/step/attempt id, a step name within its task,
 *      or a task's `idempotencyKey` is already taken (details name `existingTaskId` for the key,
 *      so the engine can return the existing task).
 *   5. CONCURRENCY_LIMIT (ConcurrencyLimitError, details `{ key, limit, running }`): for a
 *      `concurrencyGuards` entry, the commit would raise the number of `running` steps holding
 *      that key (across all tasks, counted inside the transaction) above the limit (./guards.ts).
 * - Versions: a patched task or step gets `version = expectedVersion + 1`. Patching or inserting
 *   steps bumps their task's version by exactly one per commit, however many of its steps
 *   change; if the task itself is patched in the same commit its `expectedVersion` is checked and
 *   it gets +1 once; a task inserted in the same commit keeps the version it was inserted with.
 *   Attempts are not versioned and do not bump the task. Inserted records keep their `version`.
 * - Order of writes: tasks, steps, the implicit task bumps, attempts, transitions, events, deletes.
 *   Transitions and events get global `seq` numbers, strictly increasing in the order given and
 *   across the commits of one task; seq numbers are never reused (even after their task is
 *   deleted) and may have gaps (PostgreSQL numbers from sequences; a refused or concurrent
 *   commit leaves holes).
 * - Event visibility: `readEvents` and `lastEventSeq` never let a reader's cursor pass an event
 *   that becomes readable later. Memory and SQLite number events in commit order; PostgreSQL's
 *   global reads stop at a watermark (the oldest transaction still running, ./postgres/queries.ts),
 *   so an event committed just now may take until the transactions begun before it end to show.
 *   Reads of one task's events (`filter.taskId`) see every committed event of the task at once.
 * - `deleteTasks` removes each task and its steps, attempts, transitions and participants; events
 *   stay. Deleting a task that does not exist is not an error.
 * - A patch that moves a task to a finished status (complete, error, cancelled) ends every
 *   reservation of it (`reserveTasks`, whoever holds it) in the same transaction: nothing of it
 *   is left to run, and the cluster view must not show it as held.
 * - Records read back are copies: mutating them never changes stored state.
 *
 * Query orders (identical in every implementation): `listTasks` newest first (createdAt DESC, id
 * DESC) with keyset cursors; `getSteps`, `listAttempts` and their bulk forms in insertion order; transitions and
 * events by seq; due/expired queries by their due time, then id.
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
import type { ConcurrencyGuard } from './guards.js';

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
  /**
   * Writes nothing; refuses the commit (CONCURRENCY_LIMIT) when it would leave more than `limit`
   * running steps holding `key`. How an engine claims a keyed step atomically across engines.
   */
  concurrencyGuards?: ConcurrencyGuard[];
}

export interface CommitResult {
  /** Sequence numbers assigned to `transitions`, in order. */
  transitionSeqs: number[];
  /** The persisted events with their sequence numbers, in order. */
  events: StepwiseEvent[];
}

/**
 * `Storage.sync`: the same checks, writes, errors (thrown, not rejected) and answers as `commit`,
 * `getTask`, `maxAttemptNumber` and `lastEventSeq`, at once. One difference: what `commit` is given
 * is handed over — storage may keep the very objects (records, patch values, events) instead of
 * copies, so the caller must not change them afterwards. (The asynchronous `commit` copies: its
 * caller may go on using what it passed.) Reads still return copies.
 */
export interface SyncStorage {
  commit(changes: ChangeSet): CommitResult;
  getTask(id: string): TaskRecord | null;
  maxAttemptNumber(taskId: string, stepName: string): number;
  lastEventSeq(): number;
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

export interface ReserveOptions {
  limit: number;
  ttlMs: number;
  now: number;
  renew?: readonly string[];
  /**
   * Tasks the caller found work in that no ready step shows (flows to advance, wake or take over):
   * reserved like the others when nobody else holds them, and returned after the ready ones.
   */
  take?: readonly string[];
}

/** One engine serving the database (a workbench host or a runner), as it last announced itself. */
export interface Heartbeat {
  owner: string;
  pid: number;
  /** When it last beat, on its own clock (ms). */
  at: number;
  /** `runner`, `host`, … (what started the engine). */
  kind: string;
  /** The machine it runs on (os.hostname()); '' when written by a Stepwise before heartbeats carried it. */
  host: string;
  /** When its loop started (ms); 0 when unknown. */
  startedAt: number;
  /** The Stepwise version it runs; '' when unknown. */
  version: string;
  /** How often it beats (ms): one that missed a few beats is gone (core/model/cluster.ts). */
  everyMs: number;
}

/** A running step and the engine whose lease it runs under. */
export interface HeldStep {
  taskId: string;
  templateRef: string;
  stepName: string;
  owner: string;
  leaseExpiresAt: number | null;
}

/** A flow running an action state under an engine's lease. */
export interface HeldFlow {
  taskId: string;
  templateRef: string;
  state: string | null;
  owner: string;
  leaseExpiresAt: number | null;
}

/** A task reserved by an engine (Storage.reserveTasks). */
export interface HeldReservation {
  taskId: string;
  templateRef: string;
  owner: string;
  expiresAt: number;
}

/** Which holds to list (the cluster view's filters): every given condition must match. */
export interface HoldsFilter {
  /** Only this engine's (exact owner). */
  owner?: string;
  /** Only holds of tasks whose id contains this (case-insensitive). */
  taskId?: string;
}

/** What every engine holds right now: the cluster view's "what each is running". */
export interface Holds {
  steps: HeldStep[];
  flows: HeldFlow[];
  reservations: HeldReservation[];
}

export interface Storage {
  readonly kind: 'memory' | 'sqlite' | 'postgres' | string;
  /**
   * How event seqs relate to commit order. `commit` (memory, SQLite; also when absent): an event's
   * seq is at or below `lastEventSeq()` as soon as its commit returns. `watermark` (PostgreSQL):
   * seqs are taken before commit, so a just-committed event may sit above `lastEventSeq()` until
   * commits numbered before it end; followers wait for the watermark rather than skip ahead.
   */
  readonly eventOrder?: 'commit' | 'watermark';
  /**
   * Hints that some process committed events (`events`) or made work runnable (`work`):
   * PostgreSQL's LISTEN/NOTIFY. Optional, and hints may be lost: callers poll as well.
   */
  subscribe?(kind: 'events' | 'work', listener: () => void): () => void;

  /**
   * Runs `fn` only if no other process runs work of this name on the database right now, and
   * returns its result; returns `undefined` without calling it otherwise. PostgreSQL: a session
   * advisory lock held while `fn` runs (the one engine doing housekeeping). Optional: without it
   * every engine runs the work, and what it commits must tolerate that (versions).
   */
  exclusively?<T>(name: 'housekeeping', fn: () => Promise<T>): Promise<T | undefined>;

  /**
   * The database's clock (ms since the epoch), where processes on several machines share the
   * database (PostgreSQL). Engines measure their clock's offset from it, so leases, retry and
   * wake times written by one machine mean the same to another whose clock is off
   * (core/engine/runtime/databaseClock.ts). Absent: the process's own clock is the only one.
   */
  now?(): Promise<number>;

  commit(changes: ChangeSet): Promise<CommitResult>;

  /**
   * Optional: the calls a flow's pure steps and the engine's workflow commits make, answered
   * synchronously by storage that does no I/O (memory) or whose I/O is synchronous anyway (SQLite
   * through better-sqlite3), so that they cost no promise (see SyncStorage). Null (or absent) whenever the
   * asynchronous methods must be called instead, e.g. while a subclass or a wrapper intercepts them.
   */
  readonly sync?: SyncStorage | null;

  getTask(id: string): Promise<TaskRecord | null>;
  findTaskByIdempotencyKey(key: string): Promise<TaskRecord | null>;
  listTasks(query?: TaskQuery): Promise<TaskPage>;

  getSteps(taskId: string): Promise<StepRecord[]>;
  getStep(taskId: string, name: string): Promise<StepRecord | null>;

  listTransitions(taskId: string, query?: TransitionQuery): Promise<TransitionRecord[]>;
  /** The seq of the task's last transition, 0 when it has none (or does not exist); reads one row, not the log. */
  lastTransitionSeq(taskId: string): Promise<number>;
  listAttempts(taskId: string, stepName?: string): Promise<AttemptRecord[]>;
  /** The highest attempt `number` of the task's step, 0 when it has none; reads no attempt bodies. */
  maxAttemptNumber(taskId: string, stepName: string): Promise<number>;
  /**
   * Bulk reads for analytics (insights): the steps / attempts of many tasks in one call, in
   * insertion order across all of them. Ids that name no task are ignored; an empty list reads
   * nothing. Callers page through tasks with `listTasks` and pass each page's ids.
   */
  getStepsOfTasks(taskIds: readonly string[]): Promise<StepRecord[]>;
  listAttemptsOfTasks(taskIds: readonly string[]): Promise<AttemptRecord[]>;

  /** Events with seq > afterSeq, oldest first (up to the watermark: see "Event visibility" above). */
  readEvents(afterSeq: number, limit?: number, filter?: { taskId?: string }): Promise<StepwiseEvent[]>;
  /** The watermark: every event numbered at or below it that will ever be readable is readable now. */
  lastEventSeq(): Promise<number>;

  /**
   * Ids of tasks that have a step in `ready` state, oldest first (what the engine should run):
   * ordered by the earliest `updatedAt` among their ready steps, then id.
   */
  tasksWithReadySteps(limit?: number): Promise<string[]>;
  /**
   * Reservations keep engines sharing a database off each other's tasks; correctness still rests
   * on versions and leases (a reservation is a hint that saves lost races, never a lock).
   * First renews `owner`'s reservation of each `renew` task (tasks it is running steps of) — or
   * takes it, when nobody else holds it —, then reserves for `owner` up to `limit` tasks that have
   * a ready step, are not paused (`debug.paused`) and are held by nobody else (no reservation, an
   * expired one, or `owner`'s own), in `tasksWithReadySteps` order, and returns those. Every
   * reservation taken or renewed lasts `ttlMs`. Memory and SQLite compare with `now`; PostgreSQL
   * uses the database's clock (ignores `now`) and skips tasks another transaction has locked
   * (`FOR UPDATE SKIP LOCKED`), so concurrent callers get disjoint tasks without waiting.
   * A finished task is never renewed or taken (its reservation ended with it, see `commit`).
   */
  reserveTasks(owner: string, options: ReserveOptions): Promise<string[]>;
  /** Drops `owner`'s reservations of `taskIds` (all of them when absent). Others' are untouched. */
  releaseTasks(owner: string, taskIds?: readonly string[]): Promise<void>;
  /** Steps due now: `waiting_for_retry` with retryAt <= now, `waiting` with wakeAt <= now. */
  dueSteps(now: number, limit?: number): Promise<StepRecord[]>;
  /** Running steps whose lease expired (`leaseExpiresAt <= now`: their process died). */
  expiredLeases(now: number, limit?: number): Promise<StepRecord[]>;
  /** Unfinished tasks (flows running an action) whose own lease expired, by lease time then id. */
  expiredTaskLeases(now: number, limit?: number): Promise<TaskRecord[]>;
  /**
   * Tasks due now: `waiting` tasks (flows) with wakeAt <= now, and unfinished tasks with
   * timeoutAt <= now; ordered by the earlier of the two, then id.
   */
  dueTasks(now: number, limit?: number): Promise<TaskRecord[]>;
  /** Finished tasks (complete/error/cancelled, completed/failed) with deleteAt <= now. */
  expiredTasks(now: number, limit?: number): Promise<string[]>;
  /** Running steps (across all tasks) holding this concurrency key. */
  countRunningWithConcurrencyKey(key: string): Promise<number>;

  /** Liveness of engines serving this database (workbench host, runner). */
  beat(heartbeat: Heartbeat): Promise<void>;
  /** Every heartbeat, by owner. */
  heartbeats(): Promise<Heartbeat[]>;
  removeHeartbeat(owner: string): Promise<void>;
  /** Removes heartbeats last written before `before` (engines gone long ago); returns how many. */
  pruneHeartbeats(before: number): Promise<number>;
  /**
   * What engines hold, each list by owner then task (then step), at most `limit` rows each:
   * running steps with a lease owner, flows running an action under a lease, and reservations
   * not expired at `now` (PostgreSQL: on the database's clock, as reserveTasks). Expired step and
   * flow leases are listed (an engine that died still "holds" them until another takes them over).
   */
  listHolds(now: number, limit?: number, filter?: HoldsFilter): Promise<Holds>;

  close(): Promise<void>;
}

export type { JsonObject, ConcurrencyGuard };
