/** History keeps the old flow status words; the screen shows today's (renderer/lib/statusWords). */
import { describe, expect, it } from 'vitest';
import type { StepwiseEvent } from '../../core/host/protocol.js';
import { eventMove, statusWord, transitionMove } from '../../renderer/lib/statusWords.js';

const event = (type: string, payload: Record<string, unknown>) => ({ seq: 1, type, taskId: 't', stepName: null, at: 0, payload }) as unknown as StepwiseEvent;

describe('status words on screen', () => {
  it('maps the old flow words and leaves today’s and other words alone', () => {
    expect(['active', 'completed', 'failed', 'complete', 'paused', 'approved'].map(statusWord)).toEqual(['running', 'complete', 'error', 'complete', 'paused', 'approved']);
  });

  it('maps a stored status move of a flow, but not its state names', () => {
    expect(eventMove(event('task.status_changed', { from: 'active', to: 'completed', reason: '' }))).toBe('running → complete');
    expect(eventMove(event('task.status_changed', { from: 'waiting', to: 'failed', reason: '' }))).toBe('waiting → error');
    // A flow state may be called "completed": that is its name, not a status.
    expect(eventMove(event('flow.transitioned', { from: null, to: 'completed', reason: '' }))).toBe('∅ → completed');
    expect(eventMove(event('task.completed', { result: {} }))).toBeNull();
  });

  it('maps the status field of a transition only', () => {
    expect(transitionMove({ field: 'status', from: 'active', to: 'completed' })).toEqual({ from: 'running', to: 'complete' });
    expect(transitionMove({ field: 'status', from: null, to: 'active' })).toEqual({ from: '∅', to: 'running' });
    expect(transitionMove({ field: 'state', from: 'draft', to: 'completed' })).toEqual({ from: 'draft', to: 'completed' });
  });
});
