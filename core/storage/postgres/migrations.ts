/**
 * The PostgreSQL schema, as numbered migrations applied once, in order, under a session advisory
 * lock (several processes starting against one database apply each exactly once). Never edit a
 * released migration: add the next number. Everything lives in the `stepwise` schema.
 *
 * Choices that the contract tests pin (see test/unit/storage.contract.*):
 * - JSON is `json` (text kept as written), not `jsonb`: jsonb reorders keys and refuses `\u0000`.
 * - Ids, names and keys are `COLLATE "C"`: byte-wise order, the order SQLite and memory give.
 * - Insertion order is the explicit `ord` column (a sequence), not physical row order.
 * - No foreign keys: every commit locks the tasks it touches and checks they exist (./commit.ts),
 *   and deletes remove a task's rows explicitly; FK checks would add an index probe and a row lock
 *   on the task per inserted step, attempt and transition.
 * - Events carry the id of the transaction that wrote them (`xid`): readers stop at the oldest
 *   transaction still running, so a follower never skips an event committed late (./events.ts).
 */
import { StepwiseError } from '../../model/errors.js';
import { SchemaTooNewError } from '../errors.js';
import { FAST_COMMIT_MIGRATION_10, FAST_COMMIT_MIGRATION_11, FAST_COMMIT_MIGRATION_13, FAST_COMMIT_MIGRATION_8, GENERIC_PLANS_MIGRATION_14 } from './commitFastSql.js';
import { LOCK } from './locks.js';
import { PREPARE_COMMIT_2, PREPARE_COMMIT_11 } from './prepareCommitSql.js';
import type { Queryable } from './pool.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Statuses after which a task no longer runs by itself (FINISHED_STATUSES, as SQL). */
export const FINISHED_SQL = `('complete', 'error', 'cancelled')`;
/** FINISHED_SQL before migration 7 (one task status vocabulary): released migrations keep it. */
const FINISHED_SQL_V1 = `('complete', 'error', 'cancelled', 'completed', 'failed')`;

