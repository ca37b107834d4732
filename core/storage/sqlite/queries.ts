/**
 * The SQL of SqliteStorage's reads. Conditions on partial indexes repeat the index's WHERE text
 * (see ./migrations.ts) so SQLite can use them. Orders match MemoryStorage exactly.
 */
import type { TaskQuery, TransitionQuery } from '../storage.js';
import { TASK_FINISHED, type TaskStatus } from '../../model/states.js';
import { FINISHED_SQL } from './migrations.js';
import { ATTEMPTS, STEPS, TASKS } from './codec.js';

/** A step's task is not marked unreadable (an uncorrelated subquery over the tasks_unreadable index). */
const READABLE_TASK = 'task_id NOT IN (SELECT id FROM tasks WHERE unreadable IS NOT NULL)';

export const SQL = {
  taskById: `SELECT ${TASKS.select} FROM tasks WHERE id = ?`,
  taskVersion: 'SELECT version FROM tasks WHERE id = ?',
  taskIdByKey: 'SELECT id FROM tasks WHERE idempotency_key = ?',
  stepVersion: 'SELECT task_id, version FROM steps WHERE id = ?',
  stepRunState: 'SELECT state, concurrency_key FROM steps WHERE id = ?',
  stepExistsByName: 'SELECT 1 FROM steps WHERE task_id = ? AND name = ?',
  attemptExists: 'SELECT 1 FROM attempts WHERE id = ?',
  stepsOfTask: `SELECT ${STEPS.select} FROM steps WHERE task_id = ? ORDER BY rowid`,
  attemptsOfTask: `SELECT ${ATTEMPTS.select} FROM attempts WHERE task_id = ? ORDER BY rowid`,
  // One JSON parameter however many ids: no bound-variable limit, one cached statement.
  stepsOfTasks: `SELECT ${STEPS.select} FROM steps WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
  attemptsOfTasks: `SELECT ${ATTEMPTS.select} FROM attempts WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
  stepByName: `SELECT ${STEPS.select} FROM steps WHERE task_id = ? AND name = ?`,
  bumpTask: 'UPDATE tasks SET version = version + 1 WHERE id = ?',
  deleteTask: 'DELETE FROM tasks WHERE id = ?',
  deleteParticipants: 'DELETE FROM task_participants WHERE task_id = ?',
  insertParticipant: 'INSERT OR IGNORE INTO task_participants (participant, task_id) VALUES (?, ?)',
  events: 'SELECT seq, type, task_id, step_name, at, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  eventsOfTask: 'SELECT seq, type, task_id, step_name, at, payload FROM events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  lastEventSeq: 'SELECT COALESCE(MAX(seq), 0) FROM events',
  // The highest transition and event seqs ever handed out (migration 10): the last row's (a MAX
  // over the rowid: one step down the B-tree's right edge) or the floor a deletion kept.
  lastSeqs: `SELECT MAX(COALESCE((SELECT MAX(seq) FROM transitions), 0), COALESCE((SELECT seq FROM seq_floors WHERE name = 'transitions'), 0)),
    MAX(COALESCE((SELECT MAX(seq) FROM events), 0), COALESCE((SELECT seq FROM seq_floors WHERE name = 'events'), 0))`,
  keepTransitionFloor: `INSERT OR REPLACE INTO seq_floors (name, seq)
    SELECT 'transitions', MAX(COALESCE((SELECT MAX(seq) FROM transitions), 0), COALESCE((SELECT seq FROM seq_floors WHERE name = 'transitions'), 0))`,
  // MAX over the transitions_task (task_id, seq) index: one index probe, not a scan of the log.
  lastTransitionSeq: 'SELECT COALESCE(MAX(seq), 0) FROM transitions WHERE task_id = ?',
  // Over the attempts_task_step (task_id, step_name) index: the step's attempts only.
  maxAttemptNumber: 'SELECT COALESCE(MAX(number), 0) FROM attempts WHERE task_id = ? AND step_name = ?',
  // Scans leave out tasks marked unreadable (migration 3): the engine must not reach for them.
  tasksWithReady: `SELECT task_id FROM steps WHERE state = 'ready' AND ${READABLE_TASK} GROUP BY task_id ORDER BY MIN(updated_at), task_id LIMIT ?`,
  dueSteps: `SELECT ${STEPS.select}, retry_at AS due FROM steps WHERE state = 'waiting_for_retry' AND retry_at <= @now AND ${READABLE_TASK}
    UNION ALL
    SELECT ${STEPS.select}, wake_at AS due FROM steps WHERE state = 'waiting' AND wake_at <= @now AND ${READABLE_TASK}
    ORDER BY due, id LIMIT @limit`,
  expiredLeases: `SELECT ${STEPS.select} FROM steps WHERE state = 'running' AND lease_expires_at <= ? AND ${READABLE_TASK}
    ORDER BY lease_expires_at, id LIMIT ?`,
  expiredTaskLeases: `SELECT ${TASKS.select} FROM tasks WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= ? AND status NOT IN ${FINISHED_SQL} AND unreadable IS NULL
    ORDER BY lease_expires_at, id LIMIT ?`,
  dueTasks: `WITH due (due_id, due_at) AS (
      SELECT id, wake_at FROM tasks WHERE status = 'waiting' AND wake_at <= @now
      UNION ALL
      SELECT id, timeout_at FROM tasks WHERE status NOT IN ${FINISHED_SQL} AND timeout_at <= @now
    )
    SELECT ${TASKS.select} FROM tasks JOIN (SELECT due_id, MIN(due_at) AS due_at FROM due GROUP BY due_id) ON id = due_id
    WHERE unreadable IS NULL
    ORDER BY due_at, id LIMIT @limit`,
  /** The mark of one task (null when readable). */
  unreadableOf: 'SELECT unreadable FROM tasks WHERE id = ?',
  markUnreadable: 'UPDATE tasks SET unreadable = ? WHERE id = ? AND unreadable IS NULL',
  clearUnreadable: 'UPDATE tasks SET unreadable = NULL WHERE id = ?',
  taskWithMark: `SELECT ${TASKS.select}, unreadable FROM tasks WHERE id = ?`,
  expiredTasks: `SELECT id FROM tasks WHERE delete_at <= ? AND status IN ${FINISHED_SQL} ORDER BY delete_at, id LIMIT ?`,
  countConcurrency: `SELECT COUNT(*) FROM steps WHERE state = 'running' AND concurrency_key = ?`,
  beat: `INSERT INTO heartbeats (owner, pid, at, kind, host, started_at, version, every_ms) VALUES (@owner, @pid, @at, @kind, @host, @startedAt, @version, @everyMs)
    ON CONFLICT (owner) DO UPDATE SET pid = excluded.pid, at = excluded.at, kind = excluded.kind, host = excluded.host,
      started_at = excluded.started_at, version = excluded.version, every_ms = excluded.every_ms`,
  heartbeats: 'SELECT owner, pid, at, kind, host, started_at AS startedAt, version, every_ms AS everyMs FROM heartbeats ORDER BY owner',
  removeHeartbeat: 'DELETE FROM heartbeats WHERE owner = ?',
  pruneHeartbeats: 'DELETE FROM heartbeats WHERE at < ?',
  heldSteps: `SELECT s.task_id AS taskId, t.template_ref AS templateRef, s.name AS stepName, s.lease_owner AS owner, s.lease_expires_at AS leaseExpiresAt
    FROM steps s JOIN tasks t ON t.id = s.task_id WHERE s.state = 'running' AND s.lease_owner IS NOT NULL
      AND (@owner IS NULL OR s.lease_owner = @owner) AND (@task IS NULL OR instr(lower(s.task_id), @task) > 0)
    ORDER BY s.lease_owner, s.task_id, s.name LIMIT @limit`,
  heldFlows: `SELECT id AS taskId, template_ref AS templateRef, current_state AS state, lease_owner AS owner, lease_expires_at AS leaseExpiresAt
    FROM tasks WHERE lease_expires_at IS NOT NULL AND lease_owner IS NOT NULL
      AND (@owner IS NULL OR lease_owner = @owner) AND (@task IS NULL OR instr(lower(id), @task) > 0)
    ORDER BY lease_owner, id LIMIT @limit`,
  heldReservations: `SELECT r.task_id AS taskId, t.template_ref AS templateRef, r.owner, r.expires_at AS expiresAt
    FROM reservations r JOIN tasks t ON t.id = r.task_id WHERE r.expires_at > @now
      AND (@owner IS NULL OR r.owner = @owner) AND (@task IS NULL OR instr(lower(r.task_id), @task) > 0)
    ORDER BY r.owner, r.task_id LIMIT @limit`,
  // Taken when nobody holds it, it expired, or the owner renews its own.
  // A finished task is never held (its reservation ended with the commit that finished it).
  reserve: `INSERT INTO reservations (task_id, owner, expires_at) SELECT @id, @owner, @expires WHERE EXISTS (SELECT 1 FROM tasks WHERE id = @id AND status NOT IN ${FINISHED_SQL})
    ON CONFLICT (task_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
    WHERE reservations.owner = excluded.owner OR reservations.expires_at <= @now`,
  reservable: `SELECT r.task_id FROM (SELECT task_id, MIN(updated_at) AS at FROM steps WHERE state = 'ready' GROUP BY task_id) r
    JOIN tasks t ON t.id = r.task_id LEFT JOIN reservations v ON v.task_id = r.task_id
    WHERE (v.task_id IS NULL OR v.owner = @owner OR v.expires_at <= @now) AND json_extract(t.debug, '$.paused') IS NOT 1 AND t.unreadable IS NULL
    ORDER BY r.at, r.task_id LIMIT @limit`,
  releaseAll: 'DELETE FROM reservations WHERE owner = ?',
  release: 'DELETE FROM reservations WHERE owner = ? AND task_id = ?',
  releaseFinished: 'DELETE FROM reservations WHERE task_id = ?',
} as const;

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

