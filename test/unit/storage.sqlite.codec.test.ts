/**
 * SQLite's row codec: a record read back equals the one written, field for field and in the
 * fields' order, is built as one compact object (not a dictionary: see recordDecoder), and an
 * unreadable json column is reported or refused exactly as before.
 */
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { UnreadableRow } from '../../core/model/runtime.js';
import { ATTEMPT_FIELDS, STEP_FIELDS, TASK_FIELDS } from '../../core/storage/fields.js';
import { ATTEMPTS, STEPS, TASKS, decodeRow, encodeRecord } from '../../core/storage/sqlite/codec.js';
import { attempt, step, task } from '../fixtures/storage/records.js';

// V8's own answer to "is this object in fast (not dictionary) mode".
v8.setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

describe('SQLite row codec', () => {
  const records = [
    { t: TASKS, fields: TASK_FIELDS, record: task('t1', { input: { a: [1, { b: 'c' }] }, participants: ['p'], error: { code: 'X', message: 'm', class: 'permanent' }, result: 7 }) },
    { t: STEPS, fields: STEP_FIELDS, record: step('t1', 's1', { dependsOn: ['s0'], results: { r: 1 }, dynamic: true, progress: { fraction: 0.5 } }) },
    { t: ATTEMPTS, fields: ATTEMPT_FIELDS, record: attempt('t1', 's1', 1, { logs: [{ at: 1, level: 'info', message: 'x' }], output: 'out' }) },
  ] as const;

  it('reads back what was written, every field in the fields order, as a fast-mode object', () => {
    for (const { t, fields, record } of records) {
      const row = encodeRecord(t as never, record);
      const back = decodeRow(t as never, row) as object;
      expect(back).toEqual(record);
      expect(Object.keys(back)).toEqual([...fields]);
      expect(hasFastProperties(back), `${t.name} record`).toBe(true);
    }
  });

  it('reads a NULL json column as its empty value, a fresh one each time', () => {
    const row = encodeRecord(TASKS, task('t1'));
    row[TASKS.columns.findIndex((c) => c.field === 'debug')] = null;
    row[TASKS.columns.findIndex((c) => c.field === 'participants')] = null;
    const a = decodeRow(TASKS, row);
    const b = decodeRow(TASKS, row);
    expect(a.debug).toEqual({ paused: false, breakpoints: [] });
    expect(a.participants).toEqual([]);
    expect(a.debug).not.toBe(b.debug);
    expect(decodeRow(STEPS, encodeRecord(STEPS, step('t1', 's1', { dynamic: false }))).dynamic).toBe(false);
  });

  it('reports unreadable json columns in column order, or refuses the row without a handler', () => {
    const row = encodeRecord(STEPS, step('t1', 's1'));
    row[STEPS.columns.findIndex((c) => c.field === 'dependsOn')] = '{"not": "a list"}';
    row[STEPS.columns.findIndex((c) => c.field === 'results')] = '{broken';
    const bad: UnreadableRow[] = [];
    const back = decodeRow(STEPS, row, (b) => bad.push(b));
    expect(bad.map((b) => [b.table, b.column, b.taskId, b.rowId])).toEqual([
      ['steps', 'depends_on', 't1', back.id],
      ['steps', 'results', 't1', back.id],
    ]);
    expect(bad[0]!.reason).toBe('expected a JSON array, found an object');
    expect(bad[1]!.reason).toMatch(/^not valid JSON/);
    expect(back.dependsOn).toEqual([]);
    expect(back.results).toBeNull();
    expect(() => decodeRow(STEPS, row)).toThrow(expect.objectContaining({ code: 'ROW_UNREADABLE' }));
  });
});
