/**
 * Draft: a step changed several times in one plan is one patch holding every change (in place, on
 * the draft's own patch object), each change gives a new record, and the view's records stay as
 * they were until the commit is applied (applyToView copies every patched field but the state
 * and dependencies, which it books itself).
 */
import { describe, expect, it } from 'vitest';
import { Draft } from '../../core/engine/runtime/draft.js';
import { applyToView, buildView } from '../../core/engine/runtime/view.js';
import type { StepRecord, TaskRecord } from '../../core/model/runtime.js';
import { step, task } from '../fixtures/storage/records.js';

const t = (): TaskRecord => task('t1', { status: 'running' });
const steps = (): StepRecord[] => [step('t1', 'a', { state: 'ready' }), step('t1', 'b', { state: 'pending', dependsOn: ['a'] })];

describe('Draft step patches', () => {
  it('merges a step moved twice and patched into one patch, with a new record per change and the view untouched', () => {
    const view = buildView(t(), steps());
    const before = view.steps.get('a')!;
    const d = new Draft(view, 50, 'engine');
    const running = d.moveStep('a', 'running', 'claimed', { set: { attempts: 1, leaseOwner: 'me', leaseExpiresAt: 90 } });
    const progressed = d.patchStep('a', { progress: { fraction: 0.5 } });
    const done = d.moveStep('a', 'complete', 'done', { set: { results: { ok: true }, leaseOwner: null, leaseExpiresAt: null } });
    expect(new Set([before, running, progressed, done]).size).toBe(4);
    expect(running).toMatchObject({ state: 'running', leaseOwner: 'me', progress: null });
    expect(progressed).toMatchObject({ state: 'running', progress: { fraction: 0.5 } });
    expect(view.steps.get('a')).toBe(before);
    expect(before).toMatchObject({ state: 'ready', attempts: 0, leaseOwner: null, version: 1 });
    const cs = d.toChangeSet();
    expect(cs.updateSteps).toEqual([
      {
        id: before.id,
        expectedVersion: 1,
        set: { attempts: 1, leaseOwner: null, leaseExpiresAt: null, state: 'complete', updatedAt: 50, progress: { fraction: 0.5 }, results: { ok: true } },
      },
    ]);
    expect(Object.keys(cs.updateSteps![0]!.set)).toEqual(['attempts', 'leaseOwner', 'leaseExpiresAt', 'state', 'updatedAt', 'progress', 'results']);
    expect(cs.transitions!.map((x) => `${x.from}->${x.to}`)).toEqual(['ready->running', 'running->complete']);
    applyToView(view, cs);
    expect(view.steps.get('a')).toBe(before);
    expect(before).toMatchObject({ state: 'complete', attempts: 1, leaseOwner: null, progress: { fraction: 0.5 }, results: { ok: true }, updatedAt: 50, version: 2 });
    expect(view.counts).toMatchObject({ ready: 0, running: 0, complete: 1, pending: 1 });
  });

  it('a state given in a move wins over one in its set, as before', () => {
    const d = new Draft(buildView(t(), steps()), 7, 'engine');
    expect(d.moveStep('a', 'running', 'x', { set: { state: 'error' } as Partial<StepRecord> }).state).toBe('running');
    expect(d.toChangeSet().updateSteps![0]!.set.state).toBe('running');
  });
});
