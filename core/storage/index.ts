/** Opening a Storage by configuration. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../model/clock.js';
import { MemoryStorage } from './memory.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage } from './storage.js';

export type StorageConfig =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string; clock?: Clock; busyTimeoutMs?: number };

/** Opens (and for SQLite creates, migrating the schema) the configured storage. */
export async function openStorage(config: StorageConfig): Promise<Storage> {
  switch (config.kind) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite': {
      if (config.file !== ':memory:') mkdirSync(dirname(resolve(config.file)), { recursive: true });
      return new SqliteStorage(config);
    }
  }
}

export { MemoryStorage } from './memory.js';
export { SqliteStorage, type SqliteStorageOptions } from './sqlite.js';
export { ConcurrencyLimitError, DuplicateError, SchemaTooNewError } from './errors.js';
export { LATEST_SCHEMA_VERSION } from './sqlite/migrations.js';
export type * from './storage.js';