/** WHERE clause of a task list (without the cursor), shared by the page and the total count. */
export function taskFilter(q: TaskQuery, statuses: TaskStatus[] | null): BuiltQuery {
  const conds: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: unknown): void => {
    if (value === undefined) return;
    conds.push(`${column} = ?`);
    params.push(value);
  };
  if (statuses !== null) conds.push(statusCondition(statuses, params));
  eq('kind', q.kind);
  eq('namespace', q.namespace);
  eq('name', q.name);
  eq('template_ref', q.templateRef);
  eq('parent_task_id', q.parentTaskId);
  if (q.participant !== undefined) {
    conds.push('id IN (SELECT task_id FROM task_participants WHERE participant = ?)');
    params.push(q.participant);
  }
  return { sql: conds.length ? conds.join(' AND ') : '1', params };
}

/**
 * `status IN (...)` with the condition of the partial index that holds those statuses, spelled as
 * in the migrations so SQLite can use it: tasks_active (unfinished, migration 8) and
 * tasks_finished (migration 9). A list with both kinds is an OR of the two groups, which SQLite
 * searches as a MULTI-INDEX OR (one search per index) rather than a scan of the table.
 */
function statusCondition(statuses: readonly TaskStatus[], params: unknown[]): string {
  if (statuses.length === 0) return '0';
  const groups: string[] = [];
  const group = (list: readonly TaskStatus[], condition: string): void => {
    if (list.length === 0) return;
    groups.push(`status IN (${list.map(() => '?').join(', ')}) AND ${condition}`);
    params.push(...list);
  };
  group(statuses.filter((s) => TASK_FINISHED.includes(s)), `status IN ${FINISHED_SQL}`);
  group(statuses.filter((s) => !TASK_FINISHED.includes(s)), `status NOT IN ${FINISHED_SQL}`);
  return groups.length === 1 ? groups[0]! : `((${groups[0]}) OR (${groups[1]}))`;
}

export function transitionsQuery(taskId: string, q: TransitionQuery, limit: number): BuiltQuery {
  const conds = ['task_id = ?'];
  const params: unknown[] = [taskId];
  if (q.afterSeq !== undefined) {
    conds.push('seq > ?');
    params.push(q.afterSeq);
  }
  if (q.uptoSeq !== undefined) {
    conds.push('seq <= ?');
    params.push(q.uptoSeq);
  }
  if (q.stepName === null) conds.push('step_name IS NULL');
  else if (q.stepName !== undefined) {
    conds.push('step_name = ?');
    params.push(q.stepName);
  }
  params.push(limit);
  return {
    sql: `SELECT seq, step_name, field, from_value, to_value, reason, actor, at, details FROM transitions
      WHERE ${conds.join(' AND ')} ORDER BY seq LIMIT ?`,
    params,
  };
}
