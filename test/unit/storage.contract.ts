/**
 * The Storage contract suite: every implementation (memory, SQLite, PostgreSQL) must pass
 * it unchanged. Run it with `storageContract(name, open)` from a `*.test.ts` file.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Storage } from '../../core/storage/storage.js';
import { commitContract } from './storage.contract.commit.js';
import { queryContract } from './storage.contract.queries.js';
import { bulkContract } from './storage.contract.bulk.js';
import { guardContract } from './storage.contract.guards.js';
import { fidelityContract } from './storage.contract.fidelity.js';
import { reservationContract } from './storage.contract.reservations.js';
import { clusterContract } from './storage.contract.cluster.js';
import { syncContract } from './storage.contract.sync.js';

export type OpenStorage = () => Promise<Storage>;

/**
 * Waits until global event reads see every commit made so far. Memory and SQLite always do;
 * PostgreSQL's readers stop at the oldest transaction still running anywhere on the server
 * (storage.ts, "Event visibility"), which in a shared test server may be another file's.
 */
export async function settle(s: Storage): Promise<void> {
  const pg = s as Storage & { settled?: () => Promise<void> };
  if (pg.settled) await pg.settled();
}

/** Gives each test a fresh storage (`ctx.s`), closed after the test. */
export interface ContractContext {
  s: Storage;
}

export function storageContract(name: string, open: OpenStorage, dispose: (s: Storage) => Promise<void> = (s) => s.close()): void {
  describe(`Storage contract: ${name}`, () => {
    const ctx = {} as ContractContext;
    beforeEach(async () => {
      ctx.s = await open();
    });
    afterEach(async () => {
      await dispose(ctx.s);
    });
    commitContract(ctx);
    queryContract(ctx);
    bulkContract(ctx);
    guardContract(ctx);
    fidelityContract(ctx);
    reservationContract(ctx);
    clusterContract(ctx);
    syncContract(ctx);
  });
}
