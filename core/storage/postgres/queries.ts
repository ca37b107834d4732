/**
 * The SQL of PostgresStorage's reads. Orders match MemoryStorage and SQLite exactly; conditions on
 * partial indexes repeat the index's WHERE text (./migrations.ts).
 *
 * Event reads and the watermark. Event seqs come from a sequence, so a transaction can hold seq 10
 * while one holding seq 11 commits first; a reader that took 11 and moved its cursor past 10 would
 * never see 10. Each event row carries the id of its transaction, and stepwise.event_seqs gives a
 * transaction its id and its seqs inside one critical section, so seq order is transaction id
 * order. A global reader takes only events of transactions older than the oldest one still
 * running (the snapshot's xmin): every event numbered before those has committed (or never
 * will), so what it reads is a gap-free prefix and its cursor never passes a late commit. The
 * price: a long transaction anywhere on the server (same cluster) holds global readers back
 * until it ends. Reads of one task's events need no watermark: commits on one task take its lock
 * and number their events after it, so a task's events become visible in seq order.
 */
import type { TaskStatus } from '../../model/states.js';
import type { TaskQuery, TransitionQuery } from '../storage.js';
import { PG_ATTEMPTS, PG_STEPS, PG_TASKS } from './codec.js';
import { FINISHED_SQL } from './migrations.js';

const XMIN = '(SELECT pg_snapshot_xmin(pg_current_snapshot()))';
/** A step's task is not marked unreadable (over the tasks_unreadable partial index, migration 9). */
const READABLE_TASK = 'task_id NOT IN (SELECT id FROM stepwise.tasks WHERE unreadable IS NOT NULL)';
const EVENT_COLS = 'seq, type, task_id, step_name, at, payload';

