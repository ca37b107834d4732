/**
 * Field ⇄ column mapping for the PostgreSQL tables (the field lists and JSON codecs are SQLite's,
 * ../sqlite/codec.ts; only the column types differ). Records travel to the server as one JSON
 * parameter per table and commit (json_to_recordset), so a commit has one statement whatever
 * the number of rows. JSON fields travel as JSON *strings* inside that parameter: PostgreSQL's
 * JSON functions refuse `\u0000` when they take a nested value apart, but a string is decoded to
 * text and cast to json as it was written.
 */
import type { AttemptRecord, StepRecord, TaskRecord } from '../../model/runtime.js';
import { unreadableRowError, wrongShape, type UnreadableRow } from '../rowCodec.js';
import { ATTEMPTS, STEPS, TASKS, type Column, type Table } from '../sqlite/codec.js';

const BIGINT = new Set(['created_at', 'updated_at', 'finished_at', 'wake_at', 'timeout_at', 'delete_at', 'version', 'retry_at', 'lease_expires_at', 'started_at', 'duration_ms']);
const INTEGER = new Set(['attempts', 'max_attempts', 'number', 'state_attempts']);

function pgType(c: Column): string {
  if (c.column === 'participants') return 'text[]';
  if (c.codec === 'bool') return 'boolean';
  if (c.codec === 'json') return 'text';
  if (BIGINT.has(c.column)) return 'bigint';
  if (INTEGER.has(c.column)) return 'integer';
  return 'text';
}

export interface PgTable<T> {
  name: string;
  /** The unqualified name (`tasks`), as an unreadable row is named on every storage. */
  table: string;
  /** Positions of the row's id and of its task's id in `columns` (to name an unreadable row). */
  idIndex: number;
  taskIdIndex: number;
  columns: readonly Column[];
  byField: ReadonlyMap<string, Column>;
  /** `c1, c2, ...` in columns order (select lists). */
  select: string;
  /** INSERT of every record in the JSON array parameter $1, in array order. */
  insert: string;
  /**
   * UPDATE of every patch in the JSON array parameter $1 (see `encodePatch`), reading the patch as
   * `json`: every column's `->` parses the patch's text again (two dozen columns, two lookups each).
   * Only the released stepwise.commit_fast texts (migrations 8, 10, 11) keep it.
   */
  update: string;
  /** The same UPDATE reading the patches as `jsonb`: parsed once, each column a key lookup. */
  patch: string;
  readonly _record?: T;
}

function pgTable<T>(t: Table<T>, qualified: string): PgTable<T> {
  const cols = t.columns;
  const select = cols.map((c) => c.column).join(', ');
  const recordType = cols.map((c) => `${c.column} ${pgType(c)}`).join(', ');
  const value = (c: Column, src: string) => (pgType(c) === 'text' && c.codec === 'json' ? `${src}.${c.column}::json` : `${src}.${c.column}`);
  const insert = `INSERT INTO ${qualified} (${select})
    SELECT ${cols.map((c) => value(c, 'r')).join(', ')} FROM json_to_recordset($1::json) AS r(${recordType})`;
  // A patch is {id, v: new version or null, s: {column: value}}; absent columns keep their value.
  const settable = cols.filter((c) => c.column !== 'id' && c.column !== 'version');
  const assign = (c: Column): string => {
    const raw = `p.s ->> '${c.column}'`;
    const cast =
      c.column === 'participants'
        ? `ARRAY(SELECT json_array_elements_text(p.s -> 'participants'))`
        : c.codec === 'json'
          ? `(${raw})::json`
          : pgType(c) === 'text'
            ? raw
            : `(${raw})::${pgType(c)}`;
    return `${c.column} = CASE WHEN p.s -> '${c.column}' IS NULL THEN t.${c.column} ELSE ${cast} END`;
  };
  const hasVersion = cols.some((c) => c.column === 'version');
  const update = `UPDATE ${qualified} AS t SET ${settable.map(assign).join(', ')}${hasVersion ? ', version = COALESCE((p.v)::bigint, t.version)' : ''}
    FROM (SELECT e ->> 'id' AS id, e ->> 'v' AS v, e -> 's' AS s FROM json_array_elements($1::json) AS e) AS p
    WHERE t.id = p.id`;
  // jsonb: the parameter is parsed once (json fields travel as strings inside it, so a \u0000 in
  // them is text to jsonb, as it is to json); `?` tests a key, `->>` finds it by binary search.
  const assignJsonb = (c: Column): string => {
    const raw = `p.s ->> '${c.column}'`;
    const cast =
      c.column === 'participants'
        ? `ARRAY(SELECT jsonb_array_elements_text(p.s -> 'participants'))`
        : c.codec === 'json'
          ? `(${raw})::json`
          : pgType(c) === 'text'
            ? raw
            : `(${raw})::${pgType(c)}`;
    return `${c.column} = CASE WHEN p.s ? '${c.column}' THEN ${cast} ELSE t.${c.column} END`;
  };
  const patch = `UPDATE ${qualified} AS t SET ${settable.map(assignJsonb).join(', ')}${hasVersion ? ', version = COALESCE((p.v)::bigint, t.version)' : ''}
    FROM (SELECT e ->> 'id' AS id, e ->> 'v' AS v, e -> 's' AS s FROM jsonb_array_elements($1::jsonb) AS e) AS p
    WHERE t.id = p.id`;
  return { name: qualified, table: t.name, idIndex: t.idIndex, taskIdIndex: t.taskIdIndex, columns: cols, byField: t.byField, select, insert, update, patch };
}

