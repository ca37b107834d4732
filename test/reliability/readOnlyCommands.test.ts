/**
 * Attack (issue 12): commands that only read wrote to the database. `stepwise tasks --db
 * other.db` on another program's SQLite file switched it to WAL and created Stepwise's tables in
 * it; on a database from a newer Stepwise the error said "the database was not changed" while the
 * file had changed (DELETE → WAL). Now tasks, show, insights and graph --task open the database
 * read-only, and every open (reading or writing) refuses a foreign, non-SQLite or newer file
 * before anything is written. Checked by the files' md5.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli.js';
import { openStorage } from '../../core/storage/index.js';
import { MIGRATIONS } from '../../core/storage/sqlite/migrations.js';
import { migrate } from '../../core/storage/sqlite/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-readonly-'));
const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');


let taskId = '';
const ws = join(dir, 'ws');
const db = join(dir, 'stepwise.db');

beforeAll(async () => {
  mkdirSync(join(ws, 'templates'), { recursive: true });
  mkdirSync(join(ws, 'handlers'));
  writeFileSync(join(ws, 'templates', 'hello.yaml'), 'name: hello\nnamespace: ro\nversion: 1.0.0\nsteps:\n  - { name: a, handler: a }\n  - { name: b, handler: a, depends_on: [a] }\n');
  writeFileSync(join(ws, 'handlers', 'a.ts'), 'export const a = () => ({ ok: true });\n');
  const run = await cli('run', 'hello', '--workspace', ws, '--db', db, '--executor', 'inline', '--json');
  expect(run.code).toBe(0);
  taskId = (JSON.parse(run.out) as { task: { id: string } }).task.id;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('commands that only read never change the database file', () => {
  it('tasks, show, insights and graph --task leave a Stepwise database byte for byte as it was', async () => {
    const before = md5(db);
    const common = ['--workspace', ws, '--db', db];
    expect((await cli('tasks', ...common)).out).toContain(taskId);
    expect((await cli('tasks', ...common, '--json')).code).toBe(0);
    expect((await cli('show', taskId, ...common)).out).toContain('steps:');
    expect((await cli('insights', ...common)).code).toBe(0);
    expect((await cli('graph', '--task', taskId, ...common)).out).toContain('digraph');
    expect(md5(db)).toBe(before);
  });

  it('a missing database is reported, not created', async () => {
    const missing = join(dir, 'nowhere', 'missing.db');
    const r = await cli('tasks', '--workspace', ws, '--db', missing);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: NOT_FOUND: There is no database at .*missing\.db\. Nothing was created\./);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('a database at an older schema is refused read-only, saying how to upgrade it', async () => {
    const old = join(dir, 'old.db');
    const conn = new Database(old);
    migrate(conn, old, 0, MIGRATIONS.slice(0, 1));
    conn.close();
    const before = md5(old);
    const r = await cli('tasks', '--workspace', ws, '--db', old);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/SCHEMA_TOO_OLD: .* has schema version 1; .*Nothing was changed\. Run a command that writes/);
    expect(md5(old)).toBe(before);
  });
});

describe('a file that is not a Stepwise database is refused before anything is written', () => {
  function foreign(): string {
    const file = join(dir, `notes-${Math.random().toString(36).slice(2)}.db`);
    const conn = new Database(file);
    conn.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');");
    conn.close();
    return file;
  }

  it('another program’s SQLite file: every command, reading or writing, refuses it and leaves it unchanged', async () => {
    const file = foreign();
    const before = md5(file);
    for (const argv of [
      ['tasks'],
      ['show', taskId],
      ['insights'],
      ['run', 'hello', '--executor', 'inline'],
    ]) {
      const r = await cli(...argv, '--workspace', ws, '--db', file);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toMatch(/NOT_STEPWISE_DATABASE: .* is not a Stepwise database: it holds other tables \(notes\) and no Stepwise schema\. Nothing was changed\./);
    }
    await expect(openStorage({ kind: 'sqlite', file })).rejects.toMatchObject({ code: 'NOT_STEPWISE_DATABASE' });
    expect(md5(file)).toBe(before);
    expect(readdirSync(dir).filter((f) => f.startsWith(file.split('/').at(-1)!))).toEqual([file.split('/').at(-1)]);
  });

  it('a file that is not SQLite at all', async () => {
    const file = join(dir, 'text.db');
    writeFileSync(file, 'hello, I am not a database\n'.repeat(10));
    const before = md5(file);
    const r = await cli('run', 'hello', '--workspace', ws, '--db', file, '--executor', 'inline');
    expect(r.err).toMatch(/NOT_STEPWISE_DATABASE: .* it is not a SQLite database/);
    expect(md5(file)).toBe(before);
  });

  it('a database from a newer Stepwise: "not changed", and true (it stays in its journal mode)', async () => {
    const file = join(dir, 'newer.db');
    const conn = new Database(file);
    conn.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL); INSERT INTO schema_migrations VALUES (999, \'future\', 0);');
    conn.close();
    const before = md5(file);
    for (const argv of [['tasks'], ['run', 'hello', '--executor', 'inline']]) {
      const r = await cli(...argv, '--workspace', ws, '--db', file);
      expect(r.err).toMatch(/SCHEMA_TOO_NEW: .*has schema version 999.*The database was not changed\./);
    }
    expect(md5(file)).toBe(before);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });
});
