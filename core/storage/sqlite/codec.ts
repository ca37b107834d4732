/**
 * Field ⇄ column mapping for the SQLite tables. JSON fields are TEXT; null is stored as SQL NULL
 * and read back as the field's empty value. Rows are read in raw (array) mode, in `columns` order,
 * which avoids building an intermediate object per row.
 */
import type { AttemptRecord, StepRecord, TaskRecord } from '../../model/runtime.js';
import { ATTEMPT_FIELDS, STEP_FIELDS, TASK_FIELDS } from '../fields.js';

type Codec = 'plain' | 'bool' | 'json';

export interface Column {
  field: string;
  column: string;
  codec: Codec;
  /** Read value of a NULL json column. */
  empty?: () => unknown;
}

export interface Table<T> {
  name: string;
  columns: readonly Column[];
  byField: ReadonlyMap<string, Column>;
  /** `col1, col2, ...` in columns order. */
  select: string;
  /** INSERT of a whole record, values in columns order. */
  insert: string;
  /** Phantom: the record type. */
  readonly _record?: T;
}

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

function table<T>(name: string, fields: readonly string[], special: Record<string, Partial<Column>>): Table<T> {
  const columns = fields.map((field): Column => ({ field, column: snake(field), codec: 'plain', ...special[field] }));
  const select = columns.map((c) => c.column).join(', ');
  const insert = `INSERT INTO ${name} (${select}) VALUES (${columns.map(() => '?').join(', ')})`;
  return { name, columns, byField: new Map(columns.map((c) => [c.field, c])), select, insert };
}

const obj = (): unknown => ({});
const arr = (): unknown => [];
const nil = (): unknown => null;
const json = (empty: () => unknown): Partial<Column> => ({ codec: 'json', empty });

export const TASKS = table<TaskRecord>('tasks', TASK_FIELDS, {
  input: json(obj),
  data: json(obj),
  participants: json(arr),
  error: json(nil),
  result: json(nil),
  debug: json(() => ({ paused: false, breakpoints: [] })),
});

export const STEPS = table<StepRecord>('steps', STEP_FIELDS, {
  dependsOn: json(arr),
  results: json(nil),
  batch: json(nil),
  error: json(nil),
  progress: json(nil),
  dynamic: { codec: 'bool' },
});

export const ATTEMPTS = table<AttemptRecord>('attempts', ATTEMPT_FIELDS, {
  error: json(nil),
  output: json(nil),
  logs: json(arr),
});

export function encode(column: Column, value: unknown): unknown {
  switch (column.codec) {
    case 'plain':
      return value ?? null;
    case 'bool':
      return value ? 1 : 0;
    case 'json':
      return value === null || value === undefined ? null : JSON.stringify(value);
  }
}

export function decodeRow<T>(t: Table<T>, row: readonly unknown[]): T {
  const out: Record<string, unknown> = {};
  const cols = t.columns;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const v = row[i];
    out[c.field] = c.codec === 'plain' ? v : c.codec === 'bool' ? v === 1 : v === null ? c.empty!() : JSON.parse(v as string);
  }
  return out as T;
}

/** Values of a whole record, in columns order (for INSERT). */
export function encodeRecord<T>(t: Table<T>, record: T): unknown[] {
  const r = record as Record<string, unknown>;
  return t.columns.map((c) => encode(c, r[c.field]));
}

/** `UPDATE t SET a = ?, b = ? [, version = ?] WHERE id = ?` for one set of patched fields. */
export function updateSql(t: Table<unknown>, keys: readonly string[], versioned: boolean): string {
  const sets = keys.map((k) => `${t.byField.get(k)!.column} = ?`);
  if (versioned) sets.push('version = ?');
  return `UPDATE ${t.name} SET ${sets.join(', ')} WHERE id = ?`;
}
