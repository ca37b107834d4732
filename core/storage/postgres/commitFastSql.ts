/**
 * `stepwise.commit_fast`: a whole commit in one function call, so in one round trip and one
 * implicit transaction (./commitFast.ts sends it). In order:
 *   1. the task advisory locks in the global order (stepwise.lock_commit, as the checked path),
 *   2. the event seqs (stepwise.event_seqs: the transaction gets its id inside that critical
 *      section, so event seq order stays transaction id order — nothing before it writes),
 *   3. referenced tasks that the commit does not patch must exist,
 *   4. one statement of data-modifying CTEs: task and step patches carry their version check in
 *      the WHERE (`version = new version - 1`; task patches also `unreadable IS NULL`, so a task
 *      marked unreadable by any process is not written), attempt patches their existence, inserts are
 *      refused by their unique indexes; then the counts of rows patched are compared with the
 *      counts sent.
 * Any failed check raises SW001 (a duplicate raises 23505): everything rolls back, and the caller
 * runs the checked three-round-trip path, which refuses the commit with the exact error and order
 * of ../check.ts (or commits it, if what failed here was changed back in between: versions never
 * go back, so that is only a record that appeared).
 *
 * The statement is generated from the codec's columns. The function is created by migration 8 and
 * re-created by 10 and 11; when the codec's columns change, a new migration must re-create it
 * (test/unit/storage.postgres.fastCommit.test.ts compares the installed body with this text).
 */
import { PG_ATTEMPTS, PG_STEPS, PG_TASKS } from './codec.js';

/** SQLSTATE raised when a check of the one-round-trip commit fails. */
export const FAST_COMMIT_REFUSED = 'SW001';

const versioned = (update: string, param: string, returning: string, condition = '') =>
  `${update.replace(/\$1/g, param)} AND t.version = (p.v)::bigint - 1${condition} RETURNING ${returning}`;

/**
 * The body of stepwise.commit_fast (between the dollar quotes) as migration `version` installs it:
 * 8 the first, 10 also inserting tasks (without idempotency key: their PRIMARY KEY refuses a
 * duplicate id), 11 also refusing a patch of a task marked unreadable (by any process: the mark
 * is checked in the task's own UPDATE, as SQLite does, so a marked task counts as not patched and
 * the checked path names ROW_UNREADABLE). A released version's text never changes; a new one is
 * a new migration.
 */
function fastCommitBody(version: 8 | 10 | 11 | 13): string {
  const tasks = version >= 10;
  // 13 reads the patches as jsonb (see PgTable.patch): the same rows written, less server CPU.
  const update = (t: { update: string; patch: string }) => (version >= 13 ? t.patch : t.update);
  const readableOnly = version >= 11 ? ' AND t.unreadable IS NULL' : '';
  return `
DECLARE
  seqs bigint[];
  got_ut bigint;
  got_ust bigint;
  got_ua bigint;
  trs bigint[];
BEGIN
  PERFORM stepwise.lock_commit(p_tasks, p_steps, '{}'::integer[], '{}'::text[]);
  seqs := ARRAY(SELECT stepwise.event_seqs(p_events));
  IF cardinality(p_required) > 0 AND (SELECT count(*) FROM stepwise.tasks x WHERE x.id = ANY(p_required)) <> cardinality(p_required) THEN
    RAISE EXCEPTION 'stepwise: a task this commit refers to does not exist' USING ERRCODE = '${FAST_COMMIT_REFUSED}';
  END IF;
  WITH ${tasks ? `it AS (${PG_TASKS.insert.replace(/\$1/g, 'j_it')}),
  ` : ''}ut AS (${versioned(update(PG_TASKS), 'j_ut', 't.id', readableOnly)}),
  ust AS (${versioned(update(PG_STEPS), 'j_ust', 't.task_id')}),
  bt AS (
    UPDATE stepwise.tasks SET version = version + 1
    WHERE id IN (SELECT ust.task_id FROM ust UNION SELECT unnest(p_bump)) AND NOT (id = ANY(p_patched))
  ),
  ist AS (${PG_STEPS.insert.replace(/\$1/g, 'j_ist')}),
  ia AS (${PG_ATTEMPTS.insert.replace(/\$1/g, 'j_ia')}),
  ua AS (${update(PG_ATTEMPTS).replace(/\$1/g, 'j_ua')} RETURNING t.id),
  tr AS (
    INSERT INTO stepwise.transitions (task_id, step_name, field, from_value, to_value, reason, actor, at, details)
    SELECT r.task_id, r.step_name, r.field, r.from_value, r.to_value, r.reason, r.actor, r.at, r.details::json
    FROM json_to_recordset(j_tr::json) AS r(task_id text, step_name text, field text, from_value text, to_value text,
      reason text, actor text, at bigint, details text)
    RETURNING seq
  ),
  ev AS (
    INSERT INTO stepwise.events (seq, type, task_id, step_name, at, payload)
    SELECT seqs[r.n], r.type, r.task_id, r.step_name, r.at, r.payload::json
    FROM ROWS FROM (json_to_recordset(j_ev::json) AS (type text, task_id text, step_name text, at bigint, payload text)) WITH ORDINALITY
      AS r(type, task_id, step_name, at, payload, n)
  )
  SELECT (SELECT count(*) FROM ut), (SELECT count(*) FROM ust), (SELECT count(*) FROM ua), ARRAY(SELECT tr.seq FROM tr ORDER BY tr.seq)
    INTO got_ut, got_ust, got_ua, trs;
  IF got_ut <> n_ut OR got_ust <> n_ust OR got_ua <> n_ua THEN
    RAISE EXCEPTION 'stepwise: a version or record this commit expects has changed' USING ERRCODE = '${FAST_COMMIT_REFUSED}';
  END IF;
  tr_seqs := trs;
  ev_seqs := seqs;
  RETURN NEXT;
END`;
}

