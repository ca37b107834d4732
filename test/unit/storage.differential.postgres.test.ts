import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { usePostgres } from '../fixtures/postgres/database.js';
import { agreesWithMemory } from './storage.differential.js';

const db = usePostgres();
let storage: PostgresStorage;
beforeAll(async () => {
  storage = await db.open();
});
afterAll(async () => {
  await storage.close();
});

describe('memory and PostgreSQL agree', () => {
  it('on every outcome and query for random commit sequences (seqs compared by order)', async () => {
    // One storage emptied between runs: a new pool per run would spend the time connecting.
    await agreesWithMemory(async () => {
      await db.fresh();
      return { storage, done: async () => undefined };
    }, { numRuns: 60, gaps: true });
  }, 240_000);
});
