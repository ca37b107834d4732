/**
 * Storage on PostgreSQL through `pg`: what many runners on many machines share. Same contract as
 * memory and SQLite (the contract suite runs against all three). One pool per storage; commits
 * are ./commit.ts, reads ./queries.ts, the schema ./migrations.ts.
 *
 * Open with `PostgresStorage.open({ url })` (or `openStorage` with a postgres:// URL): it
 * connects and migrates before returning.
 */
import type pg from 'pg';
import type { Clock } from '../../model/clock.js';
import { systemClock } from '../../model/clock.js';
import { readableRows, unreadableRowError } from '../rowCodec.js';
import { StepwiseError } from '../../model/errors.js';
import type { StepwiseEvent } from '../../model/events.js';
import type { AttemptRecord, JsonObject, StepRecord, TaskRecord, TransitionRecord, UnreadableRow } from '../../model/runtime.js';
import { DEFAULT_EVENT_PAGE, DEFAULT_HOLDS_LIMIT, DEFAULT_SCAN_LIMIT, DEFAULT_TASK_PAGE, decodeTaskCursor, encodeTaskCursor, limitOf, statusesOf } from '../query.js';
import type { ChangeSet, CommitResult, Heartbeat, Holds, HoldsFilter, ReserveOptions, Storage, TaskPage, TaskQuery, TransitionQuery } from '../storage.js';
import { PG_ATTEMPTS, PG_STEPS, PG_TASKS, decodeRow, type PgTable } from './codec.js';
import { commitOn, type CommitStats } from './commit.js';
import { migratePostgres } from './migrations.js';
import { PgHints, type HintKind, type HintListener } from './notify.js';
import { LOCK } from './locks.js';
import { createPool, redactUrl, wrapPgError, type PostgresConnectionOptions } from './pool.js';
import { PG_SQL, pgTaskFilter, pgTransitionsQuery } from './queries.js';
import { PgUnreadableTasks } from './unreadable.js';
import { wrongShape } from '../rowCodec.js';

export interface PostgresStorageOptions extends PostgresConnectionOptions {
  /** Only used to stamp applied migrations. */
  clock?: Clock;
  /** A failed NOTIFY or a lost LISTEN connection (both covered by polling). Default: ignored. */
  onHintError?: (err: unknown) => void;
  /**
   * Commit the changes engines make all the time in one round trip (stepwise.commit_fast). Default
   * true; false sends every commit by the checked three-round-trip path (comparisons, profiles).
   */
  oneRoundTripCommit?: boolean;
}

type Row = unknown[];

/** Errors that refuse a commit on purpose (the connection is fine and goes back to the pool). */
function isRefusal(err: unknown): boolean {
  return err instanceof StepwiseError && ['STALE', 'DUPLICATE', 'USAGE', 'CONCURRENCY_LIMIT', 'ROW_UNREADABLE'].includes(err.code);
}

export class PostgresStorage implements Storage {
  readonly kind = 'postgres';
  readonly eventOrder = 'watermark';
  /** The URL without its password. */
  readonly where: string;
  /** Migration versions applied by this open (empty when the schema was already current). */
  appliedMigrations: number[] = [];
  private readonly pool: pg.Pool;
  private readonly hints: PgHints;
  /** Tasks with a row that does not decode (./unreadable.ts). */
  private readonly marks: PgUnreadableTasks;
  private closed = false;
  private readonly fastCommit: boolean;
  /** How commits went: one round trip, refused there (then checked), checked (tests, profiles). */
  readonly commitStats: CommitStats = { fast: 0, fastRefused: 0, checked: 0 };

