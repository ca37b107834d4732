/**
 * Numbered schema migrations. Each runs once, in order, in its own IMMEDIATE transaction together
 * with its row in `schema_migrations`, so two processes opening the same file cannot both apply
 * it. Never edit a released migration: add the next number.
 *
 * Partial indexes: a query uses one only when its WHERE repeats the index's condition, so the
 * queries in ./statements.ts spell the conditions exactly as written here.
 */
import type { Database } from 'better-sqlite3';
import { SchemaTooNewError } from '../errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Statuses after which a task no longer runs by itself (FINISHED_STATUSES, as SQL). */
export const FINISHED_SQL = `('complete', 'error', 'cancelled')`;
/** FINISHED_SQL before migration 7 (one task status vocabulary): released migrations keep it. */
const FINISHED_SQL_V1 = `('complete', 'error', 'cancelled', 'completed', 'failed')`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  template_version TEXT NOT NULL,
  template_ref TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  data TEXT,
  current_state TEXT,
  parent_task_id TEXT,
  parent_step_name TEXT,
  idempotency_key TEXT,
  participants TEXT,
  error TEXT,
  result TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  wake_at INTEGER,
  timeout_at INTEGER,
  delete_at INTEGER,
  debug TEXT,
  version INTEGER NOT NULL
);
CREATE UNIQUE INDEX tasks_idempotency ON tasks (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX tasks_newest ON tasks (created_at, id);
CREATE INDEX tasks_status ON tasks (status, created_at, id);
CREATE INDEX tasks_template ON tasks (template_ref, created_at, id);
CREATE INDEX tasks_name ON tasks (namespace, name, created_at, id);
CREATE INDEX tasks_parent ON tasks (parent_task_id, created_at, id) WHERE parent_task_id IS NOT NULL;
CREATE INDEX tasks_wake ON tasks (wake_at) WHERE status = 'waiting';
CREATE INDEX tasks_timeout ON tasks (timeout_at) WHERE status NOT IN ${FINISHED_SQL_V1};
CREATE INDEX tasks_delete ON tasks (delete_at) WHERE delete_at IS NOT NULL;

CREATE TABLE task_participants (
  participant TEXT NOT NULL,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  PRIMARY KEY (participant, task_id)
) WITHOUT ROWID;
CREATE INDEX task_participants_task ON task_participants (task_id);

CREATE TABLE steps (
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  template_step TEXT NOT NULL,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  depends_on TEXT,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  retry_at INTEGER,
  wake_at INTEGER,
  results TEXT,
  batch TEXT,
  error TEXT,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  concurrency_key TEXT,
  progress TEXT,
  dynamic INTEGER NOT NULL,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL
);
CREATE UNIQUE INDEX steps_task_name ON steps (task_id, name);
CREATE INDEX steps_ready ON steps (task_id, updated_at) WHERE state = 'ready';
CREATE INDEX steps_retry ON steps (retry_at) WHERE state = 'waiting_for_retry';
CREATE INDEX steps_wake ON steps (wake_at) WHERE state = 'waiting';
CREATE INDEX steps_lease ON steps (lease_expires_at) WHERE state = 'running';
CREATE INDEX steps_concurrency ON steps (concurrency_key) WHERE state = 'running';

CREATE TABLE attempts (
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  step_name TEXT NOT NULL,
  number INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  duration_ms INTEGER,
  outcome TEXT,
  error TEXT,
  output TEXT,
  logs TEXT
);
CREATE INDEX attempts_task_step ON attempts (task_id, step_name);

-- Append-only. AUTOINCREMENT: seq numbers of deleted tasks' transitions are never reused.
CREATE TABLE transitions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  step_name TEXT,
  field TEXT NOT NULL,
  from_value TEXT,
  to_value TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  details TEXT
);
CREATE INDEX transitions_task ON transitions (task_id, seq);

-- No foreign key: events outlive their task (task.deleted is itself an event).
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  task_id TEXT NOT NULL,
  step_name TEXT,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX events_task ON events (task_id, seq);

