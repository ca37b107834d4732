import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import type { Storage } from '../../core/storage/storage.js';
import { storageContract } from './storage.contract.js';

const dirs = new Map<Storage, string>();

storageContract(
  'sqlite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-storage-'));
    const s = new SqliteStorage({ file: join(dir, 'test.db') });
    dirs.set(s, dir);
    return s;
  },
  async (s) => {
    await s.close();
    rmSync(dirs.get(s)!, { recursive: true, force: true });
    dirs.delete(s);
  },
);
