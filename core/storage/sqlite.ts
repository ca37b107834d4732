/**
 * Storage on one SQLite file through better-sqlite3 (synchronous; wrapped in Promises to honour
 * the async contract). WAL with synchronous=NORMAL: a commit is durable against a process crash,
 * and readers never block the writer. Every statement is prepared once and cached.
 *
 * `commit` runs inside BEGIN IMMEDIATE: the version checks read under the write lock, so two
 * processes sharing the file (runner + CLI) cannot both pass a check for the same version, nor
 * both start the last free slot of a concurrency key (ChangeSet.concurrencyGuards).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Clock } from '../model/clock.js';
import { systemClock } from '../model/clock.js';
import { StepwiseError } from '../model/errors.js';
import type { StepwiseEvent } from '../model/events.js';
import type { AttemptRecord, JsonObject, StepRecord, TaskRecord, TransitionRecord, UnreadableRow } from '../model/runtime.js';
import { checkCommit, checkIdentities, checkReferences, newCheckState, stepVersionMatched, taskVersionMatched, validateChange, type CommitLookup, type CommitPlan } from './check.js';
import { duplicateRecord, staleRecord } from './errors.js';
import { DEFAULT_EVENT_PAGE, DEFAULT_HOLDS_LIMIT, DEFAULT_SCAN_LIMIT, DEFAULT_TASK_PAGE, decodeTaskCursor, encodeTaskCursor, limitOf, statusesOf, tasksFinishedBy } from './query.js';
import type { ChangeSet, CommitResult, Heartbeat, HeldFlow, HeldReservation, HeldStep, Holds, HoldsFilter, ReserveOptions, Storage, SyncStorage, TaskPage, TaskQuery, TransitionQuery } from './storage.js';
import { ATTEMPTS, STEPS, TASKS, checkedUpdateSql, decodeRow, encode, encodeRecord, patchColumns, updateSql, type Table } from './sqlite/codec.js';
import { sequencedEvent } from './sequenced.js';
import { inspectSchema, NotStepwiseDatabaseError, SchemaTooOldError } from './sqlite/identity.js';
import { READABLE_ONLY, UnreadableTasks } from './sqlite/unreadable.js';
import { readableRows, unreadableRowError } from './rowCodec.js';
import { LATEST_SCHEMA_VERSION, migrate } from './sqlite/migrations.js';
import { SQL, taskFilter, transitionsQuery } from './sqlite/queries.js';

export interface SqliteStorageOptions {
  /** Path of the database file, or ':memory:'. The parent folder must exist (openStorage creates it). */
  file: string;
  /** Only used to stamp applied migrations. */
  clock?: Clock;
  /** How long a writer waits for another process's write lock before failing. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * Open for reading only: the file must exist and be a Stepwise database at the current schema;
   * nothing is written to it (no WAL switch, no migration, no `optimize` on close), and commits
   * and heartbeats are refused.
   */
  readOnly?: boolean;
}

type Row = unknown[];