CREATE TABLE heartbeats (
  owner TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL
);
`,
  },
  {
    // Fewer index writes per commit: these partial indexes held an entry for every waiting /
    // unfinished / running row even when the column they sort by is NULL (a flow waiting for an
    // interaction, a task without a timeout, a step without a concurrency key), so each status
    // change wrote an index page for nothing. Their queries compare the column (`wake_at <= @now`,
    // `concurrency_key = ?`), which implies IS NOT NULL, so SQLite still uses them.
    // AUTOINCREMENT stays on transitions: without it, deleting the newest task would hand its
    // seqs out again. (Events are never deleted, but dropping it there alone would save nothing:
    // transitions update the same sqlite_sequence page in every commit.)
    version: 2,
    name: 'partial_indexes_skip_nulls',
    sql: `
DROP INDEX tasks_wake;
CREATE INDEX tasks_wake ON tasks (wake_at) WHERE status = 'waiting' AND wake_at IS NOT NULL;
DROP INDEX tasks_timeout;
CREATE INDEX tasks_timeout ON tasks (timeout_at) WHERE timeout_at IS NOT NULL AND status NOT IN ${FINISHED_SQL_V1};
DROP INDEX steps_wake;
CREATE INDEX steps_wake ON steps (wake_at) WHERE state = 'waiting' AND wake_at IS NOT NULL;
DROP INDEX steps_concurrency;
CREATE INDEX steps_concurrency ON steps (concurrency_key) WHERE state = 'running' AND concurrency_key IS NOT NULL;
`,
  },
  {
    // Flow actions run under a lease like workflow steps (the engine running the action renews
    // it; once it expires another engine takes the flow back), and count their attempts at the
    // current state for retries. Workflows leave these at null / 0 (their steps hold leases).
    version: 3,
    name: 'task_leases',
    sql: `
