/**
 * Field ⇄ column mapping for the SQLite tables. JSON fields are TEXT; null is stored as SQL NULL
 * and read back as the field's empty value. Rows are read in raw (array) mode, in `columns` order,
 * which avoids building an intermediate object per row.
 */
import type { AttemptRecord, StepRecord, TaskRecord } from '../../model/runtime.js';
import { ATTEMPT_FIELDS, STEP_FIELDS, TASK_FIELDS } from '../fields.js';
import { unreadableRowError, wrongShape, type JsonShape, type UnreadableRow } from '../rowCodec.js';

type Codec = 'plain' | 'bool' | 'json';

export interface Column {
  field: string;
  column: string;
  codec: Codec;
  /** Read value of a NULL json column. */
  empty?: () => unknown;
  /** What a json column must hold to be readable (../rowCodec.ts). */
  shape?: JsonShape;
}

export interface Table<T> {
  name: string;
  columns: readonly Column[];
  byField: ReadonlyMap<string, Column>;
  /** `col1, col2, ...` in columns order. */
  select: string;
  /** INSERT of a whole record, values in columns order. */
  insert: string;
  /** Positions of the row's id and of its task's id in `columns` (to name an unreadable row). */
  idIndex: number;
  taskIdIndex: number;
  /** A row (columns order) as a record: see decodeRow. */
  decode: (row: readonly unknown[], onUnreadable: ((bad: UnreadableRow) => void) | undefined) => T;
}

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

function table<T>(name: string, fields: readonly string[], special: Record<string, Partial<Column>>): Table<T> {
  const columns = fields.map((field): Column => ({ field, column: snake(field), codec: 'plain', ...special[field] }));
  const select = columns.map((c) => c.column).join(', ');
  const insert = `INSERT INTO ${name} (${select}) VALUES (${columns.map(() => '?').join(', ')})`;
  const idIndex = fields.indexOf('id');
  const taskIdIndex = fields.includes('taskId') ? fields.indexOf('taskId') : idIndex;
  const t = { name, columns, byField: new Map(columns.map((c) => [c.field, c])), select, insert, idIndex, taskIdIndex };
  return { ...t, decode: recordDecoder<T>(t) };
}

/**
 * The decoder of a table's rows: one object literal with every field, generated once per table
 * from its field names (the constants of ../fields.ts, checked to be plain identifiers). A record
 * built key by key (`out[field] = value`) passes V8's limit of properties added by keyed stores
 * (about a dozen) for a step (23 fields) or a task (27): V8 then keeps it as a dictionary, several
 * times slower to build (1.2–1.9 µs against ~0.2 µs a row, micro-benchmark) and slower to read
 * for everything that holds it afterwards (the engine's views, flows, the workbench).
 */
function recordDecoder<T>(t: Omit<Table<T>, 'decode'>): Table<T>['decode'] {
  const fields = t.columns.map((c, i) => {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(c.field)) throw new Error(`The field name '${c.field}' of table ${t.name} is not a plain identifier.`);
    const value = c.codec === 'plain' ? `row[${i}]` : c.codec === 'bool' ? `row[${i}] === 1` : `json(row, ${i}, onUnreadable)`;
    return `${c.field}: ${value}`;
  });
  type JsonColumn = (row: readonly unknown[], i: number, onUnreadable: ((bad: UnreadableRow) => void) | undefined) => unknown;
  const make = new Function('json', `return function decode(row, onUnreadable) { return { ${fields.join(', ')} }; };`) as (json: JsonColumn) => Table<T>['decode'];
  return make((row, i, onUnreadable) => jsonColumn(t, row, i, onUnreadable));
}

const obj = (): unknown => ({});
const arr = (): unknown => [];
const nil = (): unknown => null;
const json = (empty: () => unknown, shape: JsonShape): Partial<Column> => ({ codec: 'json', empty, shape });

export const TASKS = table<TaskRecord>('tasks', TASK_FIELDS, {
  input: json(obj, 'object'),
  data: json(obj, 'object'),
  participants: json(arr, 'array'),
  error: json(nil, 'object-or-null'),
  result: json(nil, 'any'),
  debug: json(() => ({ paused: false, breakpoints: [] }), 'object'),
});

export const STEPS = table<StepRecord>('steps', STEP_FIELDS, {
  dependsOn: json(arr, 'array'),
  results: json(nil, 'any'),
  batch: json(nil, 'any'),
  error: json(nil, 'object-or-null'),
  progress: json(nil, 'object-or-null'),
  dynamic: { codec: 'bool' },
});

export const ATTEMPTS = table<AttemptRecord>('attempts', ATTEMPT_FIELDS, {
  error: json(nil, 'object-or-null'),
  output: json(nil, 'any'),
  logs: json(arr, 'array'),
});

export function encode(column: Column, value: unknown): unknown {
  switch (column.codec) {
    case 'plain':
      return value ?? null;
    case 'bool':
      return value ? 1 : 0;
    case 'json':
      if (value === null || value === undefined) return null;
      // An empty list (an attempt's logs, a step's dependsOn) is the commonest value: no call for it.
      return Array.isArray(value) && value.length === 0 ? '[]' : JSON.stringify(value);
  }
}

