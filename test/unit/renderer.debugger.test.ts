/** Pure helpers of the workbench debugger: operation requests, JSON results, history pictures, formats. */
import { describe, expect, it } from 'vitest';
import { liveAt } from '../../renderer/lib/history.js';
import { OP_INFO, parseJson, requestOf, STEP_OPS } from '../../renderer/lib/ops.js';
import { attemptsText, duration, relative, shortJson } from '../../renderer/lib/format.js';
import { debugStateText, pauseText } from '../../renderer/lib/debugState.js';
import type { LiveState } from '../../renderer/lib/liveState.js';
import type { TransitionRecord } from '../../core/model/runtime.js';

describe('requestOf', () => {
  it('builds the core/ops request of each operation, with results and cascade where they apply', () => {
    expect(requestOf({ op: 'retryStep', taskId: 't', step: 's' }, {})).toEqual({ op: 'retryStep', taskId: 't', step: 's' });
    expect(requestOf({ op: 'markCompleted', taskId: 't', step: 's' }, { results: { ok: 1 } })).toEqual({ op: 'markCompleted', taskId: 't', step: 's', results: { ok: 1 } });
    expect(requestOf({ op: 'updateResults', taskId: 't', step: 's' }, {})).toEqual({ op: 'updateResults', taskId: 't', step: 's', results: null });
    expect(requestOf({ op: 'rerunFromStep', taskId: 't', step: 's' }, { cascade: true })).toEqual({ op: 'rerunFromStep', taskId: 't', step: 's', cascade: true });
    expect(requestOf({ op: 'rerunFromStep', taskId: 't', step: 's' }, { cascade: false })).toEqual({ op: 'rerunFromStep', taskId: 't', step: 's' });
    expect(requestOf({ op: 'cancelTask', taskId: 't', step: 'ignored' }, {})).toEqual({ op: 'cancelTask', taskId: 't' });
  });

  it('labels every step operation, and only results operations take results', () => {
    expect(STEP_OPS.map((op) => OP_INFO[op].label)).toEqual(['Retry step', 'Reset for retry', 'Mark complete', 'Update results', 'Skip', 'Rerun from here']);
    expect(Object.entries(OP_INFO).filter(([, i]) => i.results).map(([op]) => op)).toEqual(['markCompleted', 'updateResults']);
  });
});

describe('parseJson', () => {
  it('accepts any JSON value and explains what is not JSON', () => {
    expect(parseJson('{"a": [1, null]}')).toEqual({ ok: true, value: { a: [1, null] } });
    expect(parseJson('null')).toEqual({ ok: true, value: null });
    const bad = parseJson('{a: 1}');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^Not valid JSON/);
    expect(parseJson('  ')).toEqual({ ok: false, error: expect.stringContaining('Enter a JSON value') });
  });
});

const node = (state: LiveState['nodes'][string]['state'], attempts = 0) => ({ state, attempts, maxAttempts: 3, progress: null, error: null });

describe('liveAt', () => {
  const live: LiveState = {
    taskId: 't',
    kind: 'workflow',
    status: 'complete',
    currentState: null,
    nodes: { a: node('complete', 1), b: node('complete', 2), w1: node('complete', 1) },
    seq: 99,
    needsRefetch: false,
  };

  it('draws a workflow as stateAt saw it; steps made later are not started', () => {
    const past = liveAt(live, { taskId: 't', kind: 'workflow', seq: 5, at: 1, status: 'running', paused: false, steps: { a: { state: 'complete', attempts: 1 }, b: { state: 'running', attempts: 2 } }, currentState: null, data: null }, []);
    expect(past.status).toBe('running');
    expect(past.nodes.a).toMatchObject({ state: 'complete', attempts: 1, maxAttempts: 3 });
    expect(past.nodes.b).toMatchObject({ state: 'running', attempts: 2 });
    expect(past.nodes.w1!.state).toBe('pending');
  });

  it('draws a flow in its state then, with the states it had left marked visited', () => {
    const flow: LiveState = { ...live, kind: 'flow', status: 'complete', currentState: 'done', nodes: { check: node('visited'), ask: node('visited'), done: node('complete') } };
    const t = (from: string | null, to: string): TransitionRecord => ({ seq: 1, taskId: 't', stepName: null, field: 'state', from, to, reason: '', actor: 'engine', at: 1, details: {} });
    const past = liveAt(flow, { taskId: 't', kind: 'flow', seq: 3, at: 1, status: 'waiting', paused: false, steps: {}, currentState: 'ask', data: {} }, [t(null, 'check'), t('check', 'ask')]);
    expect(past.currentState).toBe('ask');
    expect(past.nodes.check!.state).toBe('visited');
    expect(past.nodes.ask!.state).toBe('waiting');
    expect(past.nodes.done!.state).toBeNull();
  });
});

describe('format', () => {
  it('shows durations at a readable precision and times relative to now', () => {
    // The one display format of core's humanDuration, as in the CLI and `stepwise insights`.
    expect(duration(12)).toBe('12ms');
    expect(duration(1534)).toBe('1.53s');
    expect(duration(75_000)).toBe('1m15s');
    expect(duration(null)).toBe('—');
    expect(relative(3000, 1000)).toBe('in 2.00s');
    expect(relative(1000, 3000)).toBe('2.00s ago');
    expect(shortJson({ a: 'x'.repeat(100) }, 20)).toHaveLength(20);
  });
});

describe('pause words and attempts', () => {
  it('the bar says why a paused task is paused, from the reason the engine recorded', () => {
    expect(pauseText('debug_start')).toBe('started paused');
    expect(pauseText('step')).toBe('paused after a step');
    expect(pauseText('breakpoint:b')).toBe('stopped at breakpoint b');
    const task = { kind: 'workflow' as const, status: 'paused' as const, currentState: null, debug: { paused: true, pauseReason: 'step', breakpoints: [] } };
    expect(debugStateText(task)).toEqual({ text: 'paused after a step', tone: 'paused' });
    // A task that failed while the debugger held it says it failed, not that it is paused.
    expect(debugStateText({ ...task, status: 'error' }).tone).toBe('failed');
    expect(debugStateText({ ...task, status: 'running', debug: { paused: false, breakpoints: [] } })).toEqual({ text: 'running', tone: 'running' });
  });

  it('attempts over the retry budget are said plainly, not "3 of 2"', () => {
    expect(attemptsText(1, 2)).toEqual({ short: '×1/2', long: '1 of 2 allowed' });
    expect(attemptsText(3, 2)).toEqual({ short: '×2+1', long: '3: the 2 its retry policy allows, then 1 more by hand' });
    expect(attemptsText(2, null).short).toBe('×2');
  });
});
