/**
 * Opening the database a command names (which one: ../storage/database.ts). Every command that
 * reads or changes tasks goes through here, so a URL works wherever a file does.
 */
import { existsSync } from 'node:fs';
import { StepwiseError } from '../model/errors.js';
import { isPostgresUrl, openStorage, storageConfigOf } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';

export const DB_OPTION_HELP = 'database: a SQLite file or a postgres:// URL (default: $STEPWISE_DB, else the workspace config, .stepwise/stepwise.db)';

/**
 * Opens the database. `mustExist`: a SQLite file that is not there is refused (NOT_FOUND) instead
 * of created, for commands that only read. (A PostgreSQL database always exists or fails to connect.)
 * `readOnly`: a SQLite file is opened read-only (nothing written, not even the WAL switch).
 */
export async function openDatabase(database: string, options: { mustExist?: boolean; readOnly?: boolean } = {}): Promise<Storage> {
  if (options.mustExist && !isPostgresUrl(database) && !existsSync(database)) {
    throw new StepwiseError('NOT_FOUND', `There is no database at ${database}. Nothing was created. Pass --db FILE (or a postgres:// URL), or run a task first (stepwise run).`, {
      file: database,
    });
  }
  const config = storageConfigOf(database);
  // Read-only (commands that only read): a SQLite file is opened without writing to it.
  return openStorage(options.readOnly && config.kind === 'sqlite' ? { ...config, readOnly: true } : config);
}

export { databaseOf, describeDatabase } from '../storage/database.js';