const PARAMS_8 = `
  p_tasks text[], p_steps text[], p_required text[], p_patched text[], p_bump text[], p_events integer,
  j_ut text, j_ust text, j_ist text, j_ia text, j_ua text, j_tr text, j_ev text,
  n_ut integer, n_ust integer, n_ua integer`;

/** The body the latest migration installs (the test compares the database's with it). */
export const FAST_COMMIT_BODY = fastCommitBody(13);

const SIGNATURE_10 = `stepwise.commit_fast(${PARAMS_8}, j_it text)
RETURNS TABLE (tr_seqs bigint[], ev_seqs bigint[])`;

/** Migration 8: the function without task inserts. */
export const FAST_COMMIT_MIGRATION_8 = `
CREATE FUNCTION stepwise.commit_fast(${PARAMS_8})
RETURNS TABLE (tr_seqs bigint[], ev_seqs bigint[]) LANGUAGE plpgsql AS $fn$${fastCommitBody(8)}$fn$;
`;

/** Migration 10: re-created with task inserts (`j_it`, the last parameter). */
export const FAST_COMMIT_MIGRATION_10 = `
DROP FUNCTION stepwise.commit_fast(${PARAMS_8.replace(/\b[pjn]_\w+ /g, '')});
CREATE FUNCTION ${SIGNATURE_10} LANGUAGE plpgsql AS $fn$${fastCommitBody(10)}$fn$;
`;

/** Migration 11: the same signature, refusing a patch of a task with a stored unreadable mark. */
export const FAST_COMMIT_MIGRATION_11 = `
CREATE OR REPLACE FUNCTION ${SIGNATURE_10} LANGUAGE plpgsql AS $fn$${fastCommitBody(11)}$fn$;
`;

/**
 * How the commit functions' statements are planned (a SET clause of each function, so it holds
 * for their statements and for the functions they call, and nowhere else). Every row a commit
 * touches is found by key, but the planner takes each JSON array of patches for 100 rows and a
 * small or not yet analysed table for a few pages, so it chose hash joins over full scans of steps
 * and attempts: every commit read every step and attempt row (measured: a 500-step fan-out's
 * commit scanned all 500 steps and all attempts so far), a cost growing with the tables until
 * their statistics tell it otherwise. Nested loops over the primary keys cost the same at any size.
 */
export const KEY_LOOKUP_PLANS = 'SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off';

/** Migration 13: the same signature and checks, patches read as jsonb, planned as key lookups. */
export const FAST_COMMIT_MIGRATION_13 = `
CREATE OR REPLACE FUNCTION ${SIGNATURE_10} LANGUAGE plpgsql ${KEY_LOOKUP_PLANS} AS $fn$${FAST_COMMIT_BODY}$fn$;
ALTER FUNCTION stepwise.lock_commit(text[], text[], integer[], text[]) ${KEY_LOOKUP_PLANS};
ALTER FUNCTION stepwise.prepare_commit(json) ${KEY_LOOKUP_PLANS};
`;

/**
 * How the commit functions' statements are cached: the generic plan from a connection's first call
 * on. By default a statement with parameters is planned afresh for its first five executions on
 * each connection (custom plans, one of them parsing every JSON parameter at plan time), and only
 * then cached generic: measured on a fresh connection, commit_fast's calls 2-6 took 8.4-10.2 ms of
 * server CPU together, 3.3-4.5 ms with this; later calls are the same either way (the generic plan
 * is the one kept after the fifth call; KEY_LOOKUP_PLANS makes it key lookups at any size).
 * Every new pool connection (a runner's start, a burst after the pool's 30 s idle timeout) pays it.
 */
export const GENERIC_PLANS = 'SET plan_cache_mode = force_generic_plan';

/** Migration 14: the commit functions (and lock_commit, which both call) cache generic plans at once. */
export const GENERIC_PLANS_MIGRATION_14 = `
ALTER FUNCTION stepwise.commit_fast(${PARAMS_8.replace(/\b[pjn]_\w+ /g, '')}, text) ${GENERIC_PLANS};
ALTER FUNCTION stepwise.lock_commit(text[], text[], integer[], text[]) ${GENERIC_PLANS};
ALTER FUNCTION stepwise.prepare_commit(json) ${GENERIC_PLANS};
`;
