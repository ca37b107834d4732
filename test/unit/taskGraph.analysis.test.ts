import { describe, expect, it } from 'vitest';
import {
  blockingDependencies,
  criticalPath,
  currentParallelism,
  downstreamImpact,
  errorChains,
  runtimeDependencyGraph,
  stepDurations,
} from '../../core/insights/taskGraph.js';
import { attempt, stepRecord, worker } from '../fixtures/export/records.js';

// validate → charge → (express | standard) → notify, with charge failed.
const failed = [
  stepRecord('validate', 'complete'),
  stepRecord('charge', 'error', ['validate'], { error: { class: 'Error', message: 'card declined' } }),
  stepRecord('express', 'pending', ['charge']),
  stepRecord('standard', 'pending', ['charge']),
  stepRecord('notify', 'pending', ['express', 'standard']),
  stepRecord('audit', 'running', ['validate']),
];

describe('runtimeDependencyGraph', () => {
  it('uses runtime dependencies, adds creators of dynamic steps, drops unknown names', () => {
    const g = runtimeDependencyGraph([
      stepRecord('split', 'complete'),
      worker('w', 0, 'complete', 'split', []),
      worker('w', 1, 'running', 'split'),
      stepRecord('sum', 'pending', ['w#0', 'w#1', 'w']),
    ]);
    expect(g.nodes).toEqual(['split', 'w#0', 'w#1', 'sum']);
    expect(g.edges).toEqual([
      ['split', 'w#0'],
      ['split', 'w#1'],
      ['w#0', 'sum'],
      ['w#1', 'sum'],
    ]);
  });
  it('handles an empty task', () => {
    expect(runtimeDependencyGraph([])).toEqual({ nodes: [], edges: [] });
    expect(criticalPath([], [])).toEqual({ steps: [], totalMs: 0 });
    expect(errorChains([])).toEqual([]);
    expect(currentParallelism([])).toEqual({ running: 0, runningSteps: [], ready: 0 });
  });
});

describe('blockingDependencies', () => {
  it('names the unfinished direct dependencies and the root cause', () => {
    expect(blockingDependencies(failed, 'notify')).toEqual({
      direct: [
        { name: 'express', state: 'pending' },
        { name: 'standard', state: 'pending' },
      ],
      root: [{ name: 'charge', state: 'error' }],
    });
  });
  it('treats skipped and resolved dependencies as done', () => {
    const steps = [
      stepRecord('a', 'skipped'),
      stepRecord('b', 'resolved_manually'),
      stepRecord('c', 'pending', ['a', 'b']),
    ];
    expect(blockingDependencies(steps, 'c')).toEqual({ direct: [], root: [] });
  });
  it('returns nothing for a root or an unknown step', () => {
    expect(blockingDependencies(failed, 'validate')).toEqual({ direct: [], root: [] });
    expect(blockingDependencies(failed, 'nope')).toEqual({ direct: [], root: [] });
  });
});

describe('downstreamImpact', () => {
  it('lists every transitive dependent in record order', () => {
    expect(downstreamImpact(failed, 'validate')).toEqual(['charge', 'express', 'standard', 'notify', 'audit']);
    expect(downstreamImpact(failed, 'express')).toEqual(['notify']);
    expect(downstreamImpact(failed, 'notify')).toEqual([]);
  });
});

describe('criticalPath', () => {
  it('follows the chain with the most handler time, retries included', () => {
    const steps = [
      stepRecord('a', 'complete'),
      stepRecord('fast', 'complete', ['a']),
      stepRecord('slow', 'complete', ['a']),
      stepRecord('z', 'complete', ['fast', 'slow']),
    ];
    const attempts = [
      attempt('a', 1, 0, 100, 'success'),
      attempt('fast', 1, 100, 50, 'success'),
      attempt('slow', 1, 100, 30, 'error'),
      attempt('slow', 2, 1130, 40, 'success'),
      attempt('z', 1, 1200, 10, 'success'),
    ];
    expect(criticalPath(steps, attempts)).toEqual({
      steps: [
        { name: 'a', durationMs: 100, attempts: 1 },
        { name: 'slow', durationMs: 70, attempts: 2 },
        { name: 'z', durationMs: 10, attempts: 1 },
      ],
      totalMs: 180,
    });
  });
  it('counts a running attempt up to now', () => {
    const attempts = [attempt('a', 1, 1000, null, null)];
    expect(stepDurations(attempts).get('a')).toBe(0);
    expect(stepDurations(attempts, 1500).get('a')).toBe(500);
    expect(criticalPath([stepRecord('a', 'running')], attempts, 1500).totalMs).toBe(500);
  });
});

describe('currentParallelism', () => {
  it('counts running and ready steps', () => {
    const steps = [...failed, stepRecord('x', 'running'), stepRecord('y', 'ready')];
    expect(currentParallelism(steps)).toEqual({ running: 2, runningSteps: ['audit', 'x'], ready: 1 });
  });
});

describe('errorChains', () => {
  it('pairs each errored step with the unfinished steps it blocks', () => {
    const steps = [...failed, stepRecord('other', 'error', ['audit']), stepRecord('after_other', 'cancelled', ['other'])];
    expect(errorChains(steps)).toEqual([
      { step: 'charge', error: { class: 'Error', message: 'card declined' }, blocks: ['express', 'standard', 'notify'] },
      { step: 'other', error: null, blocks: [] },
    ]);
  });
});