export const PG_TASKS = pgTable<TaskRecord>(TASKS, 'stepwise.tasks');
export const PG_STEPS = pgTable<StepRecord>(STEPS, 'stepwise.steps');
export const PG_ATTEMPTS = pgTable<AttemptRecord>(ATTEMPTS, 'stepwise.attempts');

function encodeValue(c: Column, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (c.codec === 'json' && c.column !== 'participants') return JSON.stringify(value);
  return value;
}

/** A whole record as the row object `insert` reads. */
export function encodeRow<T>(t: PgTable<T>, record: T): Record<string, unknown> {
  const r = record as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const c of t.columns) row[c.column] = encodeValue(c, r[c.field]);
  return row;
}

/** A patch as the object `update` reads: only the given keys are written. */
export function encodePatch<T>(t: PgTable<T>, id: string, keys: readonly string[], set: object, version: number | null): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  for (const k of keys) {
    const c = t.byField.get(k)!;
    const v = encodeValue(c, (set as Record<string, unknown>)[k]);
    // JSON null marks "set to NULL"; an absent key means "keep".
    s[c.column] = v;
  }
  return { id, v: version, s };
}

/**
 * A row read in array mode (columns order) as a record; NULL JSON columns read as their empty
 * value. The server keeps json columns valid JSON, but not of the right shape (an `input` that is
 * an array, `depends_on` an object: a hand edit, another program): such a column is unreadable
 * (../rowCodec.ts), given to `onUnreadable` and read as its empty value; without it, the read
 * throws ROW_UNREADABLE naming table, row, column and task.
 */
export function decodeRow<T>(t: PgTable<T>, row: readonly unknown[], onUnreadable?: (bad: UnreadableRow) => void): T {
  const out: Record<string, unknown> = {};
  const cols = t.columns;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const v = row[i];
    if (c.codec !== 'json') {
      out[c.field] = v;
      continue;
    }
    if (v === null) {
      out[c.field] = c.empty!();
      continue;
    }
    const reason = c.shape === undefined || c.shape === 'any' || c.column === 'participants' ? null : wrongShape(v, c.shape);
    if (reason === null) {
      out[c.field] = v;
      continue;
    }
    const bad: UnreadableRow = { table: t.table, rowId: String(row[t.idIndex]), column: c.column, taskId: String(row[t.taskIdIndex]), reason };
    if (!onUnreadable) throw unreadableRowError(bad);
    onUnreadable(bad);
    out[c.field] = c.empty!();
  }
  return out as T;
}
