/**
 * Reading a stored JSON column that may be damaged (a disk fault, a hand edit, another program
 * writing the file). A column that does not parse, or parses to the wrong shape (an `input` that
 * is not an object), is *unreadable*: the error names the table, the row, the column and the
 * task it belongs to, so one bad row never becomes a raw SyntaxError that stops a list, a runner
 * or the workbench. Shared by every storage that keeps JSON as text.
 */
import { StepwiseError } from '../model/errors.js';
import type { UnreadableRow } from '../model/runtime.js';

/** What a JSON column must hold. */
export type JsonShape = 'object' | 'array' | 'object-or-null' | 'any';

export type { UnreadableRow };

/** The parsed value, or why it is unreadable. */
export function parseJsonColumn(text: string, shape: JsonShape): { ok: true; value: unknown } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})` };
  }
  const why = wrongShape(value, shape);
  return why ? { ok: false, reason: why } : { ok: true, value };
}

/** Why `value` does not have `shape`, or null. */
export function wrongShape(value: unknown, shape: JsonShape): string | null {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (shape) {
    case 'any':
      return null;
    case 'object':
      return isObject ? null : `expected a JSON object, found ${describe(value)}`;
    case 'object-or-null':
      return isObject || value === null ? null : `expected a JSON object or null, found ${describe(value)}`;
    case 'array':
      return Array.isArray(value) ? null : `expected a JSON array, found ${describe(value)}`;
  }
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

export function describeUnreadable(row: UnreadableRow): string {
  return `${row.table}.${row.column} of row ${row.rowId} is ${row.reason}`;
}

/** A read that met an unreadable row of task `taskId`. */
export function unreadableRowError(row: UnreadableRow): StepwiseError {
  return new StepwiseError(
    'ROW_UNREADABLE',
    `Task ${row.taskId} cannot be read: ${describeUnreadable(row)}. The task is marked unreadable and is not run; everything else is served as before. ` +
      'Restore the database from a backup, or repair that column (it must hold JSON), to use the task again.',
    { ...row },
  );
}

/** A stored unreadable mark (tasks.unreadable) as a row description; one that does not parse still names its task. */
export function parseMark(text: string, taskId: string): UnreadableRow {
  try {
    const mark = JSON.parse(text) as UnreadableRow;
    if (mark && typeof mark === 'object' && typeof mark.table === 'string') return mark;
  } catch {
    // fall through
  }
  return { table: 'tasks', rowId: taskId, column: 'unreadable', taskId, reason: 'marked unreadable' };
}

/** What a storage knows of tasks with a row that does not decode (./sqlite/unreadable.ts, ./postgres/unreadable.ts). */
export interface UnreadableMarks {
  /** Marks `bad.taskId` (never throws). */
  mark(bad: UnreadableRow): void;
  /** Marked by this process (its mark may not be stored). */
  isKnown(taskId: string): boolean;
  /** Whether anything is marked by this process at all (the common case is no). */
  readonly any: boolean;
}

/**
 * Rows of many tasks (scans, bulk reads) decoded by `decode` (a table codec's decodeRow): a row
 * that does not decode is left out and its task marked, and so are the rows of every task this
 * process marked before (the one bad row makes the whole task unreadable; marks stored by any
 * process are left out by the storages' scan SQL). `taskIdIndex`: where a row holds its task's id.
 */
export function readableRows<T>(
  rows: readonly (readonly unknown[])[],
  taskIdIndex: number,
  decode: (row: readonly unknown[], onUnreadable: (bad: UnreadableRow) => void) => T,
  marks: UnreadableMarks,
): T[] {
  const out: T[] = [];
  for (const r of rows) {
    let bad = false;
    const record = decode(r, (b) => {
      marks.mark(b);
      bad = true;
    });
    if (bad || (marks.any && marks.isKnown(String(r[taskIdIndex])))) continue;
    out.push(record);
  }
  return out;
}
