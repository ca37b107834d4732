/** SQLite-only behaviour: schema migrations, reopening, refusing newer schemas, driver errors. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import { StepwiseError } from '../../core/model/errors.js';
import { openStorage } from '../../core/storage/index.js';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../core/storage/sqlite/migrations.js';
import { readyEvent, step, task, transition } from '../fixtures/storage/records.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-sqlite-'));
  file = join(dir, 'db.sqlite');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function migrationsRows(): Array<{ version: number; name: string; applied_at: number }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as never;
  } finally {
    db.close();
  }
}

describe('SQLite schema migrations', () => {
  it('runs every migration once on a new file and records it with the clock time', async () => {
    const clock = new ManualClock(1234);
    const s = new SqliteStorage({ file, clock });
    expect(s.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version));
    await s.close();
    const again = new SqliteStorage({ file, clock });
    expect(again.appliedMigrations).toEqual([]);
    await again.close();
    expect(migrationsRows()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 1234 })));
  });

  it('applies only the migrations a database is missing, in order', () => {
    const db = new Database(file);
    const extra = [...MIGRATIONS, { version: LATEST_SCHEMA_VERSION + 1, name: 'add_notes', sql: 'CREATE TABLE notes (id TEXT PRIMARY KEY)' }];
    expect(migrate(db, file, 1, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db, file, 2, extra)).toEqual([LATEST_SCHEMA_VERSION + 1]);
    expect(migrate(db, file, 3, extra)).toEqual([]);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'notes'`).pluck().get()).toBe('notes');
    db.close();
  });

  it('applies a migration numbered below one already applied (landed later), once', () => {
    const db = new Database(file);
    const late = { version: 1000, name: 'late', sql: 'CREATE TABLE late (id TEXT PRIMARY KEY)' };
    const early = { version: 999, name: 'early', sql: 'CREATE TABLE early (id TEXT PRIMARY KEY)' };
    expect(migrate(db, file, 1, [...MIGRATIONS, late])).toEqual([...MIGRATIONS.map((m) => m.version), 1000]);
    expect(migrate(db, file, 2, [...MIGRATIONS, early, late])).toEqual([999]);
    expect(migrate(db, file, 3, [...MIGRATIONS, early, late])).toEqual([]);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'early'`).pluck().get()).toBe('early');
    db.close();
  });

  it('refuses a database with a newer schema, with a typed error, and leaves it unchanged', async () => {
    await (await openStorage({ kind: 'sqlite', file })).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 5, 'future', 0);
    db.close();
    const before = migrationsRows();
    let err: unknown;
    try {
      new SqliteStorage({ file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StepwiseError);
    expect((err as StepwiseError).code).toBe('SCHEMA_TOO_NEW');
    expect((err as StepwiseError).details).toEqual({ file, found: LATEST_SCHEMA_VERSION + 5, supported: LATEST_SCHEMA_VERSION });
    expect((err as Error).message).toMatch(/Upgrade Stepwise/);
    expect(migrationsRows()).toEqual(before);
  });
});

describe('SQLite file behaviour', () => {
  it('openStorage creates the parent folder, and a reopened database keeps its data and seqs', async () => {
    const nested = join(dir, 'a', 'b', 'stepwise.db');
    const s = await openStorage({ kind: 'sqlite', file: nested });
    expect(existsSync(nested)).toBe(true);
    const r = await s.commit({
      insertTasks: [task('t1', { idempotencyKey: 'k', participants: ['order:1'] })],
      insertSteps: [step('t1', 'a')],
      transitions: [transition('t1', 'a', null, 'pending')],
      events: [readyEvent('t1', 'a')],
    });
    await s.close();
    const again = await openStorage({ kind: 'sqlite', file: nested });
    expect((await again.getTask('t1'))!.participants).toEqual(['order:1']);
    expect((await again.getSteps('t1')).map((x) => x.name)).toEqual(['a']);
    expect(await again.lastEventSeq()).toBe(r.events[0]!.seq);
    const err = await again.commit({ insertTasks: [task('t2', { idempotencyKey: 'k' })] }).catch((e: unknown) => e);
    expect((err as StepwiseError).code).toBe('DUPLICATE');
    expect((err as StepwiseError).details).toMatchObject({ existingTaskId: 't1' });
    const next = await again.commit({ events: [readyEvent('t1', 'a')] });
    expect(next.events[0]!.seq).toBe(r.events[0]!.seq + 1);
    await again.close();
  });

  it('switches the file to WAL journal mode', async () => {
    const s = new SqliteStorage({ file });
    await s.close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('two connections to one file: the second writer with the same expected version is refused', async () => {
    const a = new SqliteStorage({ file });
    const b = new SqliteStorage({ file });
    await a.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 's')] });
    const patch = { updateSteps: [{ id: 't1:s', expectedVersion: 1, set: { state: 'ready' as const } }] };
    await b.commit(patch);
    const err = await a.commit(patch).catch((e: unknown) => e);
    expect((err as StepwiseError).code).toBe('STALE');
    expect((await a.getStep('t1', 's'))!.version).toBe(2);
    await a.close();
    await b.close();
  });

  it('a driver failure mid-commit rolls back everything and surfaces as STORAGE_ERROR', async () => {
    const s = new SqliteStorage({ file });
    const broken = { ...step('t1', 'b'), state: null as never };
    const err = await s.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 'a'), broken], events: [readyEvent('t1', 'a')] }).catch((e: unknown) => e);
    expect((err as StepwiseError).code).toBe('STORAGE_ERROR');
    expect((err as StepwiseError).details).toMatchObject({ sqliteCode: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(await s.getTask('t1')).toBeNull();
    expect(await s.lastEventSeq()).toBe(0);
    await s.close();
  });
});
