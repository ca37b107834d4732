import { describe, expect, it } from 'vitest';
import { applyToView, buildView, findById } from '../../core/engine/runtime/view.js';
import type { StepRecord, TaskRecord } from '../../core/model/runtime.js';
import type { StepState } from '../../core/model/states.js';

const task = { id: 't', kind: 'workflow', status: 'running', version: 1, debug: { paused: false, breakpoints: [] } } as unknown as TaskRecord;
const s = (name: string, state: StepState, dependsOn: string[] = []): StepRecord =>
  ({ id: `id-${name}`, taskId: 't', name, templateStep: name, type: 'standard', state, dependsOn, version: 1 }) as StepRecord;

describe('applyToView', () => {
  it('patches steps by id, dynamic steps inserted by an earlier commit included', () => {
    const view = buildView(task, [s('a', 'complete'), s('b', 'ready')]);
    applyToView(view, { insertSteps: [s('w1', 'ready', ['a']), s('w2', 'pending', ['w1'])] });
    expect(findById(view, 'id-w1')).toBe(view.steps.get('w1'));
    applyToView(view, {
      updateSteps: [
        { id: 'id-w1', expectedVersion: 1, set: { state: 'running' } },
        { id: 'id-b', expectedVersion: 1, set: { state: 'running' } },
      ],
    });
    expect(view.steps.get('w1')).toMatchObject({ state: 'running', version: 2 });
    expect(view.steps.get('b')).toMatchObject({ state: 'running', version: 2 });
    expect([...view.ready]).toEqual([]);
    expect(view.counts).toMatchObject({ complete: 1, running: 2, pending: 1, ready: 0 });
    expect(view.dependents.get('w1')).toEqual(['w2']);
    expect(view.task.version).toBe(3);
  });

  it('leaves a patch of a step it does not hold alone (another task, or a view to reload)', () => {
    const view = buildView(task, [s('a', 'ready')]);
    applyToView(view, { updateSteps: [{ id: 'id-elsewhere', expectedVersion: 1, set: { state: 'running' } }] });
    expect(findById(view, 'id-elsewhere')).toBeUndefined();
    expect(view.steps.get('a')!.state).toBe('ready');
    expect(view.task.version).toBe(1);
  });
});
