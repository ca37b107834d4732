import { describe, expect, it } from 'vitest';
import { runtimeGraph } from '../../core/export/runtimeGraph.js';
import { batch, onboarding, orderFulfillment } from '../fixtures/export/templates.js';
import { move, stepRecord, worker } from '../fixtures/export/records.js';

describe('runtimeGraph (workflow)', () => {
  it('annotates each node with its step state and attempts', () => {
    const g = runtimeGraph(orderFulfillment, [
      stepRecord('validate_order', 'complete'),
      stepRecord('charge_payment', 'error', ['validate_order'], { attempts: 3, error: { code: 'HANDLER_ERROR', message: 'card declined', class: 'Error' } }),
    ]);
    expect(g.taskId).toBe('task-1');
    expect(g.nodes.map((n) => n.state)).toEqual(['complete', 'error', undefined, undefined, undefined, undefined]);
    expect(g.nodes[1]!.meta).toMatchObject({ attempts: 3, maxAttempts: 3, error: 'card declined' });
    // The template graph is not changed by annotating.
    expect(g.edges).toHaveLength(6);
  });

  it('replaces a batch worker prototype by its workers, ordered by batch index', () => {
    const steps = [
      stepRecord('list_files', 'complete'),
      stepRecord('split', 'complete', ['list_files'], { type: 'batchable' }),
      worker('import_batch', 10, 'running', 'split'),
      worker('import_batch', 2, 'complete', 'split'),
      worker('import_batch', 1, 'error', 'split'),
      stepRecord('summarise', 'pending', ['import_batch#1', 'import_batch#2', 'import_batch#10'], { type: 'deferred_convergence' }),
    ];
    const g = runtimeGraph(batch, steps);
    expect(g.nodes.map((n) => n.id)).toEqual(['list_files', 'split', 'import_batch#1', 'import_batch#2', 'import_batch#10', 'summarise']);
    const w = g.nodes[2]!;
    expect(w).toMatchObject({ type: 'batch_worker', dynamic: true, createdBy: 'split', state: 'error' });
    expect(w.meta.templateStep).toBe('import_batch');
    expect(g.edges.map((e) => `${e.from}->${e.to}`)).toEqual([
      'list_files->split',
      'split->import_batch#1',
      'split->import_batch#2',
      'split->import_batch#10',
      'import_batch#1->summarise',
      'import_batch#2->summarise',
      'import_batch#10->summarise',
    ]);
  });

  it('wires workers to the convergence even when the engine kept the template dependency', () => {
    const g = runtimeGraph(batch, [
      stepRecord('split', 'complete', ['list_files']),
      worker('import_batch', 0, 'complete', 'split', []),
      stepRecord('summarise', 'ready', ['import_batch']),
    ]);
    expect(g.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['list_files->split', 'split->import_batch#0', 'import_batch#0->summarise']);
  });

  it('keeps the prototype when it made no workers (zero batches)', () => {
    const g = runtimeGraph(batch, [
      stepRecord('split', 'complete'),
      stepRecord('import_batch', 'skipped', ['split'], { type: 'batch_worker' }),
    ]);
    expect(g.nodes.map((n) => n.id)).toEqual(['list_files', 'split', 'import_batch', 'summarise']);
    expect(g.nodes[2]!.state).toBe('skipped');
  });

  it('is stable whatever order the records come in', () => {
    const steps = [worker('import_batch', 3, 'complete', 'split'), worker('import_batch', 1, 'complete', 'split'), stepRecord('split', 'complete')];
    expect(JSON.stringify(runtimeGraph(batch, steps))).toBe(JSON.stringify(runtimeGraph(batch, [...steps].reverse())));
  });

  it('refuses a flow task for a workflow template', () => {
    expect(() => runtimeGraph(orderFulfillment, { id: 'x', status: 'running', currentState: 'a' } as never)).toThrow(TypeError);
  });
});

describe('runtimeGraph (flow)', () => {
  it('marks the current state with the flow status, visited states and taken edges', () => {
    const g = runtimeGraph(onboarding, { id: 'flow-1', status: 'waiting', currentState: 'ask_for_email' }, [
      move(null, 'check_email', 1),
      move('check_email', 'ask_for_email', 2),
    ]);
    expect(g.taskId).toBe('flow-1');
    const byId = Object.fromEntries(g.nodes.map((n) => [n.id, n]));
    expect(byId.ask_for_email).toMatchObject({ current: true, state: 'waiting' });
    expect(byId.check_email!.state).toBe('visited');
    expect(byId.done!.state).toBeUndefined();
    expect(g.edges.filter((e) => e.taken).map((e) => e.id)).toEqual(['transition:check_email->ask_for_email']);
  });
  it('works without transitions', () => {
    const g = runtimeGraph(onboarding, { id: 'flow-1', status: 'complete', currentState: 'done' });
    expect(g.nodes.filter((n) => n.state).map((n) => [n.id, n.state])).toEqual([['done', 'complete']]);
  });
});