  private constructor(options: PostgresStorageOptions) {
    this.where = redactUrl(options.url);
    this.fastCommit = options.oneRoundTripCommit !== false;
    this.pool = createPool(options);
    this.hints = new PgHints(options, this.pool, options.onHintError);
    this.marks = new PgUnreadableTasks(this.pool);
  }

  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const s = new PostgresStorage(options);
    try {
      const client = await s.pool.connect();
      try {
        s.appliedMigrations = await migratePostgres(client, s.where, (options.clock ?? systemClock).now());
      } finally {
        client.release();
      }
    } catch (err) {
      await s.pool.end().catch(() => undefined);
      throw wrapPgError(err, `opening ${s.where}`);
    }
    return s;
  }

  /** The pool, for the engine-side PostgreSQL pieces (reservations, housekeeping, notifications). */
  get connections(): pg.Pool {
    return this.pool;
  }

  private check(): void {
    if (this.closed) throw new StepwiseError('STORAGE_ERROR', `The database ${this.where} is closed; open it again.`);
  }

  private async rows(name: string, text: string, values: unknown[]): Promise<Row[]> {
    this.check();
    try {
      const r = await this.pool.query({ name, text, values, rowMode: 'array' });
      return r.rows as Row[];
    } catch (err) {
      throw wrapPgError(err, this.where);
    }
  }

  private async value<T>(name: string, text: string, values: unknown[]): Promise<T> {
    return (await this.rows(name, text, values))[0]![0] as T;
  }

  async commit(changes: ChangeSet): Promise<CommitResult> {
    this.check();
    this.marks.checkCommit(changes);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw wrapPgError(err, this.where);
    }
    try {
      const result = await commitOn(client, changes, this.commitStats, this.fastCommit);
      client.release();
      if (result.events.length > 0) this.hints.announce('events');
      if (makesWork(changes)) this.hints.announce('work');
      return result;
    } catch (err) {
      // Anything but a refusal may have left the connection in a state we cannot see (a lock of
      // the event seq section, a half-sent statement): drop it rather than reuse it.
      client.release(isRefusal(err) ? undefined : (err as Error));
      throw wrapPgError(err, this.where);
    }
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const rows = await this.rows('sw_task_m', PG_SQL.taskById, [id]);
    return rows[0] ? this.readTask(rows[0]) : null;
  }

  async findTaskByIdempotencyKey(key: string): Promise<TaskRecord | null> {
    const rows = await this.rows('sw_task_key_m', PG_SQL.taskByKey, [key]);
    return rows[0] ? this.readTask(rows[0]) : null;
  }

  /** One task to act on (its row with the mark after it): ROW_UNREADABLE if any of its rows does not decode. */
  private async readTask(row: Row): Promise<TaskRecord> {
    const task = decodeRow(PG_TASKS, row, this.marks.refuse);
    const mark = this.marks.markOf(task.id, row[PG_TASKS.columns.length]);
    if (!mark) return task;
    // Marked earlier: usable again once every row decodes (repaired by hand).
    if (await this.decodesAgain(task.id)) {
      await this.marks.clear(task.id);
      return task;
    }
    throw unreadableRowError(mark);
  }

  private async decodesAgain(taskId: string): Promise<boolean> {
    try {
      const [steps, attempts] = await Promise.all([this.rows('sw_steps', PG_SQL.stepsOfTask, [taskId]), this.rows('sw_attempts', PG_SQL.attemptsOfTask, [taskId])]);
      for (const r of steps) decodeRow(PG_STEPS, r);
      for (const r of attempts) decodeRow(PG_ATTEMPTS, r);
      // Throws on transition details that are still not an object.
      await this.listTransitions(taskId);
      return true;
    } catch {
      return false;
    }
  }

  /** Rows of many tasks (scans, bulk reads): an unreadable row is left out and its task marked. */
  private readable<T>(t: PgTable<T>, rows: Row[]): T[] {
    return readableRows(rows, t.taskIdIndex, (r, onUnreadable) => decodeRow(t, r, onUnreadable), this.marks);
  }

  async listTasks(query: TaskQuery = {}): Promise<TaskPage> {
    this.check();
    const limit = limitOf(query.limit, DEFAULT_TASK_PAGE);
    const cursor = query.cursor === undefined ? null : decodeTaskCursor(query.cursor);
    const filter = pgTaskFilter(query, statusesOf(query));
    const params = [...filter.params];
    let keyset = '';
    if (cursor) {
      params.push(cursor.createdAt, cursor.id);
      keyset = ` AND (created_at, id) < ($${params.length - 1}, $${params.length})`;
    }
    params.push(limit + 1);
    const pageSql = `SELECT ${PG_TASKS.select}, unreadable FROM stepwise.tasks WHERE ${filter.sql}${keyset} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`;
    const [page, total] = await Promise.all([
      this.rows(`sw_tasks_${hash(pageSql)}`, pageSql, params),
      this.value<number>(`sw_count_${hash(filter.sql)}`, `SELECT COUNT(*) FROM stepwise.tasks WHERE ${filter.sql}`, filter.params),
    ]);
    // Listed whatever their state: an unreadable task shows with `unreadable` set.
    const tasks = page.map((r) => {
      let bad: UnreadableRow | undefined;
      const task = decodeRow(PG_TASKS, r, (b) => {
        this.marks.mark(b);
        bad ??= b;
      });
      const mark = bad ?? this.marks.markOf(task.id, r[PG_TASKS.columns.length]);
      if (mark) task.unreadable = mark;
      return task;
    });
    const more = tasks.length > limit;
    if (more) tasks.pop();
    const last = tasks[tasks.length - 1];
    return { tasks, nextCursor: more && last ? encodeTaskCursor(last) : null, total };
  }

  async getSteps(taskId: string): Promise<StepRecord[]> {
    return (await this.rows('sw_steps', PG_SQL.stepsOfTask, [taskId])).map((r) => decodeRow(PG_STEPS, r, this.marks.refuse));
  }

  async getStep(taskId: string, name: string): Promise<StepRecord | null> {
    const rows = await this.rows('sw_step', PG_SQL.stepByName, [taskId, name]);
    return rows[0] ? decodeRow(PG_STEPS, rows[0], this.marks.refuse) : null;
  }

  async listTransitions(taskId: string, query: TransitionQuery = {}): Promise<TransitionRecord[]> {
    const limit = query.limit === undefined ? null : limitOf(query.limit, 0);
    const q = pgTransitionsQuery(taskId, query, limit);
    return (await this.rows(`sw_tr_${hash(q.sql)}`, q.sql, q.params)).map((r) => {
      // details must be an object: one that is not makes the task unreadable.
      const why = r[8] === null ? null : wrongShape(r[8], 'object');
      if (why) this.marks.refuse({ table: 'transitions', rowId: String(r[0]), column: 'details', taskId, reason: why });
      return decodeTransition(taskId, r);
    });
  }

  async lastTransitionSeq(taskId: string): Promise<number> {
    return this.value('sw_last_tr', PG_SQL.lastTransitionSeq, [taskId]);
  }

  async listAttempts(taskId: string, stepName?: string): Promise<AttemptRecord[]> {
    const rows =
      stepName === undefined
        ? await this.rows('sw_attempts', PG_SQL.attemptsOfTask, [taskId])
        : await this.rows('sw_attempts_step', PG_SQL.attemptsOfStep, [taskId, stepName]);
    return rows.map((r) => decodeRow(PG_ATTEMPTS, r, this.marks.refuse));
  }

  async maxAttemptNumber(taskId: string, stepName: string): Promise<number> {
    return this.value('sw_max_attempt', PG_SQL.maxAttemptNumber, [taskId, stepName]);
  }

  async getStepsOfTasks(taskIds: readonly string[]): Promise<StepRecord[]> {
    if (taskIds.length === 0) return [];
    return this.readable(PG_STEPS, await this.rows('sw_steps_of', PG_SQL.stepsOfTasks, [taskIds]));
  }

  async listAttemptsOfTasks(taskIds: readonly string[]): Promise<AttemptRecord[]> {
    if (taskIds.length === 0) return [];
    return this.readable(PG_ATTEMPTS, await this.rows('sw_attempts_of', PG_SQL.attemptsOfTasks, [taskIds]));
  }

  async readEvents(afterSeq: number, limit?: number, filter: { taskId?: string } = {}): Promise<StepwiseEvent[]> {
    const max = limitOf(limit, DEFAULT_EVENT_PAGE);
    const rows =
      filter.taskId === undefined
        ? await this.rows('sw_events', PG_SQL.events, [afterSeq, max])
        : await this.rows('sw_events_task', PG_SQL.eventsOfTask, [filter.taskId, afterSeq, max]);
    return rows.map(decodeEvent);
  }

  async lastEventSeq(): Promise<number> {
    return this.value('sw_last_event', PG_SQL.lastEventSeq, []);
  }

  /**
   * Resolves once global event reads (`readEvents`, `lastEventSeq`) see every event committed
   * before the call: waits for transactions begun earlier, on any database of the server, to end.
   * For tests and tools that need "everything so far"; followers never need it.
   */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const target = await this.value<number>('sw_max_event', 'SELECT COALESCE(MAX(seq), 0) FROM stepwise.events', []);
    while ((await this.lastEventSeq()) < target) {
      if (Date.now() > deadline) {
        throw new StepwiseError('TIMEOUT', `Events up to seq ${target} did not become readable within ${timeoutMs} ms: a transaction on ${this.where} has been running that long.`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async tasksWithReadySteps(limit?: number): Promise<string[]> {
    const ids = (await this.rows('sw_ready', PG_SQL.tasksWithReady, [limitOf(limit, DEFAULT_SCAN_LIMIT)])).map((r) => r[0] as string);
    // Marked here but the mark not (yet) stored: left out by hand.
    return this.marks.any ? ids.filter((id) => !this.marks.isKnown(id)) : ids;
  }

  async dueSteps(now: number, limit?: number): Promise<StepRecord[]> {
    return this.readable(PG_STEPS, await this.rows('sw_due_steps', PG_SQL.dueSteps, [now, limitOf(limit, DEFAULT_SCAN_LIMIT)]));
  }

  async expiredTaskLeases(now: number, limit?: number): Promise<TaskRecord[]> {
    return this.readable(PG_TASKS, await this.rows('sw_task_leases', PG_SQL.expiredTaskLeases, [now, limitOf(limit, DEFAULT_SCAN_LIMIT)]));
  }

  async expiredLeases(now: number, limit?: number): Promise<StepRecord[]> {
    return this.readable(PG_STEPS, await this.rows('sw_leases', PG_SQL.expiredLeases, [now, limitOf(limit, DEFAULT_SCAN_LIMIT)]));
  }

  async dueTasks(now: number, limit?: number): Promise<TaskRecord[]> {
    return this.readable(PG_TASKS, await this.rows('sw_due_tasks', PG_SQL.dueTasks, [now, limitOf(limit, DEFAULT_SCAN_LIMIT)]));
  }

  async expiredTasks(now: number, limit?: number): Promise<string[]> {
    return (await this.rows('sw_expired', PG_SQL.expiredTasks, [now, limitOf(limit, DEFAULT_SCAN_LIMIT)])).map((r) => r[0] as string);
  }

  async countRunningWithConcurrencyKey(key: string): Promise<number> {
    return this.value('sw_count_key', PG_SQL.countConcurrency, [key]);
  }

  async beat(h: Heartbeat): Promise<void> {
    await this.rows('sw_beat', PG_SQL.beat, [h.owner, h.pid, h.at, h.kind, h.host, h.startedAt, h.version, h.everyMs]);
  }

  async heartbeats(): Promise<Heartbeat[]> {
    return (await this.rows('sw_heartbeats', PG_SQL.heartbeats, [])).map((r) => ({
      owner: r[0] as string,
      pid: r[1] as number,
      at: r[2] as number,
      kind: r[3] as string,
      host: r[4] as string,
      startedAt: r[5] as number,
      version: r[6] as string,
      everyMs: r[7] as number,
    }));
  }

  async removeHeartbeat(owner: string): Promise<void> {
    await this.rows('sw_remove_heartbeat', PG_SQL.removeHeartbeat, [owner]);
  }

  async pruneHeartbeats(before: number): Promise<number> {
    this.check();
    try {
      return (await this.pool.query({ name: 'sw_prune_heartbeats', text: PG_SQL.pruneHeartbeats, values: [before] })).rowCount ?? 0;
    } catch (err) {
      throw wrapPgError(err, this.where);
    }
  }

  /** `now` is not used: reservations expire on the database's clock. */
  async listHolds(_now: number, limit?: number, filter: HoldsFilter = {}): Promise<Holds> {
    const p = [limitOf(limit, DEFAULT_HOLDS_LIMIT), filter.owner ?? null, filter.taskId?.toLowerCase() ?? null];
    const [steps, flows, reservations] = await Promise.all([
      this.rows('sw_held_steps_f', PG_SQL.heldSteps, p),
      this.rows('sw_held_flows_f', PG_SQL.heldFlows, p),
      this.rows('sw_held_reservations_f', PG_SQL.heldReservations, p),
    ]);
    return {
      steps: steps.map((r) => ({ taskId: r[0] as string, templateRef: r[1] as string, stepName: r[2] as string, owner: r[3] as string, leaseExpiresAt: r[4] as number | null })),
      flows: flows.map((r) => ({ taskId: r[0] as string, templateRef: r[1] as string, state: r[2] as string | null, owner: r[3] as string, leaseExpiresAt: r[4] as number | null })),
      reservations: reservations.map((r) => ({ taskId: r[0] as string, templateRef: r[1] as string, owner: r[2] as string, expiresAt: r[3] as number })),
    };
  }

  /** Session advisory lock on a dedicated connection while `fn` runs; another holder → undefined at once. */
  async exclusively<T>(name: 'housekeeping', fn: () => Promise<T>): Promise<T | undefined> {
    this.check();
    // fn commits on other connections of the pool: with one connection, no lock (versions still guard).
    if ((this.pool.options.max ?? 10) < 2) return fn();
    let client: pg.PoolClient;
    let locked: boolean;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw wrapPgError(err, this.where);
    }
    try {
      locked = (await client.query({ text: 'SELECT pg_try_advisory_lock($1, 0) AS ok', values: [LOCK[name]] })).rows[0].ok === true;
    } catch (err) {
      client.release(true);
      throw wrapPgError(err, this.where);
    }
    if (!locked) {
      client.release();
      return undefined;
    }
    try {
      return await fn();
    } finally {
      // A connection that may still hold the lock is closed rather than handed to anyone else.
      const unlocked = await client.query({ text: 'SELECT pg_advisory_unlock($1, 0)', values: [LOCK[name]] }).then(
        () => true,
        () => false,
      );
      client.release(!unlocked);
    }
  }

  async now(): Promise<number> {
    return Number((await this.rows('sw_now', PG_SQL.now, []))[0]![0]);
  }

  async reserveTasks(owner: string, options: ReserveOptions): Promise<string[]> {
    const limit = limitOf(options.limit, DEFAULT_SCAN_LIMIT);
    const rows = await this.rows('sw_reserve', PG_SQL.reserve, [owner, limit, Math.max(0, Math.round(options.ttlMs)), [...(options.renew ?? [])], [...(options.take ?? [])]]);
    return rows.map((r) => r[0] as string);
  }

  async releaseTasks(owner: string, taskIds?: readonly string[]): Promise<void> {
    await this.rows('sw_release', PG_SQL.release, [owner, taskIds === undefined ? null : [...taskIds]]);
  }

  /**
   * Calls `listener` when any process using this database commits events (`events`) or makes work
   * runnable (`work`): a hint to poll now, never a substitute for polling (hints can be lost).
   */
  subscribe(kind: HintKind, listener: HintListener): () => void {
    return this.hints.subscribe(kind, listener);
  }

  /** The LISTEN connection is up (tests). */
  hintsReady(): Promise<void> {
    return this.hints.ready();
  }

  get hintStats(): Readonly<PgHints['stats']> {
    return this.hints.stats;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.hints.close();
    await this.marks.settle();
    await this.pool.end();
  }
}

/** A commit that may give an engine something to do now: a new task, a step made ready, a task (re)activated. */
function makesWork(c: ChangeSet): boolean {
  if ((c.insertTasks?.length ?? 0) > 0) return true;
  if (c.insertSteps?.some((s) => s.state === 'ready')) return true;
  if (c.updateSteps?.some((p) => p.set.state === 'ready')) return true;
  return c.updateTasks?.some((p) => p.set.status === 'running' || p.set.status === 'pending') ?? false;
}

/** A short stable name for a prepared statement of generated SQL. */
function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

function decodeTransition(taskId: string, r: Row): TransitionRecord {
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
    details: r[8] === null ? {} : (r[8] as JsonObject),
  };
}

function decodeEvent(r: Row): StepwiseEvent {
  return {
    seq: r[0] as number,
    type: r[1],
    taskId: r[2] as string,
    stepName: r[3] as string | null,
    at: r[4] as number,
    payload: r[5],
  } as StepwiseEvent;
}