ALTER TABLE tasks ADD COLUMN lease_owner TEXT;
ALTER TABLE tasks ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE tasks ADD COLUMN state_attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tasks_lease ON tasks (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
`,
  },
  {
    // A task one of whose rows does not decode (bad JSON, wrong shape) is marked here (the
    // UnreadableRow as JSON) and left out of every scan, so the engine stops reaching for it
    // while it serves everything else. The index holds marked tasks only (normally none).
    version: 4,
    name: 'unreadable_tasks',
    sql: `
ALTER TABLE tasks ADD COLUMN unreadable TEXT;
CREATE INDEX tasks_unreadable ON tasks (id) WHERE unreadable IS NOT NULL;
`,
  },
  {
    // Engines sharing a database reserve the tasks they work on (Storage.reserveTasks), so they
    // stop racing for the same ready steps. (3: task leases, 4: unreadable tasks.)
    version: 5,
    name: 'reservations',
    sql: `
CREATE TABLE reservations (
  task_id TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX reservations_owner ON reservations (owner);
`,
  },
  {
    // The workbench's cluster view shows each engine's machine, start, version, and whether it
    // still beats (gone after a few missed beats of its own interval). Older rows get defaults.
    version: 6,
    name: 'heartbeat_details',
    sql: `
ALTER TABLE heartbeats ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE heartbeats ADD COLUMN started_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE heartbeats ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE heartbeats ADD COLUMN every_ms INTEGER NOT NULL DEFAULT 5000;
`,
  },
  {
    // One task status vocabulary (tasker-core's words) for workflows and flows, with `paused`
    // stored: flows' active/completed/failed become running/complete/error, and an unfinished
    // task the debugger holds (debug.paused) becomes `paused`, remembering in debug.resumeStatus
    // the status it returns to on continue. Transitions and events (the audit trail) are left as
    // written; their readers map the old words (core/model/states.ts normalizeTaskStatus).
    version: 7,
    name: 'one_task_status',
    sql: `
UPDATE tasks SET status = CASE status WHEN 'active' THEN 'running' WHEN 'completed' THEN 'complete' ELSE 'error' END
  WHERE status IN ('active', 'completed', 'failed');
UPDATE tasks SET debug = json_set(debug, '$.resumeStatus', status), status = 'paused'
  WHERE status IN ('pending', 'running', 'waiting') AND (CASE WHEN json_valid(debug) THEN json_extract(debug, '$.paused') END) = 1;
DROP INDEX tasks_timeout;
CREATE INDEX tasks_timeout ON tasks (timeout_at) WHERE timeout_at IS NOT NULL AND status NOT IN ${FINISHED_SQL};
`,
  },
  {
    // Unfinished tasks by status, apart from the finished ones. On a database of mostly finished
    // tasks, `PRAGMA optimize`'s statistics say tasks_status matches every row for any status
    // (its stat1 row averages over statuses), so `status = ? AND kind = ?` (the flows' resume
    // round, every round) scanned the whole table: O(finished tasks) per round. Queries for
    // unfinished statuses repeat this condition (queries.ts taskFilter).
    version: 8,
    name: 'tasks_active',
    sql: `
CREATE INDEX tasks_active ON tasks (status, created_at, id) WHERE status NOT IN ${FINISHED_SQL};
`,
  },
  {
    // One status index entry per task instead of two: tasks_status held every task, so each
    // status change of an unfinished task rewrote its entry there and in tasks_active (two index
    // pages per flow commit). tasks_finished, which replaces it, holds the finished tasks only; with
    // tasks_active it still covers every status, and queries repeat the condition of the one
    // their statuses fall in (queries.ts taskFilter). A flow commit writes 15.9 → 15.2 WAL pages.
    version: 9,
    name: 'tasks_finished',
    sql: `
DROP INDEX tasks_status;
CREATE INDEX tasks_finished ON tasks (status, created_at, id) WHERE status IN ${FINISHED_SQL};
`,
  },
  {
    // Seqs without AUTOINCREMENT: every commit that appended a transition or an event rewrote
    // sqlite_sequence's page (one WAL page per commit, ~1 of 15 in a flow's commits) and looked its
    // row up and updated it per INSERT. SqliteStorage now numbers the rows itself, after the
    // highest seq ever used: the last row's, or the floor a deletion kept in seq_floors when the
    // deleted tasks held the highest transition seqs (events are never deleted). The floors start
    // at sqlite_sequence's values, so a database whose newest task was deleted keeps them unused.
    // The tables are rebuilt with the same columns, rows and indexes.
    version: 10,
    name: 'seqs_without_autoincrement',
    sql: `
CREATE TABLE seq_floors (
  name TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO seq_floors (name, seq) SELECT name, seq FROM sqlite_sequence WHERE name IN ('transitions', 'events');

CREATE TABLE transitions_v10 (
  seq INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  step_name TEXT,
  field TEXT NOT NULL,
  from_value TEXT,
  to_value TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  details TEXT
);
INSERT INTO transitions_v10 (seq, task_id, step_name, field, from_value, to_value, reason, actor, at, details)
  SELECT seq, task_id, step_name, field, from_value, to_value, reason, actor, at, details FROM transitions ORDER BY seq;
DROP TABLE transitions;
ALTER TABLE transitions_v10 RENAME TO transitions;
CREATE INDEX transitions_task ON transitions (task_id, seq);

CREATE TABLE events_v10 (
  seq INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  task_id TEXT NOT NULL,
  step_name TEXT,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
INSERT INTO events_v10 (seq, type, task_id, step_name, at, payload) SELECT seq, type, task_id, step_name, at, payload FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_v10 RENAME TO events;
CREATE INDEX events_task ON events (task_id, seq);
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

function currentVersion(db: Database): number {
  return Math.max(0, ...appliedVersions(db));
}

/** Versions recorded as applied (a migration landed later with a lower number still runs). */
function appliedVersions(db: Database): Set<number> {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!table) return new Set();
  return new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
}

/**
 * Brings the schema up to date. Refuses (without writing) a database from a newer Stepwise.
 * Returns the versions it applied.
 */
export function migrate(db: Database, file: string, now: number, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const found = currentVersion(db);
  if (found > latest) throw new SchemaTooNewError(file, found, latest);
  const done = appliedVersions(db);
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have applied it meanwhile.
      if (appliedVersions(db).has(m.version)) return;
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now);
      applied.push(m.version);
    });
    apply.immediate();
  }
  return applied;
}
