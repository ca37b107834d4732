import { describe, expect, it } from 'vitest';
import { Draft } from '../../core/engine/runtime/draft.js';
import { propagateReadiness, readinessOf } from '../../core/engine/workflow/readiness.js';
import { deriveTaskStatus } from '../../core/engine/workflow/taskStatus.js';
import { buildView, emptyCounts } from '../../core/engine/runtime/view.js';
import { interpretDecision } from '../../core/engine/workflow/stepResults.js';
import type { StepRecord, TaskRecord } from '../../core/model/runtime.js';
import type { StepState } from '../../core/model/states.js';

const task = { id: 't', kind: 'workflow', status: 'running', version: 1, debug: { paused: false, breakpoints: [] } } as unknown as TaskRecord;
const s = (name: string, state: StepState, dependsOn: string[] = []): StepRecord =>
  ({ id: `id-${name}`, taskId: 't', name, templateStep: name, type: 'standard', state, dependsOn, version: 1 }) as StepRecord;

describe('readinessOf', () => {
  const states: Record<string, StepState> = { done: 'complete', manual: 'resolved_manually', skip: 'skipped', run: 'running', err: 'error' };
  const of = (n: string) => states[n];
  it('is ready when every dependency is done and at least one ran', () => {
    expect(readinessOf({ dependsOn: [] }, of)).toBe('ready');
    expect(readinessOf({ dependsOn: ['done', 'manual', 'skip'] }, of)).toBe('ready');
  });
  it('is skipped when every dependency was skipped', () => {
    expect(readinessOf({ dependsOn: ['skip'] }, of)).toBe('skipped');
  });
  it('is blocked while a dependency runs or failed', () => {
    expect(readinessOf({ dependsOn: ['done', 'run'] }, of)).toBe('blocked');
    expect(readinessOf({ dependsOn: ['err'] }, of)).toBe('blocked');
  });
});

describe('propagateReadiness', () => {
  it('looks only at dependents, and cascades skips downstream', () => {
    const view = buildView(task, [
      s('a', 'complete'),
      s('b', 'skipped'),
      s('c', 'pending', ['b']),
      s('d', 'pending', ['c']),
      s('e', 'pending', ['c', 'a']),
      s('f', 'pending', ['a']),
      s('unrelated', 'pending', ['x']),
    ]);
    const d = new Draft(view, 1000);
    propagateReadiness(d, ['b']);
    expect(['c', 'd', 'e', 'f', 'unrelated'].map((n) => d.step(n)!.state)).toEqual(['skipped', 'skipped', 'ready', 'pending', 'pending']);
    const cs = d.toChangeSet();
    expect(cs.transitions!.map((t) => `${t.stepName}:${t.from}->${t.to}`)).toEqual(['c:pending->skipped', 'd:pending->skipped', 'e:pending->ready']);
    expect(cs.events!.map((e) => e.type)).toEqual(['step.skipped', 'step.skipped', 'step.ready']);
    // The view itself is untouched until the commit is applied.
    expect(view.steps.get('c')!.state).toBe('pending');
  });

  it('refuses an illegal transition', () => {
    const d = new Draft(buildView(task, [s('a', 'complete')]), 0);
    expect(() => d.moveStep('a', 'running', 'no')).toThrow(/cannot go from 'complete' to 'running'/);
  });
});

describe('deriveTaskStatus', () => {
  const counts = (c: Partial<Record<StepState, number>>) => ({ ...emptyCounts(), ...c });
  it('follows the steps', () => {
    expect(deriveTaskStatus(counts({ complete: 2, skipped: 1 }))).toBe('complete');
    expect(deriveTaskStatus(counts({ complete: 1, ready: 1, error: 1 }))).toBe('running');
    expect(deriveTaskStatus(counts({ complete: 1, waiting_for_retry: 1 }))).toBe('waiting');
    expect(deriveTaskStatus(counts({ error: 1, pending: 3 }))).toBe('error');
  });
});

describe('interpretDecision', () => {
  it('accepts names, lists and { proceed }', () => {
    expect(interpretDecision('d', 'a', ['a', 'b'])).toMatchObject({ ok: true, value: { proceed: ['a'] } });
    expect(interpretDecision('d', ['a', 'b'], ['a', 'b'])).toMatchObject({ ok: true, value: { proceed: ['a', 'b'] } });
    expect(interpretDecision('d', { proceed: [], note: 1 }, ['a'])).toMatchObject({ ok: true, value: { proceed: [], results: { proceed: [], note: 1 } } });
  });
  it('refuses undeclared names and shapes that decide nothing, without retries', () => {
    const r = interpretDecision('d', { proceed: ['zz'] }, ['a', 'b']);
    expect(r).toMatchObject({ ok: false, failure: { retryable: false, error: { code: 'UNDECLARED_TARGET' } } });
    expect(interpretDecision('d', 42, ['a'])).toMatchObject({ ok: false, failure: { error: { code: 'NO_DECISION' } } });
  });
});
