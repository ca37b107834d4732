/**
 * Which database the user named: `--db` (a SQLite file or a `postgres://` / `postgresql://` URL),
 * else `STEPWISE_DB`, else the workspace config's `database` (`<workspace>/.stepwise/stepwise.db`).
 * The CLI, the workbench host and the desktop app all decide here.
 */
import { resolve } from 'node:path';
import { isPostgresUrl, redactUrl } from './postgres/pool.js';

/** The database string (a resolved file path, or a URL as given). */
export function databaseOf(db: string | undefined, configured: string): string {
  const chosen = db ?? (process.env.STEPWISE_DB || undefined) ?? configured;
  return isPostgresUrl(chosen) ? chosen : resolve(chosen);
}

/** For messages and the UI: the file, or the URL without its password. */
export function describeDatabase(database: string): string {
  return isPostgresUrl(database) ? redactUrl(database) : database;
}