/**
 * A row read in raw mode (columns order) as a record. An unreadable json column (../rowCodec.ts)
 * is given to `onUnreadable`, and reads as the column's empty value; without it, the read throws
 * ROW_UNREADABLE naming table, row, column and task.
 */
export function decodeRow<T>(t: Table<T>, row: readonly unknown[], onUnreadable?: (bad: UnreadableRow) => void): T {
  return t.decode(row, onUnreadable);
}

/** The json column at `i` of a row: its parsed value, or its empty value when NULL or unreadable. */
function jsonColumn(t: Omit<Table<unknown>, 'decode'>, row: readonly unknown[], i: number, onUnreadable: ((bad: UnreadableRow) => void) | undefined): unknown {
  const c = t.columns[i]!;
  const v = row[i];
  if (v === null) return c.empty!();
  let value: unknown;
  let reason: string | null = null;
  try {
    value = JSON.parse(v as string);
    if (c.shape !== undefined && c.shape !== 'any') reason = wrongShape(value, c.shape);
  } catch (err) {
    reason = typeof v === 'string' ? `not valid JSON (${(err as Error).message})` : `a ${typeof v}, not JSON text`;
  }
  if (reason === null) return value;
  const bad: UnreadableRow = { table: t.name, rowId: String(row[t.idIndex]), column: c.column, taskId: String(row[t.taskIdIndex]), reason };
  if (!onUnreadable) throw unreadableRowError(bad);
  onUnreadable(bad);
  return c.empty!();
}

/** Values of a whole record, in columns order (for INSERT). */
export function encodeRecord<T>(t: Table<T>, record: T): unknown[] {
  const r = record as Record<string, unknown>;
  return t.columns.map((c) => encode(c, r[c.field]));
}

/**
 * What a table's UPDATE needs for one patch shape, built once per table and key list. The engine
 * patches a handful of shapes (claim, completion, lease), and patchKeys (../fields.ts) hands every
 * patch of a shape the same key list, so a patch finds its SQL and columns with one WeakMap lookup
 * (a list from elsewhere just gets its own entry, dropped with it).
 */
interface PatchSql {
  /** The patched columns, in `keys` order. */
  columns: readonly Column[];
  /** updateSql texts: [unversioned, versioned], built when first asked for. */
  update: [string | null, string | null];
  /** checkedUpdateSql texts by `returning` ('' for none), then `condition`. */
  checked: Map<string, Map<string, string>>;
}

const patchSqls = new WeakMap<Table<unknown>, WeakMap<readonly string[], PatchSql>>();

function patchSql(t: Table<unknown>, keys: readonly string[]): PatchSql {
  let byKeys = patchSqls.get(t);
  if (!byKeys) patchSqls.set(t, (byKeys = new WeakMap()));
  let p = byKeys.get(keys);
  if (p === undefined) {
    p = { columns: keys.map((k) => t.byField.get(k)!), update: [null, null], checked: new Map() };
    byKeys.set(keys, p);
  }
  return p;
}

/** The columns of `keys` (a patch's key list), in that order: what patch values are encoded with. */
export function patchColumns(t: Table<unknown>, keys: readonly string[]): readonly Column[] {
  return patchSql(t, keys).columns;
}

/** `UPDATE t SET a = ?, b = ? [, version = ?] WHERE id = ?` for one set of patched fields. */
export function updateSql(t: Table<unknown>, keys: readonly string[], versioned: boolean): string {
  const p = patchSql(t, keys);
  const at = versioned ? 1 : 0;
  let sql = p.update[at];
  if (sql === null) {
    const sets = p.columns.map((c) => `${c.column} = ?`);
    if (versioned) sets.push('version = ?');
    p.update[at] = sql = `UPDATE ${t.name} SET ${sets.join(', ')} WHERE id = ?`;
  }
  return sql;
}

/**
 * `UPDATE t SET a = ?, b = ?, version = ? WHERE id = ? AND version = ? [AND condition] [RETURNING col]`:
 * the version check (and `condition`) and the write in one statement (no row changed = stale,
 * missing or refused by the condition).
 */
export function checkedUpdateSql(t: Table<unknown>, keys: readonly string[], returning: string | null, condition = ''): string {
  const p = patchSql(t, keys);
  // Callers pass constants (strings whose hash is computed once), so no key is built per call.
  let byCondition = p.checked.get(returning ?? '');
  if (!byCondition) p.checked.set(returning ?? '', (byCondition = new Map()));
  let sql = byCondition.get(condition);
  if (sql === undefined) {
    const sets = p.columns.map((c) => `${c.column} = ?`);
    sets.push('version = ?');
    sql = `UPDATE ${t.name} SET ${sets.join(', ')} WHERE id = ? AND version = ?${condition ? ` AND ${condition}` : ''}${returning === null ? '' : ` RETURNING ${returning}`}`;
    byCondition.set(condition, sql);
  }
  return sql;
}
