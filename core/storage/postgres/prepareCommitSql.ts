/**
 * `stepwise.prepare_commit`, the first round trip of the checked commit path (./commit.ts): the
 * advisory locks, then every read the shared checks need, in one call. Created by migration 2 and
 * re-created by 11 (./migrations.ts); a released text never changes.
 */

/** Migration 2's stepwise.prepare_commit (released: this text never changes). */
export const PREPARE_COMMIT_2 = `
CREATE FUNCTION stepwise.prepare_commit(args json)
RETURNS TABLE (k text, a text, b text, n bigint, st text, ck text) LANGUAGE plpgsql AS $$
DECLARE
  task_ids text[] := ARRAY(SELECT json_array_elements_text(args -> 'tasks'));
  step_ids text[] := ARRAY(SELECT json_array_elements_text(args -> 'patchedSteps'));
  lock_classes integer[] := ARRAY(SELECT json_array_elements_text(args -> 'classes')::integer);
  lock_keys text[] := ARRAY(SELECT json_array_elements_text(args -> 'keys'));
  new_keys text[] := ARRAY(SELECT json_array_elements_text(args -> 'newKeys'));
  all_steps text[] := ARRAY(SELECT json_array_elements_text(args -> 'steps'));
  name_tasks text[] := ARRAY(SELECT json_array_elements_text(args -> 'nameTasks'));
  names text[] := ARRAY(SELECT json_array_elements_text(args -> 'names'));
  attempt_ids text[] := ARRAY(SELECT json_array_elements_text(args -> 'attempts'));
  guard_keys text[] := ARRAY(SELECT json_array_elements_text(args -> 'guardKeys'));
  events integer := (args ->> 'events')::integer;
BEGIN
  IF cardinality(task_ids) + cardinality(step_ids) + cardinality(lock_classes) > 0 THEN
    PERFORM stepwise.lock_commit(task_ids, step_ids, lock_classes, lock_keys);
  END IF;
  RETURN QUERY
    SELECT 't'::text, t.id::text, NULL::text, t.version, NULL::text, NULL::text FROM stepwise.tasks t WHERE t.id = ANY(task_ids)
    UNION ALL SELECT 'i', t.idempotency_key, t.id, NULL, NULL, NULL FROM stepwise.tasks t WHERE t.idempotency_key = ANY(new_keys)
    UNION ALL SELECT 's', s.id, s.task_id, s.version, s.state, s.concurrency_key FROM stepwise.steps s WHERE s.id = ANY(all_steps)
    UNION ALL SELECT 'n', s.task_id, s.name, NULL, NULL, NULL FROM stepwise.steps s
      JOIN unnest(name_tasks, names) AS q(task_id, name) ON s.task_id = q.task_id AND s.name = q.name
    UNION ALL SELECT 'a', x.id, NULL, NULL, NULL, NULL FROM stepwise.attempts x WHERE x.id = ANY(attempt_ids)
    UNION ALL SELECT 'c', s.concurrency_key, NULL, count(*), NULL, NULL FROM stepwise.steps s
      WHERE s.state = 'running' AND s.concurrency_key = ANY(guard_keys) GROUP BY s.concurrency_key
    UNION ALL SELECT 'e', NULL, NULL, q.seq, NULL, NULL FROM stepwise.event_seqs(events) AS q(seq);
END $$;
`;

/**
 * Migration 11's: the same function whose task rows ('t') carry the task's stored unreadable mark
 * in `b`, so the checked path refuses a patch of a marked task (ROW_UNREADABLE, before STALE, as
 * SQLite) without another statement.
 */
export const PREPARE_COMMIT_11 = replaceOnce(
  replaceOnce(PREPARE_COMMIT_2, 'CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'),
  "SELECT 't'::text, t.id::text, NULL::text,",
  "SELECT 't'::text, t.id::text, t.unreadable,",
);

/** `text` with `from` replaced; throws (at load) if `from` is not in it exactly once. */
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`migration text: expected one "${from}"`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}
