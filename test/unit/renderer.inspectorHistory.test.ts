/** Pure helpers behind the inspector in history mode and a flow's Skip wait dialog. */
import { describe, expect, it } from 'vitest';
import { attemptsAt, transitionsAt } from '../../renderer/lib/history.js';
import { changeValue } from '../../renderer/lib/format.js';
import { requestOf } from '../../renderer/lib/ops.js';
import type { LiveNode } from '../../renderer/lib/liveState.js';

const attempt = (number: number, startedAt: number, finishedAt: number | null, outcome: 'success' | 'error' | null) => ({
  number,
  startedAt,
  finishedAt,
  durationMs: finishedAt === null ? null : finishedAt - startedAt,
  outcome,
  error: outcome === 'error' ? { class: 'Error', message: 'boom' } : null,
  logs: [
    { at: startedAt + 1, level: 'info' as const, message: 'start', fields: {} },
    { at: startedAt + 50, level: 'info' as const, message: 'late', fields: {} },
  ],
});
const liveNode = (state: LiveNode['state'], attempts: number): LiveNode => ({ state, attempts, maxAttempts: 3, progress: null, error: null });

describe('attemptsAt', () => {
  const attempts = [attempt(1, 100, 110, 'error'), attempt(2, 200, 260, 'success')];

  it('keeps the attempts a workflow step had started then; the one running then has no outcome yet', () => {
    const then = attemptsAt(attempts, { at: 210, node: liveNode('running', 2) }, 'workflow');
    expect(then.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'error'],
      [2, null],
    ]);
    expect(then[1]!.durationMs).toBeNull();
    expect(then[1]!.logs.map((l) => l.message)).toEqual(['start']);
    expect(attemptsAt(attempts, { at: 150, node: liveNode('waiting_for_retry', 1) }, 'workflow')).toEqual([attempts[0]]);
    expect(attemptsAt(attempts, { at: 50, node: liveNode('pending', 0) }, 'workflow')).toEqual([]);
  });

  it('cuts flow attempts by time, and shows nothing before the first transition', () => {
    expect(attemptsAt(attempts, { at: 230, node: null }, 'flow').map((a) => a.outcome)).toEqual(['error', null]);
    expect(attemptsAt(attempts, { at: 300, node: null }, 'flow')).toEqual(attempts);
    expect(attemptsAt(attempts, { at: null, node: null }, 'flow')).toEqual([]);
  });
});

describe('transitionsAt', () => {
  it('keeps the transitions up to and including the seq', () => {
    expect(transitionsAt([{ seq: 1 }, { seq: 4 }, { seq: 9 }], 4)).toEqual([{ seq: 1 }, { seq: 4 }]);
  });
});

describe("a flow's Skip wait", () => {
  it('makes the wake due without a step, the timeout with step "timeout"', () => {
    expect(requestOf({ op: 'skipWait', taskId: 't' }, {})).toEqual({ op: 'skipWait', taskId: 't' });
    expect(requestOf({ op: 'skipWait', taskId: 't', step: 'timeout' }, {})).toEqual({ op: 'skipWait', taskId: 't', step: 'timeout' });
  });

  it('shows the times it moves as dates, other values as short JSON', () => {
    const at = new Date(2026, 10, 23, 9, 5, 7, 12).getTime();
    expect(changeValue('timeoutAt', at)).toContain('09:05:07.012');
    expect(changeValue('timeoutAt', null)).toBe('null');
    expect(changeValue('state', 'ready')).toBe('"ready"');
  });
});