export const PG_SQL = {
  // With the unreadable mark after the record's columns (./unreadable.ts).
  taskById: `SELECT ${PG_TASKS.select}, unreadable FROM stepwise.tasks WHERE id = $1`,
  taskByKey: `SELECT ${PG_TASKS.select}, unreadable FROM stepwise.tasks WHERE idempotency_key = $1`,
  stepsOfTask: `SELECT ${PG_STEPS.select} FROM stepwise.steps WHERE task_id = $1 ORDER BY ord`,
  stepsOfTasks: `SELECT ${PG_STEPS.select} FROM stepwise.steps WHERE task_id = ANY($1::text[]) ORDER BY ord`,
  stepByName: `SELECT ${PG_STEPS.select} FROM stepwise.steps WHERE task_id = $1 AND name = $2`,
  attemptsOfTask: `SELECT ${PG_ATTEMPTS.select} FROM stepwise.attempts WHERE task_id = $1 ORDER BY ord`,
  attemptsOfStep: `SELECT ${PG_ATTEMPTS.select} FROM stepwise.attempts WHERE task_id = $1 AND step_name = $2 ORDER BY ord`,
  attemptsOfTasks: `SELECT ${PG_ATTEMPTS.select} FROM stepwise.attempts WHERE task_id = ANY($1::text[]) ORDER BY ord`,
  maxAttemptNumber: 'SELECT COALESCE(MAX(number), 0) FROM stepwise.attempts WHERE task_id = $1 AND step_name = $2',
  lastTransitionSeq: 'SELECT COALESCE(MAX(seq), 0) FROM stepwise.transitions WHERE task_id = $1',
  events: `SELECT ${EVENT_COLS} FROM stepwise.events WHERE seq > $1 AND xid < ${XMIN} ORDER BY seq LIMIT $2`,
  eventsOfTask: `SELECT ${EVENT_COLS} FROM stepwise.events WHERE task_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
  lastEventSeq: `SELECT COALESCE(MAX(seq), 0) FROM stepwise.events WHERE xid < ${XMIN}`,
  // Scans leave out tasks marked unreadable: no engine reaches for them again.
  tasksWithReady: `SELECT task_id FROM stepwise.steps WHERE state = 'ready' AND ${READABLE_TASK} GROUP BY task_id ORDER BY MIN(updated_at), task_id LIMIT $1`,
  dueSteps: `SELECT * FROM (
      SELECT ${PG_STEPS.select}, retry_at AS due FROM stepwise.steps WHERE state = 'waiting_for_retry' AND retry_at <= $1 AND ${READABLE_TASK}
      UNION ALL
      SELECT ${PG_STEPS.select}, wake_at AS due FROM stepwise.steps WHERE state = 'waiting' AND wake_at IS NOT NULL AND wake_at <= $1 AND ${READABLE_TASK}
    ) d ORDER BY due, id LIMIT $2`,
  expiredTaskLeases: `SELECT ${PG_TASKS.select} FROM stepwise.tasks WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= $1 AND status NOT IN ${FINISHED_SQL} AND unreadable IS NULL
    ORDER BY lease_expires_at, id LIMIT $2`,
  expiredLeases: `SELECT ${PG_STEPS.select} FROM stepwise.steps WHERE state = 'running' AND lease_expires_at <= $1 AND ${READABLE_TASK}
    ORDER BY lease_expires_at, id LIMIT $2`,
  dueTasks: `WITH due (due_id, due_at) AS (
      SELECT id, wake_at FROM stepwise.tasks WHERE status = 'waiting' AND wake_at IS NOT NULL AND wake_at <= $1
      UNION ALL
      SELECT id, timeout_at FROM stepwise.tasks WHERE timeout_at IS NOT NULL AND status NOT IN ${FINISHED_SQL} AND timeout_at <= $1
    )
    SELECT ${PG_TASKS.select} FROM stepwise.tasks JOIN (SELECT due_id, MIN(due_at) AS due_at FROM due GROUP BY due_id) d ON id = due_id
    WHERE unreadable IS NULL
    ORDER BY due_at, id LIMIT $2`,
  expiredTasks: `SELECT id FROM stepwise.tasks WHERE delete_at IS NOT NULL AND delete_at <= $1 AND status IN ${FINISHED_SQL} ORDER BY delete_at, id LIMIT $2`,
  countConcurrency: `SELECT COUNT(*) FROM stepwise.steps WHERE state = 'running' AND concurrency_key IS NOT NULL AND concurrency_key = $1`,
  beat: `INSERT INTO stepwise.heartbeats (owner, pid, at, kind, host, started_at, version, every_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (owner) DO UPDATE SET pid = excluded.pid, at = excluded.at, kind = excluded.kind, host = excluded.host,
      started_at = excluded.started_at, version = excluded.version, every_ms = excluded.every_ms`,
  heartbeats: 'SELECT owner, pid, at, kind, host, started_at, version, every_ms FROM stepwise.heartbeats ORDER BY owner',
  removeHeartbeat: 'DELETE FROM stepwise.heartbeats WHERE owner = $1',
  pruneHeartbeats: 'DELETE FROM stepwise.heartbeats WHERE at < $1',
  heldSteps: `SELECT s.task_id, t.template_ref, s.name, s.lease_owner, s.lease_expires_at
    FROM stepwise.steps s JOIN stepwise.tasks t ON t.id = s.task_id WHERE s.state = 'running' AND s.lease_owner IS NOT NULL
      AND ($2::text IS NULL OR s.lease_owner = $2) AND ($3::text IS NULL OR strpos(lower(s.task_id), $3) > 0)
    ORDER BY s.lease_owner, s.task_id, s.name LIMIT $1`,
  heldFlows: `SELECT id, template_ref, current_state, lease_owner, lease_expires_at
    FROM stepwise.tasks WHERE lease_expires_at IS NOT NULL AND lease_owner IS NOT NULL
      AND ($2::text IS NULL OR lease_owner = $2) AND ($3::text IS NULL OR strpos(lower(id), $3) > 0)
    ORDER BY lease_owner, id LIMIT $1`,
  /** Reservations are timed on the database's clock (see reserve below). */
  heldReservations: `SELECT r.task_id, t.template_ref, r.owner, r.expires_at
    FROM stepwise.reservations r JOIN stepwise.tasks t ON t.id = r.task_id WHERE r.expires_at > stepwise.now_ms()
      AND ($2::text IS NULL OR r.owner = $2) AND ($3::text IS NULL OR strpos(lower(r.task_id), $3) > 0)
    ORDER BY r.owner, r.task_id LIMIT $1`,
  /**
   * $1 owner, $2 limit, $3 ttl ms, $4 task ids to renew, $5 task ids to take (flows with work). Ready tasks nobody else holds, oldest
   * ready step first; `SKIP LOCKED` passes over a task whose row another transaction holds (an
   * engine reserving it this instant, a commit writing it), so concurrent reservers take disjoint
   * tasks without waiting. Then one upsert takes or renews them all; a row another engine took
   * since this statement's snapshot fails the ON CONFLICT condition and is not returned. A
   * finished task is never renewed or taken (its reservation ended with it, migration 12).
   */
  reserve: `WITH clock AS (SELECT stepwise.now_ms() AS ms),
    ready AS (
      SELECT t.id, r.at FROM (SELECT task_id, MIN(updated_at) AS at FROM stepwise.steps WHERE state = 'ready' GROUP BY task_id) r
      JOIN stepwise.tasks t ON t.id = r.task_id
      LEFT JOIN stepwise.reservations v ON v.task_id = r.task_id
      WHERE (v.task_id IS NULL OR v.owner = $1 OR v.expires_at <= (SELECT ms FROM clock))
        AND (t.debug->>'paused') IS DISTINCT FROM 'true' AND t.unreadable IS NULL
      ORDER BY r.at, t.id LIMIT $2
      FOR NO KEY UPDATE OF t SKIP LOCKED
    ),
    taken AS (
      INSERT INTO stepwise.reservations AS v (task_id, owner, expires_at)
      SELECT w.id, $1, (SELECT ms FROM clock) + $3
      FROM (SELECT id FROM ready UNION SELECT t.id FROM stepwise.tasks t WHERE (t.id = ANY($4::text[]) OR t.id = ANY($5::text[])) AND t.status NOT IN ${FINISHED_SQL}) w
      ON CONFLICT (task_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE v.owner = excluded.owner OR v.expires_at <= (SELECT ms FROM clock)
      RETURNING v.task_id
    )
    SELECT id FROM (
      SELECT ready.id, 0 AS k, ready.at FROM ready JOIN taken ON taken.task_id = ready.id
      UNION ALL
      SELECT taken.task_id, 1, 0 FROM taken WHERE taken.task_id = ANY($5::text[]) AND NOT EXISTS (SELECT 1 FROM ready WHERE ready.id = taken.task_id)
    ) x ORDER BY k, at, id`,
  now: 'SELECT stepwise.now_ms()',
  release: 'DELETE FROM stepwise.reservations WHERE owner = $1 AND ($2::text[] IS NULL OR task_id = ANY($2::text[]))',
} as const;

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

/** WHERE clause of a task list (without the cursor), shared by the page and the total count. */
export function pgTaskFilter(q: TaskQuery, statuses: TaskStatus[] | null): BuiltQuery {
  const conds: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: unknown): void => {
    if (value === undefined) return;
    params.push(value);
    conds.push(`${column} = $${params.length}`);
  };
  if (statuses !== null) {
    params.push(statuses);
    conds.push(`status = ANY($${params.length}::text[])`);
  }
  eq('kind', q.kind);
  eq('namespace', q.namespace);
  eq('name', q.name);
  eq('template_ref', q.templateRef);
  eq('parent_task_id', q.parentTaskId);
  if (q.participant !== undefined) {
    params.push([q.participant]);
    conds.push(`participants @> $${params.length}::text[]`);
  }
  return { sql: conds.length ? conds.join(' AND ') : 'TRUE', params };
}

export function pgTransitionsQuery(taskId: string, q: TransitionQuery, limit: number | null): BuiltQuery {
  const params: unknown[] = [taskId];
  const conds = ['task_id = $1'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conds.push(sql.replace('?', `$${params.length}`));
  };
  if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
  if (q.uptoSeq !== undefined) add('seq <= ?', q.uptoSeq);
  if (q.stepName === null) conds.push('step_name IS NULL');
  else if (q.stepName !== undefined) add('step_name = ?', q.stepName);
  let sql = `SELECT seq, step_name, field, from_value, to_value, reason, actor, at, details FROM stepwise.transitions
    WHERE ${conds.join(' AND ')} ORDER BY seq`;
  if (limit !== null) {
    params.push(limit);
    sql += ` LIMIT $${params.length}`;
  }
  return { sql, params };
}