/** Pages of WAL (4 KiB each) after which a commit checkpoints; SQLite's default is 1000. */
export const WAL_AUTOCHECKPOINT_PAGES = 8000;
/** A passive checkpoint runs after this long without a commit from this connection. */
const IDLE_CHECKPOINT_MS = 500;

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  readonly file: string;
  readonly readOnly: boolean;
  /** Migration versions applied by this open (empty when the schema was already current). */
  readonly appliedMigrations: number[];
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();
  /** Tasks with a row that does not decode (./sqlite/unreadable.ts). */
  private readonly marks: UnreadableTasks;
  private readonly lookup: CommitLookup;
  /** `lookup` with the stored steps left to the constraints (see `writeFolded`). */
  private readonly foldedLookup: CommitLookup;
  private readonly transaction: (changes: ChangeSet) => CommitResult;
  /** Commits so far, and the count when the idle timer was armed (see `idleCheckpoint`). */
  private commits = 0;
  private commitsAtArm = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(options: SqliteStorageOptions) {
    this.file = options.file;
    this.readOnly = options.readOnly === true;
    this.db = openFile(options.file, this.readOnly);
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    this.marks = new UnreadableTasks(this.db, (sql) => this.stmt(sql), this.readOnly, busyTimeoutMs);
    try {
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      // Before anything writes (the WAL switch below changes the file's header): refuse a file
      // that is not Stepwise's, or is from a newer Stepwise.
      const found = inspectSchema(this.db, options.file, LATEST_SCHEMA_VERSION);
      if (this.readOnly) {
        if (found.kind === 'empty') throw new NotStepwiseDatabaseError(options.file, 'it has no tables yet');
        if (found.version < LATEST_SCHEMA_VERSION) throw new SchemaTooOldError(options.file, found.version, LATEST_SCHEMA_VERSION);
        this.appliedMigrations = [];
      } else {
        this.appliedMigrations = this.prepareForWriting(options);
      }
    } catch (err) {
      this.db.close();
      throw wrap(err);
    }
    const one = (sql: string) => this.stmt(sql).pluck();
    this.lookup = {
      taskVersion: (id) => (one(SQL.taskVersion).get(id) as number | undefined) ?? null,
      taskIdByIdempotencyKey: (key) => (one(SQL.taskIdByKey).get(key) as string | undefined) ?? null,
      step: (id) => {
        const row = this.stmt(SQL.stepVersion).raw().get(id) as [string, number] | undefined;
        return row ? { taskId: row[0], version: row[1] } : null;
      },
      stepExistsByName: (taskId, name) => one(SQL.stepExistsByName).get(taskId, name) !== undefined,
      attemptExists: (id) => one(SQL.attemptExists).get(id) !== undefined,
      runningWithKey: (key) => one(SQL.countConcurrency).get(key) as number,
      stepRun: (id) => {
        const row = this.stmt(SQL.stepRunState).raw().get(id) as [string, string | null] | undefined;
        return row ? { state: row[0], concurrencyKey: row[1] } : null;
      },
    };
    // Inserted steps' ids and names are not looked up one by one: their PRIMARY KEY and UNIQUE
    // (task_id, name) indexes refuse a taken one as they are written (writeFolded).
    this.foldedLookup = { ...this.lookup, step: () => null, stepExistsByName: () => false };
    // Every check read first, then the writes: commits with concurrency guards (which count
    // running steps as they were before the commit), and a commit retried after its step inserts
    // hit a constraint, so that it refuses with checkCommit's error for the first taken identity.
    const checked = this.db.transaction((changes: ChangeSet) => {
      this.marks.checkCommit(changes);
      return this.write(changes, checkCommit(changes, this.lookup));
    });
    const folded = this.db.transaction((changes: ChangeSet) => {
      if ((changes.concurrencyGuards?.length ?? 0) > 0) {
        this.marks.checkCommit(changes);
        return this.write(changes, checkCommit(changes, this.lookup));
      }
      // Stored marks are checked by the task UPDATEs themselves (READABLE_ONLY): no read per task.
      this.marks.checkKnown(changes);
      return this.writeFolded(changes);
    });
    this.transaction = (changes) => {
      try {
        return folded.immediate(changes);
      } catch (err) {
        if (err === STEP_IDENTITY_TAKEN) return checked.immediate(changes);
        throw err;
      }
    };
  }

  /** WAL and the connection settings for writing, then the schema brought up to date. */
  private prepareForWriting(options: SqliteStorageOptions): number[] {
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Checkpoints (copying the WAL back into the file, with two fsyncs) ran inside a commit
    // every 1000 pages, about every 16 flows: a quarter of a SQLite flow's time. A larger
    // threshold lets the hot pages (task indexes, the seq counters) be copied back once for
    // many commits, and `idleCheckpoint` does the copying when nobody is committing. Durability
    // is unchanged: with WAL + synchronous=NORMAL a committed transaction survives a process
    // crash whether or not it has been checkpointed.
    this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    this.db.pragma('foreign_keys = ON');
    return migrate(this.db, options.file, (options.clock ?? systemClock).now());
  }

  /** Prepared once per distinct SQL text. Callers set pluck/raw modes; each SQL text uses one mode. */
  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  private rows(sql: string, ...params: unknown[]): Row[] {
    return this.stmt(sql).raw().all(...params) as Row[];
  }

  private run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  private update<T>(table: Table<T>, id: string, keys: readonly string[], set: object, version: number | null): Database.RunResult | null {
    if (keys.length === 0 && version === null) return null;
    return this.run(updateSql(table, keys, version !== null), ...this.patchValues(table, keys, set, version, id));
  }

  private patchValues<T>(table: Table<T>, keys: readonly string[], set: object, version: number | null, id: string): unknown[] {
    const columns = patchColumns(table, keys);
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) values[i] = encode(columns[i]!, (set as Record<string, unknown>)[keys[i]!]);
    if (version !== null) values.push(version);
    values.push(id);
    return values;
  }

  /**
   * Appends `count` rows to an append-only table with multi-row INSERTs (one statement per
   * MULTI_ROW_CHUNK rows instead of one per row), numbered `after + 1`, `after + 2`, … (each row's
   * seq is its first value), and returns their seqs in order.
   */
  private insertRows(target: RowInsert, count: number, after: number, values: (i: number, out: unknown[]) => void): number[] {
    const seqs = new Array<number>(count);
    for (let from = 0; from < count; from += MULTI_ROW_CHUNK) {
      const n = Math.min(MULTI_ROW_CHUNK, count - from);
      const params: unknown[] = [];
      for (let i = from; i < from + n; i++) {
        seqs[i] = after + i + 1;
        params.push(seqs[i]);
        values(i, params);
      }
      this.run(multiRowSql(target, n), ...params);
    }
    return seqs;
  }

  private setParticipants(taskId: string, participants: readonly string[], replace: boolean): void {
    if (replace) this.run(SQL.deleteParticipants, taskId);
    for (const p of participants) this.run(SQL.insertParticipant, p, taskId);
  }

  private write(c: ChangeSet, plan: CommitPlan): CommitResult {
    for (const t of c.insertTasks ?? []) {
      this.run(TASKS.insert, ...encodeRecord(TASKS, t));
      this.setParticipants(t.id, t.participants ?? [], false);
    }
    (c.updateTasks ?? []).forEach((p, i) => {
      const keys = plan.taskKeys[i]!;
      this.update(TASKS, p.id, keys, p.set, p.expectedVersion + 1);
      if (keys.includes('participants')) this.setParticipants(p.id, p.set.participants ?? [], true);
    });
    for (const s of c.insertSteps ?? []) this.run(STEPS.insert, ...encodeRecord(STEPS, s));
    (c.updateSteps ?? []).forEach((p, i) => this.update(STEPS, p.id, plan.stepKeys[i]!, p.set, p.expectedVersion + 1));
    for (const id of plan.bumpTasks) this.run(SQL.bumpTask, id);
    for (const a of c.insertAttempts ?? []) this.run(ATTEMPTS.insert, ...encodeRecord(ATTEMPTS, a));
    (c.updateAttempts ?? []).forEach((p, i) => this.update(ATTEMPTS, p.id, plan.attemptKeys[i]!, p.set, null));
    return this.appendLog(c);
  }

  /**
   * A commit without concurrency guards, with checks folded into the writes: a patched task or
   * step is one `UPDATE ... WHERE id = ? AND version = ?` (no row changed: STALE, the actual
   * version read only then) instead of a SELECT and an UPDATE; a patched attempt's UPDATE is its
   * existence check; an inserted attempt's id is checked by the PRIMARY KEY. The checks run in
   * checkCommit's order and refuse with the same errors (check.ts); a refusal throws inside the
   * transaction, which rolls back what was written before it. Versions and the audit rows are
   * written exactly as by `write`.
   */
  private writeFolded(c: ChangeSet): CommitResult {
    const { taskKeys, stepKeys, attemptKeys } = validateChange(c);
    const state = newCheckState(c);
    const updateTasks = c.updateTasks ?? [];
    for (let i = 0; i < updateTasks.length; i++) {
      const p = updateTasks[i]!;
      const keys = taskKeys[i]!;
      const values = this.patchValues(TASKS, keys, p.set, p.expectedVersion + 1, p.id);
      values.push(p.expectedVersion);
      if (this.run(checkedUpdateSql(TASKS, keys, null, READABLE_ONLY), ...values).changes !== 1) {
        // A marked task refuses before a stale one, whichever of the commit's tasks it is.
        this.marks.checkCommit(c);
        throw staleRecord('task', p.id, p.expectedVersion, this.lookup.taskVersion(p.id));
      }
      taskVersionMatched(state, p.id);
      if (keys.includes('participants')) this.setParticipants(p.id, p.set.participants ?? [], true);
    }
    const updateSteps = c.updateSteps ?? [];
    // The checks need each patched step's task (to bump it once, unless patched). RETURNING
    // task_id would say, but SQLite collects RETURNING rows in an ephemeral table opened and freed
    // per statement: ~4 µs of a ~60 µs fan-out step's SQL, twice per step. So each UPDATE first
    // names the task it expects — the commit's first patched task, then the task of the step
    // before — and only a step of another task (or a stale one) takes a second UPDATE ... RETURNING.
    let expectedTask: string | null = updateTasks[0]?.id ?? null;
    for (let i = 0; i < updateSteps.length; i++) {
      const p = updateSteps[i]!;
      const keys = stepKeys[i]!;
      const values = this.patchValues(STEPS, keys, p.set, p.expectedVersion + 1, p.id);
      values.push(p.expectedVersion);
      let taskId: string | undefined;
      if (expectedTask !== null && this.run(checkedUpdateSql(STEPS, keys, null, 'task_id = ?'), ...values, expectedTask).changes === 1) taskId = expectedTask;
      else taskId = this.stmt(checkedUpdateSql(STEPS, keys, 'task_id')).pluck().get(...values) as string | undefined;
      if (taskId === undefined) throw staleRecord('step', p.id, p.expectedVersion, this.lookup.step(p.id)?.version ?? null);
      expectedTask = taskId;
      stepVersionMatched(state, taskId);
    }
    const updateAttempts = c.updateAttempts ?? [];
    checkReferences(c, this.lookup, state, (id, i) => {
      const r = this.update(ATTEMPTS, id, attemptKeys[i]!, updateAttempts[i]!.set, null);
      return r === null ? this.lookup.attemptExists(id) : r.changes === 1;
    });
    // Steps inserted in this commit are still checked against each other here; against stored
    // ones by the indexes as the rows go in (insertSteps).
    checkIdentities(c, this.foldedLookup, state, false);

    for (const t of c.insertTasks ?? []) {
      this.run(TASKS.insert, ...encodeRecord(TASKS, t));
      this.setParticipants(t.id, t.participants ?? [], false);
    }
    this.insertSteps(c.insertSteps ?? []);
    for (const id of state.bump) this.run(SQL.bumpTask, id);
    const insertAttempts = c.insertAttempts ?? [];
    for (const a of insertAttempts) {
      try {
        this.run(ATTEMPTS.insert, ...encodeRecord(ATTEMPTS, a));
      } catch (err) {
        if (err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw duplicateRecord('attempt', a.id);
        throw err;
      }
    }
    if (insertAttempts.length > 0) {
      updateAttempts.forEach((p, i) => {
        if (state.insertedAttempts.has(p.id)) this.update(ATTEMPTS, p.id, attemptKeys[i]!, p.set, null);
      });
    }
    return this.appendLog(c);
  }

  /**
   * New steps, MULTI_ROW_CHUNK rows per INSERT. Their ids and (task, name) were not looked up
   * (a SELECT per step: a 5,000-step task's creation ran 5,000): a taken one fails the PRIMARY KEY
   * or the UNIQUE steps_task_name index, and the commit is rolled back and retried with every
   * check read first (`checked` in the constructor), which refuses it with the same DUPLICATE
   * error, for the same step, as before.
   */
  private insertSteps(steps: readonly StepRecord[]): void {
    const width = STEPS.columns.length;
    for (let from = 0; from < steps.length; from += MULTI_ROW_CHUNK) {
      const n = Math.min(MULTI_ROW_CHUNK, steps.length - from);
      const params = new Array<unknown>(n * width);
      for (let i = 0; i < n; i++) {
        const values = encodeRecord(STEPS, steps[from + i]!);
        for (let k = 0; k < width; k++) params[i * width + k] = values[k];
      }
      try {
        this.run(multiRowSql(STEP_INSERT, n), ...params);
      } catch (err) {
        if (err instanceof Database.SqliteError && (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE')) throw STEP_IDENTITY_TAKEN;
        throw err;
      }
    }
  }

  /**
   * The append-only rows of a commit (transitions, events) and its deletions (reservations of
   * tasks it finished, tasks). Seqs are handed out here, after the highest ever used (migration
   * 10: the last row's seq, or the floor a deletion kept in seq_floors): never reused, without
   * AUTOINCREMENT's sqlite_sequence page in every commit.
   */
  private appendLog(c: ChangeSet): CommitResult {
    const transitions = c.transitions ?? [];
    const newEvents = c.events ?? [];
    const last: [number, number] = transitions.length + newEvents.length > 0 ? (this.stmt(SQL.lastSeqs).raw().get() as [number, number]) : [0, 0];
    const transitionSeqs = this.insertRows(TRANSITION_INSERT, transitions.length, last[0], (t, out) => {
      const r = transitions[t]!;
      out.push(r.taskId, r.stepName, r.field, r.from, r.to, r.reason, r.actor, r.at, isEmpty(r.details) ? null : JSON.stringify(r.details));
    });
    const eventSeqs = this.insertRows(EVENT_INSERT, newEvents.length, last[1], (i, out) => {
      const e = newEvents[i]!;
      out.push(e.type, e.taskId, e.stepName, e.at, JSON.stringify(e.payload));
    });
    const events = newEvents.map((e, i) => sequencedEvent(e, eventSeqs[i]!, e.payload));
    for (const id of tasksFinishedBy(c)) this.run(SQL.releaseFinished, id);
    const deleteTasks = c.deleteTasks ?? [];
    if (deleteTasks.length > 0) {
      // The deleted tasks' transitions may hold the highest seq: keep it as the floor first.
      this.run(SQL.keepTransitionFloor);
      for (const id of deleteTasks) this.run(SQL.deleteTask, id);
    }
    return { transitionSeqs, events };
  }

  async commit(changes: ChangeSet): Promise<CommitResult> {
    return this.commitNow(changes);
  }

  private commitNow(changes: ChangeSet): CommitResult {
    this.assertWritable('commit changes');
    const result = this.guard(() => this.transaction(changes));
    this.commits++;
    if (this.idleTimer === null) this.armIdleCheckpoint();
    return result;
  }

  /**
   * Storage.sync while nothing intercepts this instance's methods (a subclass, a wrapper assigned
   * to it). better-sqlite3 is synchronous: the asynchronous methods run the same statements
   * within the call and only wrap the answer in a promise, so answering at once blocks no longer
   * and saves a flow's pure steps a promise (and its async-context hooks) per call. A commit's
   * values are encoded into the statements, so what it is given is never kept.
   */
  get sync(): SyncStorage | null {
    const own = SqliteStorage.prototype;
    if (this.commit !== own.commit || this.getTask !== own.getTask || this.maxAttemptNumber !== own.maxAttemptNumber || this.lastEventSeq !== own.lastEventSeq) return null;
    return this.syncCalls;
  }

  private readonly syncCalls: SyncStorage = {
    commit: (changes) => this.commitNow(changes),
    getTask: (id) => this.guard(() => this.readTask(id)),
    maxAttemptNumber: (taskId, stepName) => this.guard(() => this.stmt(SQL.maxAttemptNumber).pluck().get(taskId, stepName) as number),
    lastEventSeq: () => this.guard(() => this.stmt(SQL.lastEventSeq).pluck().get() as number),
  };

  private armIdleCheckpoint(): void {
    this.commitsAtArm = this.commits;
    this.idleTimer = setTimeout(() => this.idleCheckpoint(), IDLE_CHECKPOINT_MS);
    this.idleTimer.unref();
  }

  /**
   * Copies the WAL back into the database once commits have paused, so the next burst does not
   * pay for it. PASSIVE never waits for readers or another process's writer; whatever it cannot
   * copy now is left for the next one. Still committing: check again later.
   */
  private idleCheckpoint(): void {
    this.idleTimer = null;
    if (!this.db.open) return;
    if (this.commits !== this.commitsAtArm) return this.armIdleCheckpoint();
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Only an optimisation: a busy or failing checkpoint is retried by SQLite's own.
    }
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    return this.guard(() => this.readTask(id));
  }

  async findTaskByIdempotencyKey(key: string): Promise<TaskRecord | null> {
    return this.guard(() => {
      const id = this.lookup.taskIdByIdempotencyKey(key);
      return id === null ? null : this.readTask(id);
    });
  }

  /** One task to act on: ROW_UNREADABLE if any of its rows does not decode (it is then marked). */
  private readTask(id: string): TaskRecord | null {
    const row = this.rows(SQL.taskWithMark, id)[0];
    if (!row) return null;
    const task = decodeRow(TASKS, row, this.marks.refuse);
    const mark = this.marks.parseStored(row[TASKS.columns.length] as string | null, id) ?? (this.marks.isKnown(id) ? this.marks.markOf(id) : null);
    if (!mark) return task;
    // Marked earlier: usable again once every row decodes (repaired by hand); a read-only open only looks.
    if (!this.readOnly && this.decodesAgain(id)) {
      this.marks.clear(id);
      return task;
    }
    throw unreadableRowError(mark);
  }

  private decodesAgain(taskId: string): boolean {
    try {
      for (const r of this.rows(SQL.stepsOfTask, taskId)) decodeRow(STEPS, r);
      for (const r of this.rows(SQL.attemptsOfTask, taskId)) decodeRow(ATTEMPTS, r);
      for (const r of this.rows(transitionsQuery(taskId, {}, -1).sql, taskId, -1)) this.transition(taskId, r);
      return true;
    } catch {
      return false;
    }
  }

  /** A transition row of a task being read: details that do not decode make the task unreadable. */
  private transition(taskId: string, r: Row): TransitionRecord {
    if (r[8] === null) return decodeTransition(taskId, r, {});
    const details = this.marks.json(r[8] as string, { table: 'transitions', rowId: String(r[0]), column: 'details', taskId }, 'object');
    if (!details.ok) return this.marks.refuse(details.bad);
    return decodeTransition(taskId, r, details.value as JsonObject);
  }

  /** Rows of many tasks (scans, bulk reads): an unreadable row is left out and its task marked. */
  private readable<T>(t: Table<T>, rows: Row[]): T[] {
    return readableRows(rows, t.taskIdIndex, (r, onUnreadable) => decodeRow(t, r, onUnreadable), this.marks);
  }

  async listTasks(query: TaskQuery = {}): Promise<TaskPage> {
    return this.guard(() => {
      const limit = limitOf(query.limit, DEFAULT_TASK_PAGE);
      const filter = taskFilter(query, statusesOf(query));
      const total = this.stmt(`SELECT COUNT(*) FROM tasks WHERE ${filter.sql}`).pluck().get(...filter.params) as number;
      const cursor = query.cursor === undefined ? null : decodeTaskCursor(query.cursor);
      const keyset = cursor ? ' AND (created_at, id) < (?, ?)' : '';
      const params = cursor ? [...filter.params, cursor.createdAt, cursor.id] : filter.params;
      const sql = `SELECT ${TASKS.select}, unreadable FROM tasks WHERE ${filter.sql}${keyset} ORDER BY created_at DESC, id DESC LIMIT ?`;
      // Listed whatever their state: an unreadable task shows with `unreadable` set.
      const tasks = this.rows(sql, ...params, limit + 1).map((r) => {
        let bad: UnreadableRow | undefined;
        const task = decodeRow(TASKS, r, (b) => {
          this.marks.mark(b);
          bad ??= b;
        });
        const mark = bad ?? this.marks.parseStored(r[TASKS.columns.length] as string | null, task.id) ?? (this.marks.isKnown(task.id) ? this.marks.markOf(task.id) : undefined);
        if (mark) task.unreadable = mark;
        return task;
      });
      const more = tasks.length > limit;
      if (more) tasks.pop();
      const last = tasks[tasks.length - 1];
      return { tasks, nextCursor: more && last ? encodeTaskCursor(last) : null, total };
    });
  }

  async getSteps(taskId: string): Promise<StepRecord[]> {
    return this.guard(() => this.rows(SQL.stepsOfTask, taskId).map((r) => decodeRow(STEPS, r, this.marks.refuse)));
  }

  async getStep(taskId: string, name: string): Promise<StepRecord | null> {
    return this.guard(() => this.rows(SQL.stepByName, taskId, name).map((r) => decodeRow(STEPS, r, this.marks.refuse))[0] ?? null);
  }

  async listTransitions(taskId: string, query: TransitionQuery = {}): Promise<TransitionRecord[]> {
    return this.guard(() => {
      const q = transitionsQuery(taskId, query, limitOf(query.limit, -1));
      return this.rows(q.sql, ...q.params).map((r) => this.transition(taskId, r));
    });
  }

  async lastTransitionSeq(taskId: string): Promise<number> {
    return this.guard(() => this.stmt(SQL.lastTransitionSeq).pluck().get(taskId) as number);
  }

  async listAttempts(taskId: string, stepName?: string): Promise<AttemptRecord[]> {
    return this.guard(() => {
      const where = stepName === undefined ? 'task_id = ?' : 'task_id = ? AND step_name = ?';
      const params = stepName === undefined ? [taskId] : [taskId, stepName];
      return this.rows(`SELECT ${ATTEMPTS.select} FROM attempts WHERE ${where} ORDER BY rowid`, ...params).map((r) => decodeRow(ATTEMPTS, r, this.marks.refuse));
    });
  }

  async maxAttemptNumber(taskId: string, stepName: string): Promise<number> {
    return this.syncCalls.maxAttemptNumber(taskId, stepName);
  }

  async getStepsOfTasks(taskIds: readonly string[]): Promise<StepRecord[]> {
    if (taskIds.length === 0) return [];
    return this.guard(() => this.readable(STEPS, this.rows(SQL.stepsOfTasks, JSON.stringify(taskIds))));
  }

  async listAttemptsOfTasks(taskIds: readonly string[]): Promise<AttemptRecord[]> {
    if (taskIds.length === 0) return [];
    return this.guard(() => this.readable(ATTEMPTS, this.rows(SQL.attemptsOfTasks, JSON.stringify(taskIds))));
  }

  async readEvents(afterSeq: number, limit?: number, filter: { taskId?: string } = {}): Promise<StepwiseEvent[]> {
    return this.guard(() => {
      const max = limitOf(limit, DEFAULT_EVENT_PAGE);
      const rows = filter.taskId === undefined ? this.rows(SQL.events, afterSeq, max) : this.rows(SQL.eventsOfTask, filter.taskId, afterSeq, max);
      // An event whose payload does not decode is left out (its task is marked): followers go on.
      const events: StepwiseEvent[] = [];
      for (const r of rows) {
        const payload = this.marks.json(r[5] as string, { table: 'events', rowId: String(r[0]), column: 'payload', taskId: r[2] as string }, 'any');
        if (payload.ok) events.push(decodeEvent(r, payload.value));
        else this.marks.mark(payload.bad);
      }
      return events;
    });
  }

  async lastEventSeq(): Promise<number> {
    return this.syncCalls.lastEventSeq();
  }

  async tasksWithReadySteps(limit?: number): Promise<string[]> {
    return this.guard(() => {
      const ids = this.stmt(SQL.tasksWithReady).pluck().all(limitOf(limit, DEFAULT_SCAN_LIMIT)) as string[];
      return this.marks.any ? ids.filter((id) => !this.marks.isKnown(id)) : ids;
    });
  }

  async dueSteps(now: number, limit?: number): Promise<StepRecord[]> {
    return this.guard(() => this.readable(STEPS, this.rows(SQL.dueSteps, { now, limit: limitOf(limit, DEFAULT_SCAN_LIMIT) })));
  }

  async expiredLeases(now: number, limit?: number): Promise<StepRecord[]> {
    return this.guard(() => this.readable(STEPS, this.rows(SQL.expiredLeases, now, limitOf(limit, DEFAULT_SCAN_LIMIT))));
  }

  async expiredTaskLeases(now: number, limit?: number): Promise<TaskRecord[]> {
    return this.guard(() => this.readable(TASKS, this.rows(SQL.expiredTaskLeases, now, limitOf(limit, DEFAULT_SCAN_LIMIT))));
  }

  async dueTasks(now: number, limit?: number): Promise<TaskRecord[]> {
    return this.guard(() => this.readable(TASKS, this.rows(SQL.dueTasks, { now, limit: limitOf(limit, DEFAULT_SCAN_LIMIT) })));
  }

  async expiredTasks(now: number, limit?: number): Promise<string[]> {
    return this.guard(() => this.stmt(SQL.expiredTasks).pluck().all(now, limitOf(limit, DEFAULT_SCAN_LIMIT)) as string[]);
  }

  async countRunningWithConcurrencyKey(key: string): Promise<number> {
    return this.guard(() => this.lookup.runningWithKey(key));
  }

  async beat(h: Heartbeat): Promise<void> {
    this.assertWritable('write a heartbeat');
    const { owner, pid, at, kind, host, startedAt, version, everyMs } = h;
    return this.guard(() => void this.run(SQL.beat, { owner, pid, at, kind, host, startedAt, version, everyMs }));
  }

  async heartbeats(): Promise<Heartbeat[]> {
    return this.guard(() => this.stmt(SQL.heartbeats).all() as Heartbeat[]);
  }

  async removeHeartbeat(owner: string): Promise<void> {
    this.assertWritable('remove a heartbeat');
    return this.guard(() => void this.run(SQL.removeHeartbeat, owner));
  }

  async pruneHeartbeats(before: number): Promise<number> {
    this.assertWritable('prune heartbeats');
    return this.guard(() => this.stmt(SQL.pruneHeartbeats).run(before).changes);
  }

  async listHolds(now: number, limit?: number, filter: HoldsFilter = {}): Promise<Holds> {
    const p = { limit: limitOf(limit, DEFAULT_HOLDS_LIMIT), owner: filter.owner ?? null, task: filter.taskId?.toLowerCase() ?? null };
    return this.guard(() => ({
      steps: this.stmt(SQL.heldSteps).all(p) as HeldStep[],
      flows: this.stmt(SQL.heldFlows).all(p) as HeldFlow[],
      reservations: this.stmt(SQL.heldReservations).all({ ...p, now }) as HeldReservation[],
    }));
  }

  async reserveTasks(owner: string, options: ReserveOptions): Promise<string[]> {
    this.assertWritable('reserve tasks');
    const { now, ttlMs } = options;
    const limit = limitOf(options.limit, DEFAULT_SCAN_LIMIT);
    // One IMMEDIATE transaction: engines in other processes reserve after it, never between.
    const reserve = this.db.transaction(() => {
      const expires = now + ttlMs;
      for (const id of options.renew ?? []) this.run(SQL.reserve, { id, owner, expires, now });
      const ids = this.stmt(SQL.reservable).pluck().all({ owner, now, limit }) as string[];
      for (const id of ids) this.run(SQL.reserve, { id, owner, expires, now });
      for (const id of options.take ?? []) {
        // No row changed: the task is gone, or another owner holds it.
        if (!ids.includes(id) && this.run(SQL.reserve, { id, owner, expires, now }).changes > 0) ids.push(id);
      }
      return ids;
    });
    return this.guard(() => reserve.immediate());
  }

  async releaseTasks(owner: string, taskIds?: readonly string[]): Promise<void> {
    this.assertWritable('release tasks');
    const release = this.db.transaction(() => {
      if (taskIds === undefined) this.run(SQL.releaseAll, owner);
      else for (const id of taskIds) this.run(SQL.release, owner, id);
    });
    return this.guard(() => release());
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    // Lets SQLite refresh planner statistics for the indexes the queries used (cheap, advised on
    // close). It may write them, so a read-only open leaves the file alone.
    if (!this.readOnly) this.db.pragma('optimize');
    this.db.close();
  }

  private assertWritable(what: string): void {
    if (this.readOnly) throw new StepwiseError('USAGE', `The database '${this.file}' was opened read-only; it cannot ${what}. Nothing was written.`);
  }

  /** Runs a synchronous body; driver errors become STORAGE_ERROR, StepwiseErrors pass through. */
  private guard<T>(body: () => T): T {
    if (!this.db.open) throw new StepwiseError('STORAGE_ERROR', `The database '${this.file}' is closed; open it again.`);
    try {
      return body();
    } catch (err) {
      throw wrap(err);
    }
  }
}

/** The file, opened without writing to it: read-only opens require it to exist. */
function openFile(file: string, readOnly: boolean): Database.Database {
  try {
    return readOnly ? new Database(file, { readonly: true, fileMustExist: true }) : new Database(file);
  } catch (err) {
    if (readOnly && !existsSync(file)) throw new StepwiseError('NOT_FOUND', `There is no database at ${file}. Nothing was created. Pass --db FILE, or run a task first (stepwise run).`, { file });
    throw wrap(err);
  }
}

function wrap(err: unknown): unknown {
  if (err instanceof StepwiseError) return err;
  if (err instanceof Database.SqliteError) {
    const busy = err.code === 'SQLITE_BUSY' ? ' Another process holds the write lock; try again.' : '';
    return new StepwiseError('STORAGE_ERROR', `SQLite error ${err.code}: ${err.message}.${busy}`, { sqliteCode: err.code });
  }
  return err;
}

/** Rows per multi-row INSERT: 100 rows of 10 values stay far below SQLite's bound-parameter limit. */
const MULTI_ROW_CHUNK = 100;

interface RowInsert {
  head: string;
  /** `(?, ?, ...)` of one row. */
  row: string;
  /** SQL text by row count, built once each. */
  texts: Map<number, string>;
}

const rowInsert = (head: string, columns: number): RowInsert => ({ head, row: `(${Array.from({ length: columns }, () => '?').join(', ')})`, texts: new Map() });
const TRANSITION_INSERT = rowInsert('INSERT INTO transitions (seq, task_id, step_name, field, from_value, to_value, reason, actor, at, details) VALUES ', 10);
const STEP_INSERT = rowInsert(`INSERT INTO steps (${STEPS.select}) VALUES `, STEPS.columns.length);
/** Thrown inside a folded commit whose step inserts hit a taken id or name (see insertSteps). */
const STEP_IDENTITY_TAKEN = new Error('a step identity is taken; the commit is retried with every check read first');
const EVENT_INSERT = rowInsert('INSERT INTO events (seq, type, task_id, step_name, at, payload) VALUES ', 6);

function multiRowSql(target: RowInsert, n: number): string {
  let sql = target.texts.get(n);
  if (!sql) target.texts.set(n, (sql = target.head + Array.from({ length: n }, () => target.row).join(', ')));
  return sql;
}

function isEmpty(o: object | null | undefined): boolean {
  if (!o) return true;
  for (const _ in o) return false;
  return true;
}

/** Rows of `transitionsQuery` (without task_id: the caller knows it, and 10k strings less to build). */
function decodeTransition(taskId: string, r: Row, details: JsonObject): TransitionRecord {
  return {
    seq: r[0] as number,
    taskId,
    stepName: r[1] as string | null,
    field: r[2] as TransitionRecord['field'],
    from: r[3] as string | null,
    to: r[4] as string,
    reason: r[5] as string,
    actor: r[6] as TransitionRecord['actor'],
    at: r[7] as number,
    details,
  };
}

function decodeEvent(r: Row, payload: unknown): StepwiseEvent {
  return {
    seq: r[0] as number,
    type: r[1],
    taskId: r[2] as string,
    stepName: r[3] as string | null,
    at: r[4] as number,
    payload,
  } as StepwiseEvent;
}
