/**
 * readableRows (core/storage/rowCodec.ts): the one loop SQLite's and PostgreSQL's scans and bulk
 * reads share over their own codecs — a row that does not decode is left out and its task
 * marked, and so is every later row of a task marked already.
 */
import { describe, expect, it } from 'vitest';
import type { StepRecord, UnreadableRow } from '../../core/model/runtime.js';
import { PG_STEPS, decodeRow as decodePg } from '../../core/storage/postgres/codec.js';
import { readableRows, type UnreadableMarks } from '../../core/storage/rowCodec.js';
import { STEPS, decodeRow as decodeSqlite, encodeRecord } from '../../core/storage/sqlite/codec.js';
import { step } from '../fixtures/storage/records.js';

function marks(before: string[] = []): UnreadableMarks & { known: Map<string, UnreadableRow | null> } {
  const known = new Map<string, UnreadableRow | null>(before.map((id) => [id, null]));
  return {
    known,
    mark: (bad) => void known.set(bad.taskId, bad),
    isKnown: (id) => known.has(id),
    get any() {
      return known.size > 0;
    },
  };
}

const records = [step('t1', 'a'), step('t2', 'a'), step('t2', 'b'), step('t3', 'a'), step('t4', 'a')];
const dependsOn = STEPS.columns.findIndex((c) => c.column === 'depends_on');

const codecs = [
  {
    name: 'SQLite (JSON as text)',
    rows: records.map((r) => encodeRecord(STEPS, r)),
    decode: (row: readonly unknown[], on: (bad: UnreadableRow) => void) => decodeSqlite(STEPS, row, on),
    taskIdIndex: STEPS.taskIdIndex,
  },
  {
    name: 'PostgreSQL (JSON parsed by the driver)',
    rows: records.map((r) => PG_STEPS.columns.map((c) => (r as unknown as Record<string, unknown>)[c.field])),
    decode: (row: readonly unknown[], on: (bad: UnreadableRow) => void) => decodePg(PG_STEPS, row, on),
    taskIdIndex: PG_STEPS.taskIdIndex,
  },
];

describe.each(codecs)('readableRows over $name', ({ rows, decode, taskIdIndex, name }) => {
  it('decodes every row of readable tasks, in order', () => {
    const m = marks();
    expect(readableRows(rows, taskIdIndex, decode, m).map((s: StepRecord) => s.id)).toEqual(records.map((r) => r.id));
    expect(m.known.size).toBe(0);
  });

  it('leaves out a row that does not decode, marks its task, and leaves out its later rows and those of tasks marked before', () => {
    const bad = rows.map((r) => [...r]);
    // t2:a's depends_on is an object, not an array (a hand edit, another program).
    bad[1]![dependsOn] = name.startsWith('SQLite') ? '{"x":1}' : { x: 1 };
    const m = marks(['t4']);
    expect(readableRows(bad, taskIdIndex, decode, m).map((s: StepRecord) => s.id)).toEqual(['t1:a', 't3:a']);
    expect(m.known.get('t2')).toMatchObject({ table: 'steps', rowId: 't2:a', column: 'depends_on', taskId: 't2' });
  });
});
