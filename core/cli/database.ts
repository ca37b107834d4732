/**
 * Opening the database a command names (which one: ../storage/database.ts). Every command that
 * reads or changes tasks goes through here, so a URL works wherever a file does.
 */
import { existsSync } from 'node:fs';
import { StepwiseError } from '../model/errors.js';
import { isPostgresUrl, openStorage } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';

export const DB_OPTION_HELP = 'database: a SQLite file or a postgres:// URL (default: $STEPWISE_DB, else the workspace config, .stepwise/stepwise.db)';

/**
 * Opens the database. `mustExist`: a SQLite file that is not there is refused (NOT_FOUND) instead
 * of created, for commands that only read. (A PostgreSQL database always exists or fails to connect.)
 */
export async function openDatabase(database: string, options: { mustExist?: boolean } = {}): Promise<Storage> {
  if (options.mustExist && !isPostgresUrl(database) && !existsSync(database)) {
    throw new StepwiseError('NOT_FOUND', `There is no database at ${database}. Pass --db FILE (or a postgres:// URL), or run a task first (stepwise run).`, {
      file: database,
    });
  }
  return openStorage(database);
}

export { databaseOf, describeDatabase } from '../storage/database.js';