const ID = 'text COLLATE "C"';

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE stepwise.tasks (
  id ${ID} PRIMARY KEY,
  kind text NOT NULL,
  namespace ${ID} NOT NULL,
  name ${ID} NOT NULL,
  template_version ${ID} NOT NULL,
  template_ref ${ID} NOT NULL,
  status text NOT NULL,
  input json,
  data json,
  current_state ${ID},
  parent_task_id ${ID},
  parent_step_name ${ID},
  idempotency_key ${ID},
  participants text[] COLLATE "C" NOT NULL DEFAULT '{}',
  error json,
  result json,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  finished_at bigint,
  wake_at bigint,
  timeout_at bigint,
  delete_at bigint,
  debug json,
  version bigint NOT NULL
);
CREATE UNIQUE INDEX tasks_idempotency ON stepwise.tasks (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX tasks_newest ON stepwise.tasks (created_at, id);
CREATE INDEX tasks_status ON stepwise.tasks (status, created_at, id);
CREATE INDEX tasks_template ON stepwise.tasks (template_ref, created_at, id);
CREATE INDEX tasks_name ON stepwise.tasks (namespace, name, created_at, id);
CREATE INDEX tasks_parent ON stepwise.tasks (parent_task_id, created_at, id) WHERE parent_task_id IS NOT NULL;
CREATE INDEX tasks_participants ON stepwise.tasks USING gin (participants);
CREATE INDEX tasks_wake ON stepwise.tasks (wake_at) WHERE status = 'waiting' AND wake_at IS NOT NULL;
CREATE INDEX tasks_timeout ON stepwise.tasks (timeout_at) WHERE timeout_at IS NOT NULL AND status NOT IN ${FINISHED_SQL_V1};
CREATE INDEX tasks_delete ON stepwise.tasks (delete_at) WHERE delete_at IS NOT NULL;

CREATE TABLE stepwise.steps (
  id ${ID} PRIMARY KEY,
  ord bigserial NOT NULL,
  task_id ${ID} NOT NULL,
  name ${ID} NOT NULL,
  template_step ${ID} NOT NULL,
  type text NOT NULL,
  state text NOT NULL,
  depends_on json,
  attempts integer NOT NULL,
  max_attempts integer NOT NULL,
  retry_at bigint,
  wake_at bigint,
  results json,
  batch json,
  error json,
  lease_owner ${ID},
  lease_expires_at bigint,
  concurrency_key ${ID},
  progress json,
  dynamic boolean NOT NULL,
  created_by ${ID},
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  version bigint NOT NULL
);
CREATE UNIQUE INDEX steps_task_name ON stepwise.steps (task_id, name);
CREATE INDEX steps_task_ord ON stepwise.steps (task_id, ord);
CREATE INDEX steps_ready ON stepwise.steps (task_id, updated_at) WHERE state = 'ready';
CREATE INDEX steps_retry ON stepwise.steps (retry_at) WHERE state = 'waiting_for_retry';
CREATE INDEX steps_wake ON stepwise.steps (wake_at) WHERE state = 'waiting' AND wake_at IS NOT NULL;
CREATE INDEX steps_lease ON stepwise.steps (lease_expires_at) WHERE state = 'running';
CREATE INDEX steps_concurrency ON stepwise.steps (concurrency_key) WHERE state = 'running' AND concurrency_key IS NOT NULL;

CREATE TABLE stepwise.attempts (
  id ${ID} PRIMARY KEY,
  ord bigserial NOT NULL,
  task_id ${ID} NOT NULL,
  step_name ${ID} NOT NULL,
  number integer NOT NULL,
  started_at bigint NOT NULL,
  finished_at bigint,
  duration_ms bigint,
  outcome text,
  error json,
  output json,
  logs json
);
CREATE INDEX attempts_task_step ON stepwise.attempts (task_id, step_name, number);
CREATE INDEX attempts_task_ord ON stepwise.attempts (task_id, ord);

-- Append-only while the task lives. A sequence never hands a number out twice.
CREATE TABLE stepwise.transitions (
  seq bigserial PRIMARY KEY,
  task_id ${ID} NOT NULL,
  step_name ${ID},
  field text NOT NULL,
  from_value text,
  to_value text NOT NULL,
  reason text NOT NULL,
  actor text NOT NULL,
  at bigint NOT NULL,
  details json
);
CREATE INDEX transitions_task ON stepwise.transitions (task_id, seq);

-- Events outlive their task (task.deleted is itself an event). seq comes from event_seqs(),
-- xid from the writing transaction (see ./events.ts for why both).
CREATE SEQUENCE stepwise.event_seq AS bigint;
CREATE TABLE stepwise.events (
  seq bigint PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type text NOT NULL,
  task_id ${ID} NOT NULL,
  step_name ${ID},
  at bigint NOT NULL,
  payload json NOT NULL
);
CREATE INDEX events_task ON stepwise.events (task_id, seq);

CREATE TABLE stepwise.heartbeats (
  owner ${ID} PRIMARY KEY,
  pid integer NOT NULL,
  at bigint NOT NULL,
  kind text NOT NULL
);

-- Numbers n event seqs and gives the transaction its id inside one critical section, so that
-- event seq order is transaction id order (the property readers rely on; ./events.ts). Held
-- for microseconds: a session lock released before returning, never across the commit.
CREATE FUNCTION stepwise.event_seqs(n integer) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
  IF n <= 0 THEN RETURN; END IF;
  PERFORM pg_advisory_lock(${LOCK.eventSeq}, 0);
  PERFORM pg_current_xact_id();
  RETURN QUERY SELECT nextval('stepwise.event_seq') FROM generate_series(1, n);
  PERFORM pg_advisory_unlock(${LOCK.eventSeq}, 0);
END $$;

-- Takes the transaction locks of a commit in one fixed global order (class, then hash), so two
-- commits never wait for each other in a cycle. Tasks of patched steps are found here (a step's
-- task never changes). Advisory locks, not row locks: a row lock would give the transaction its
-- id before it waits, and event seqs must follow lock order (see event_seqs).
CREATE FUNCTION stepwise.lock_commit(task_ids text[], step_ids text[], other_classes integer[], other_keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT DISTINCT c, h FROM (
      SELECT ${LOCK.task} AS c, hashtext(t) AS h FROM unnest(task_ids) t
      UNION ALL SELECT ${LOCK.task}, hashtext(s.task_id) FROM stepwise.steps s WHERE s.id = ANY(step_ids)
      UNION ALL SELECT k.c, hashtext(k.n) FROM unnest(other_classes, other_keys) AS k(c, n)
    ) keys ORDER BY c, h
  LOOP
    PERFORM pg_advisory_xact_lock(r.c, r.h);
  END LOOP;
END $$;
`,
  },
  {
    // One round trip fewer per commit: the locks and the reads the checks need in one call
    // (./commit.ts sends it together with BEGIN). Each statement of a plpgsql function takes a
    // new snapshot, so the reads see every commit that ended while this one waited for its locks.
    version: 2,
    name: 'prepare_commit',
    sql: PREPARE_COMMIT_2,
  },
  {
    // Flow actions run under a lease (the SQLite migration 3 'task_leases', mirrored).
    version: 3,
    name: 'task_leases',
    sql: `
ALTER TABLE stepwise.tasks ADD COLUMN lease_owner ${ID};
ALTER TABLE stepwise.tasks ADD COLUMN lease_expires_at bigint;
ALTER TABLE stepwise.tasks ADD COLUMN state_attempts integer NOT NULL DEFAULT 0;
CREATE INDEX tasks_lease ON stepwise.tasks (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
`,
  },
  {
    // Engines reserve the tasks they work on (Storage.reserveTasks, PG_SQL.reserve in ./queries.ts). Times are
    // the database's clock (stepwise.now_ms), so engines on machines whose clocks disagree still
    // agree on when a reservation expires. (5 as in SQLite; 4 is SQLite's unreadable_tasks.)
    version: 5,
    name: 'reservations',
    sql: `
CREATE FUNCTION stepwise.now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS
  $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;
CREATE TABLE stepwise.reservations (
  task_id ${ID} PRIMARY KEY,
  owner ${ID} NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX reservations_owner ON stepwise.reservations (owner);
`,
  },
  {
    // What the cluster view shows of each engine (SQLite migration 6 'heartbeat_details', mirrored).
    version: 6,
    name: 'heartbeat_details',
    sql: `
ALTER TABLE stepwise.heartbeats ADD COLUMN host text NOT NULL DEFAULT '';
ALTER TABLE stepwise.heartbeats ADD COLUMN started_at bigint NOT NULL DEFAULT 0;
ALTER TABLE stepwise.heartbeats ADD COLUMN version text NOT NULL DEFAULT '';
ALTER TABLE stepwise.heartbeats ADD COLUMN every_ms integer NOT NULL DEFAULT 5000;
`,
  },
  {
    // One task status vocabulary with `paused` stored (the SQLite migration 7, mirrored): flows'
    // active/completed/failed become running/complete/error; an unfinished task the debugger holds
    // becomes `paused` with debug.resumeStatus. Transitions and events are left as written (readers
    // map the old words). `debug` is json, so it goes through jsonb to gain the key.
    version: 7,
    name: 'one_task_status',
    sql: `
UPDATE stepwise.tasks SET status = CASE status WHEN 'active' THEN 'running' WHEN 'completed' THEN 'complete' ELSE 'error' END
  WHERE status IN ('active', 'completed', 'failed');
UPDATE stepwise.tasks SET debug = (debug::jsonb || jsonb_build_object('resumeStatus', status))::json, status = 'paused'
  WHERE status IN ('pending', 'running', 'waiting') AND debug->>'paused' = 'true';
DROP INDEX stepwise.tasks_timeout;
CREATE INDEX tasks_timeout ON stepwise.tasks (timeout_at) WHERE timeout_at IS NOT NULL AND status NOT IN ${FINISHED_SQL};
`,
  },
  {
    // A commit in one round trip (./commitFast.ts): locks, event seqs, the version-checked writes
    // and the checks in one function call that is its own transaction. Any check that fails
    // raises SW001 (or a unique violation), which rolls everything back; the caller then runs the
    // three-round-trip path (prepare_commit, checks in JavaScript, write) to refuse the commit
    // with the exact error. The statement is built in TypeScript from the codec (fastCommitSql).
    version: 8,
    name: 'commit_fast',
    sql: FAST_COMMIT_MIGRATION_8,
  },
  {
    // Tasks with a row that does not decode (SQLite migration 3 'unreadable_tasks', mirrored):
    // the mark (an UnreadableRow as JSON) keeps the task out of every scan and reservation, so no
    // engine reaches for it again (./unreadable.ts).
    version: 9,
    name: 'unreadable_tasks',
    sql: `
ALTER TABLE stepwise.tasks ADD COLUMN unreadable text;
CREATE INDEX tasks_unreadable ON stepwise.tasks (id) WHERE unreadable IS NOT NULL;
`,
  },
  {
    // Task creation in the one round trip too (a start was three round trips before its 'work'
    // hint went out): tasks without an idempotency key, refused as duplicates by their PRIMARY KEY.
    version: 10,
    name: 'commit_fast_tasks',
    sql: FAST_COMMIT_MIGRATION_10,
  },
  {
    // A task marked unreadable by another process (migration 9) is refused by every commit that
    // patches it, as on SQLite: commit_fast's task UPDATE requires `unreadable IS NULL` (a marked
    // task counts as not patched, so the call is refused and the checked path runs), and
    // prepare_commit returns the stored marks, which the checked path refuses before STALE.
    version: 11,
    name: 'commit_refuses_unreadable',
    sql: `${FAST_COMMIT_MIGRATION_11}${PREPARE_COMMIT_11}`,
  },
  {
    // A task that finishes ends its reservations in the same transaction, whichever commit path,
    // engine or operator finished it (the cluster view showed a finished task as reserved until
    // the reservation ran out). A trigger, so commit_fast and prepare_commit keep their texts and
    // no commit gets a statement more; WHEN keeps it to the one update that finishes a task.
    version: 12,
    name: 'finished_tasks_release',
    sql: `
CREATE FUNCTION stepwise.release_finished() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM stepwise.reservations WHERE task_id = NEW.id;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER tasks_release_finished AFTER UPDATE OF status ON stepwise.tasks FOR EACH ROW
  WHEN (NEW.status IN ${FINISHED_SQL} AND OLD.status NOT IN ${FINISHED_SQL}) EXECUTE FUNCTION stepwise.release_finished();
`,
  },
  {
    // commit_fast reads its patches as jsonb (parsed once) instead of json, whose `->` parses the
    // patch's text again for each of two dozen columns (./codec.ts, PgTable.patch), and the commit
    // functions plan their statements as key lookups (KEY_LOOKUP_PLANS in ./commitFastSql.ts).
    version: 13,
    name: 'commit_fast_jsonb_patches',
    sql: FAST_COMMIT_MIGRATION_13,
  },
  {
    // The commit functions cache generic plans from a connection's first call (GENERIC_PLANS in
    // ./commitFastSql.ts): no custom planning of each new connection's next five commits.
    version: 14,
    name: 'commit_generic_plans',
    sql: GENERIC_PLANS_MIGRATION_14,
  },
];

/** The highest version (migrations may be listed out of number order: a lower one can land later). */
export const PG_LATEST_SCHEMA_VERSION = Math.max(...PG_MIGRATIONS.map((m) => m.version));

/** Versions recorded as applied (a migration landed later with a lower number still runs). */
async function appliedVersions(db: Queryable): Promise<Set<number>> {
  const exists = await db.query(`SELECT to_regclass('stepwise.schema_migrations') IS NOT NULL AS present`);
  if (!exists.rows[0].present) return new Set();
  const r = await db.query('SELECT version FROM stepwise.schema_migrations');
  return new Set(r.rows.map((row: { version: number }) => Number(row.version)));
}

/**
 * Brings the schema up to date; refuses (writing nothing) a database from a newer Stepwise.
 * Holds a session advisory lock throughout, so concurrent openers wait and then find it done.
 * Returns the versions it applied.
 */
export async function migratePostgres(db: Queryable, where: string, now: number, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  // Fast path without the lock: most opens find the schema current.
  const seen = await appliedVersions(db);
  const newest = Math.max(0, ...seen);
  if (newest > latest) throw new SchemaTooNewError(where, newest, latest);
  if (migrations.every((m) => seen.has(m.version))) return [];
  await db.query('SELECT pg_advisory_lock($1, 0)', [LOCK.migrate]);
  const applied: number[] = [];
  try {
    const found = await appliedVersions(db);
    const top = Math.max(0, ...found);
    if (top > latest) throw new SchemaTooNewError(where, top, latest);
    for (const m of migrations) {
      if (found.has(m.version)) continue;
      await db.query('BEGIN');
      try {
        await db.query(`CREATE SCHEMA IF NOT EXISTS stepwise;
          CREATE TABLE IF NOT EXISTS stepwise.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
        await db.query(m.sql);
        await db.query('INSERT INTO stepwise.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
        await db.query('COMMIT');
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw new StepwiseError('STORAGE_ERROR', `Migration ${m.version} (${m.name}) of ${where} failed: ${(err as Error).message}. Nothing of it was applied.`, {
          version: m.version,
        });
      }
      applied.push(m.version);
    }
  } finally {
    await db.query('SELECT pg_advisory_unlock($1, 0)', [LOCK.migrate]).catch(() => undefined);
  }
  return applied;
}
