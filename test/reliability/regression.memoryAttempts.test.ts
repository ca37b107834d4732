/**
 * Regression (found by the flows benchmark): MemoryStorage.listAttempts scanned every attempt
 * of every task, so a flow run cost grew with the number of flows already stored (50,000
 * registrations did not finish in minutes). Attempts are now indexed by task; these tests pin
 * the behaviour the index must keep: per-task insertion order, the step filter, deletion with
 * the task, and isolation between interleaved tasks.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { AttemptRecord } from '../../core/model/runtime.js';
import { task } from '../fixtures/storage/records.js';

function attempt(taskId: string, stepName: string, number: number): AttemptRecord {
  return { id: `${taskId}:${stepName}:${number}`, taskId, stepName, number, startedAt: number, finishedAt: null, durationMs: null, outcome: null, error: null, output: null, logs: [] };
}

describe('MemoryStorage attempts index', () => {
  it('lists only the task’s attempts, in insertion order, across interleaved tasks', async () => {
    const s = new MemoryStorage();
    await s.commit({ insertTasks: [task('a'), task('b')] });
    for (let i = 1; i <= 3; i++) {
      await s.commit({ insertAttempts: [attempt('a', 'x', i), attempt('b', 'x', i)] });
      await s.commit({ insertAttempts: [attempt('a', 'y', i)] });
    }
    expect((await s.listAttempts('a')).map((a) => a.id)).toEqual(['a:x:1', 'a:y:1', 'a:x:2', 'a:y:2', 'a:x:3', 'a:y:3']);
    expect((await s.listAttempts('a', 'y')).map((a) => a.number)).toEqual([1, 2, 3]);
    expect((await s.listAttempts('b')).map((a) => a.id)).toEqual(['b:x:1', 'b:x:2', 'b:x:3']);
    expect(await s.listAttempts('nobody')).toEqual([]);
  });

  it('sees attempt updates and forgets attempts when their task is deleted', async () => {
    const s = new MemoryStorage();
    await s.commit({ insertTasks: [task('a'), task('b')], insertAttempts: [attempt('a', 'x', 1), attempt('b', 'x', 1)] });
    await s.commit({ updateAttempts: [{ id: 'a:x:1', set: { outcome: 'success', finishedAt: 5 } }] });
    expect((await s.listAttempts('a'))[0]).toMatchObject({ outcome: 'success', finishedAt: 5 });
    await s.commit({ deleteTasks: ['a'] });
    expect(await s.listAttempts('a')).toEqual([]);
    expect(await s.listAttemptsOfTasks(['a', 'b'])).toHaveLength(1);
    // A new task reusing the id starts with no attempts.
    await s.commit({ insertTasks: [task('a')], insertAttempts: [attempt('a', 'z', 1)] });
    expect((await s.listAttempts('a')).map((a) => a.id)).toEqual(['a:z:1']);
  });
});
