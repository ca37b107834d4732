/**
 * What a database file is, found out before anything is written to it: opening a file switches
 * it to WAL and creates tables, so a file that is not Stepwise's (another program's SQLite, a
 * text file) or is from a newer Stepwise is refused first, and its bytes stay as they were.
 */
import Database from 'better-sqlite3';
import { StepwiseError } from '../../model/errors.js';
import { SchemaTooNewError } from '../errors.js';

export type FileSchema = { kind: 'empty' } | { kind: 'stepwise'; version: number };

/** A file that is not a Stepwise database (another program's, or not SQLite at all). */
export class NotStepwiseDatabaseError extends StepwiseError {
  constructor(file: string, why: string, details: Record<string, unknown> = {}) {
    super('NOT_STEPWISE_DATABASE', `'${file}' is not a Stepwise database: ${why}. Nothing was changed. Point --db at a Stepwise database, or at a file that does not exist yet.`, {
      file,
      ...details,
    });
  }
}

/** A read-only open of a database whose schema is older than this Stepwise reads. */
export class SchemaTooOldError extends StepwiseError {
  constructor(file: string, found: number, latest: number) {
    super(
      'SCHEMA_TOO_OLD',
      `The database '${file}' has schema version ${found}; this Stepwise reads version ${latest}. Nothing was changed. ` +
        'Run a command that writes to it once (stepwise runner, stepwise run) to upgrade it, then read it again.',
      { file, found, latest },
    );
  }
}

/** The schema of the open file `db`; throws for a foreign file or a newer schema. Reads only. */
export function inspectSchema(db: Database.Database, file: string, latest: number): FileSchema {
  let tables: string[];
  try {
    tables = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  } catch (err) {
    if (err instanceof Database.SqliteError && (err.code === 'SQLITE_NOTADB' || err.code === 'SQLITE_CORRUPT')) {
      throw new NotStepwiseDatabaseError(file, `it is not a SQLite database (${err.message})`, { sqliteCode: err.code });
    }
    throw err;
  }
  if (tables.length === 0) return { kind: 'empty' };
  if (!tables.includes('schema_migrations')) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? `, … (${tables.length} tables)` : '');
    throw new NotStepwiseDatabaseError(file, `it holds other tables (${shown}) and no Stepwise schema`, { tables: tables.slice(0, 20) });
  }
  const version = (db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
  if (version > latest) throw new SchemaTooNewError(file, version, latest);
  return { kind: 'stepwise', version };
}
