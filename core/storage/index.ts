/** Opening a Storage by configuration, or by a database string (a PostgreSQL URL or a SQLite file). */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../model/clock.js';
import { MemoryStorage } from './memory.js';
import { PostgresStorage, type PostgresStorageOptions } from './postgres/storage.js';
import { isPostgresUrl } from './postgres/pool.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage } from './storage.js';

export type StorageConfig =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string; clock?: Clock; busyTimeoutMs?: number; readOnly?: boolean }
  | ({ kind: 'postgres' } & PostgresStorageOptions);

/**
 * What `--db` / `STEPWISE_DB` / a workspace's `database` names: `postgres://…` or `postgresql://…`
 * is a PostgreSQL URL, anything else a SQLite file (resolved against the current folder).
 */
export function storageConfigOf(database: string, extra: { clock?: Clock } = {}): StorageConfig {
  if (isPostgresUrl(database)) return { kind: 'postgres', url: database, ...extra };
  return { kind: 'sqlite', file: database === ':memory:' ? database : resolve(database), ...extra };
}

/** Opens (creating and migrating the schema where needed) the configured storage. */
export async function openStorage(config: StorageConfig | string): Promise<Storage> {
  const c = typeof config === 'string' ? storageConfigOf(config) : config;
  switch (c.kind) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite': {
      if (c.file !== ':memory:' && !c.readOnly) mkdirSync(dirname(resolve(c.file)), { recursive: true });
      return new SqliteStorage(c);
    }
    case 'postgres':
      return PostgresStorage.open(c);
  }
}

export { isPostgresUrl, redactUrl } from './postgres/pool.js';
export { MemoryStorage } from './memory.js';
export { SqliteStorage, type SqliteStorageOptions } from './sqlite.js';
export { PostgresStorage, type PostgresStorageOptions } from './postgres/storage.js';
export { ConcurrencyLimitError, DuplicateError, SchemaTooNewError } from './errors.js';
export { LATEST_SCHEMA_VERSION } from './sqlite/migrations.js';
export type * from './storage.js';
