import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import { agreesWithMemory } from './storage.differential.js';

describe('memory and SQLite agree', () => {
  it('on every outcome and query for random commit sequences', async () => {
    await agreesWithMemory(async () => {
      const storage = new SqliteStorage({ file: ':memory:' });
      return { storage, done: () => storage.close() };
    }, { numRuns: 150 });
  });

  it('with memory committing through its synchronous calls (Storage.sync, the flow driver\'s path)', async () => {
    await agreesWithMemory(async () => {
      const storage = new SqliteStorage({ file: ':memory:' });
      return { storage, done: () => storage.close() };
    }, { numRuns: 60, memorySync: true });
  });

  it('with both committing through their synchronous calls (SQLite offers Storage.sync too)', async () => {
    await agreesWithMemory(async () => {
      const storage = new SqliteStorage({ file: ':memory:' });
      expect(storage.sync).not.toBeNull();
      return { storage, done: () => storage.close() };
    }, { numRuns: 60, memorySync: true, subjectSync: true });
  });
});
