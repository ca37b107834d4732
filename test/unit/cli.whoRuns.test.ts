/**
 * What `stepwise start` and the operations say about who runs a task left to the engines serving
 * the database (core/cli/whoRuns.ts): the engines holding its work, or "queued" with every live
 * engine — never one engine picked by its heartbeat.
 */
import { describe, expect, it } from 'vitest';
import { claimsOf, describeRunner, whoRunsIt } from '../../core/cli/whoRuns.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { Heartbeat } from '../../core/storage/storage.js';
import { step, task } from '../fixtures/storage/records.js';

const beat = (owner: string, kind = 'runner'): Heartbeat => ({ owner, pid: 1, at: 0, kind, host: 'h', startedAt: 0, version: '1', everyMs: 5000 });
const alive = [beat('r1'), beat('r2'), beat('wb', 'host')];

describe('whoRunsIt', () => {
  it('says queued and lists every live engine while nobody has claimed the task', () => {
    expect(whoRunsIt(task('t', { status: 'pending' }), [], alive)).toBe('queued, not claimed yet; serving this database: runner r1, runner r2, host wb');
    expect(whoRunsIt(task('t', { status: 'running' }), [], [beat('r2')])).toBe('queued, not claimed yet; serving this database: runner r2');
  });

  it('names the engines holding its steps (by lease), not the one that beat last', () => {
    const t = task('t', { status: 'running' });
    const steps = [
      step('t', 'a', { state: 'complete', leaseOwner: 'r1' }),
      step('t', 'b', { state: 'running', leaseOwner: 'r2' }),
      step('t', 'c', { state: 'running', leaseOwner: 'r2' }),
      step('t', 'd', { state: 'running', leaseOwner: 'gone-engine' }),
      step('t', 'e', { state: 'ready' }),
    ];
    expect(claimsOf(t, steps)).toEqual([
      { owner: 'r2', step: 'b' },
      { owner: 'r2', step: 'c' },
      { owner: 'gone-engine', step: 'd' },
    ]);
    expect(whoRunsIt(t, claimsOf(t, steps), alive)).toBe('runner r2 runs steps b, c; engine gone-engine runs step d');
  });

  it("names a flow's lease owner and the state it runs", () => {
    const flow = task('f', { kind: 'flow', status: 'running', currentState: 'send_email', leaseOwner: 'r1', leaseExpiresAt: 1 });
    expect(whoRunsIt(flow, claimsOf(flow, []), alive)).toBe('runner r1 runs state send_email');
    // A lease left on a finished flow claims nothing.
    expect(claimsOf({ ...flow, status: 'complete' }, [])).toEqual([]);
  });

  it('says a task is already finished when an engine was faster than the read', () => {
    expect(whoRunsIt(task('t', { status: 'complete' }), [], alive)).toBe('already complete: `stepwise show t` shows how it ran');
  });
});

describe('describeRunner', () => {
  it('reads the task as it is now from storage', async () => {
    const s = new MemoryStorage();
    await s.commit({ insertTasks: [task('t', { status: 'running' })], insertSteps: [step('t', 'a', { state: 'ready' })] });
    expect(await describeRunner(s, 't', alive)).toMatch(/^queued, not claimed yet/);
    await s.commit({ updateSteps: [{ id: 't:a', expectedVersion: 1, set: { state: 'running', leaseOwner: 'r1', leaseExpiresAt: 10 } }] });
    expect(await describeRunner(s, 't', alive)).toBe('runner r1 runs step a');
    expect(await describeRunner(s, 'no-such-task', alive)).toBe('task no-such-task is gone (deleted)');
  });
});
