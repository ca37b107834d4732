/** Workflow operations: accepted and refused states, preview = apply, STALE races, rows written, resuming to completion. */
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import { states, step, workflow } from '../fixtures/engine/harness.js';
import { applyChecked, opsHarness, refusal, type OpsHarness } from '../fixtures/ops/opsHarness.js';

let h: OpsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** a → b → c; b fails permanently while `broken` is set; every handler counts its calls. */
async function chain() {
  const control = { broken: true, calls: { a: 0, b: 0, c: 0 }, cSaw: null as unknown };
  h = await opsHarness(
    [workflow('chain', [step('a'), step('b', { dependsOn: ['a'], retry: { maxAttempts: 1 } }), step('c', { dependsOn: ['b'] })])],
    {
      a: () => ((control.calls.a += 1), { n: 1 }),
      b: () => {
        control.calls.b += 1;
        if (control.broken) throw new PermanentError('b is broken');
        return { n: 2 };
      },
      c: (ctx: StepContext) => {
        control.calls.c += 1;
        control.cSaw = ctx.results['b'];
        return { n: 3 };
      },
    },
  );
  const task = await h.engine.start('chain', {});
  await h.engine.runUntilIdle({ taskId: task.id });
  return { id: task.id, control };
}

describe('retryStep', () => {
  it('moves an errored step back to ready and the task from error to running; the task then completes; a second retry is refused', async () => {
    const { id, control } = await chain();
    expect((await h!.storage.getTask(id))!.status).toBe('error');
    const { preview, result } = await applyChecked(h!, { op: 'retryStep', taskId: id, step: 'b' }, 'fixed the config');
    expect(preview.changes).toEqual([
      { kind: 'task', name: id, field: 'status', from: 'error', to: 'running' },
      { kind: 'task', name: id, field: 'error', from: expect.objectContaining({ message: 'b is broken' }), to: null },
      { kind: 'step', name: 'b', field: 'state', from: 'error', to: 'ready' },
    ]);
    expect(result.transitions.map((t) => [t.stepName, t.field, t.from, t.to])).toEqual([
      ['b', 'state', 'error', 'ready'],
      [null, 'status', 'error', 'running'],
    ]);
    // Idempotent where a user would retry: the same request again is refused, not applied twice.
    const again = await refusal(h!.ops.apply({ op: 'retryStep', taskId: id, step: 'b' }, { expectedVersion: result.version, reason: 'again' }));
    expect(again.code).toBe('INVALID_STATE');
    expect(again.message).toBe("retryStep: step 'b' is ready; retryStep accepts a step in: error, waiting_for_retry, pending. Nothing was changed.");
    expect(again.details).toMatchObject({ found: 'ready', accepts: ['error', 'waiting_for_retry', 'pending'] });

    control.broken = false;
    const run = await h!.engine.runUntilIdle({ taskId: id });
    expect(run.task?.status).toBe('complete');
    expect(control.calls).toEqual({ a: 1, b: 2, c: 1 });
  });

  it('refuses a complete step, an unknown step, a stale version and a flow-only op', async () => {
    const { id } = await chain();
    const done = await refusal(h!.ops.preview({ op: 'retryStep', taskId: id, step: 'a' }));
    expect(done).toMatchObject({ code: 'INVALID_STATE', details: { found: 'complete', name: 'a' } });
    const unknown = await refusal(h!.ops.preview({ op: 'retryStep', taskId: id, step: 'zzz' }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('Its steps: a, b, c');
    const task = (await h!.storage.getTask(id))!;
    const stale = await refusal(h!.ops.apply({ op: 'retryStep', taskId: id, step: 'b' }, { expectedVersion: task.version - 1, reason: 'x' }));
    expect(stale.code).toBe('STALE');
    expect(stale.message).toContain('changed since the preview');
    expect((await refusal(h!.ops.preview({ op: 'goTo', taskId: id, state: 'x' }))).code).toBe('USAGE');
    expect((await refusal(h!.ops.apply({ op: 'retryStep', taskId: id, step: 'b' }, { expectedVersion: task.version, reason: ' ' }))).code).toBe('USAGE');
    expect((await h!.storage.getTask(id))!.version).toBe(task.version);
  });

  it('two racing applies of one preview: one wins, the other is refused STALE and writes nothing', async () => {
    const { id } = await chain();
    const preview = await h!.ops.preview({ op: 'retryStep', taskId: id, step: 'b' });
    const eventsBefore = await h!.storage.lastEventSeq();
    const outcomes = await Promise.allSettled([
      h!.ops.apply({ op: 'retryStep', taskId: id, step: 'b' }, { expectedVersion: preview.version, reason: 'first' }),
      h!.ops.apply({ op: 'skipStep', taskId: id, step: 'b' }, { expectedVersion: preview.version, reason: 'second' }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason.code).toBe('STALE');
    const applied = (await h!.storage.readEvents(eventsBefore, 100, { taskId: id })).filter((e) => e.type === 'op.applied');
    expect(applied).toHaveLength(1);
    expect((await h!.storage.getTask(id))!.version).toBe(preview.version + 1);
  });
});

describe('resetForRetry', () => {
  it('gives an errored step a new attempt budget; refuses a complete step', async () => {
    const { id, control } = await chain();
    const { preview } = await applyChecked(h!, { op: 'resetForRetry', taskId: id, step: 'b', attempts: 2 });
    expect(preview.changes).toContainEqual({ kind: 'step', name: 'b', field: 'maxAttempts', from: 1, to: 3 });
    expect(preview.changes).toContainEqual({ kind: 'step', name: 'b', field: 'state', from: 'error', to: 'ready' });
    const refused = await refusal(h!.ops.preview({ op: 'resetForRetry', taskId: id, step: 'a' }));
    expect(refused.message).toBe("resetForRetry: step 'a' is complete; resetForRetry accepts a step in: error, waiting_for_retry. Nothing was changed.");
    control.broken = false;
    expect((await h!.engine.runUntilIdle({ taskId: id })).task?.status).toBe('complete');
  });
});

describe('resolveManually / markCompleted', () => {
  it('resolves an errored step with results; its dependents proceed with them', async () => {
    const { id, control } = await chain();
    const { preview } = await applyChecked(h!, { op: 'resolveManually', taskId: id, step: 'b', results: { n: 42 } });
    expect(preview.changes).toEqual(
      expect.arrayContaining([
        { kind: 'step', name: 'b', field: 'state', from: 'error', to: 'resolved_manually' },
        { kind: 'step', name: 'b', field: 'results', from: null, to: { n: 42 } },
        { kind: 'step', name: 'c', field: 'state', from: 'pending', to: 'ready' },
        { kind: 'task', name: id, field: 'status', from: 'error', to: 'running' },
      ]),
    );
    expect((await h!.engine.runUntilIdle({ taskId: id })).task?.status).toBe('complete');
    expect(control.cSaw).toEqual({ n: 42 });
    expect(control.calls.b).toBe(1);
  });

  it('markCompleted is the same move; a complete step is refused', async () => {
    const { id } = await chain();
    const refused = await refusal(h!.ops.preview({ op: 'markCompleted', taskId: id, step: 'a', results: 1 }));
    expect(refused.details).toMatchObject({ found: 'complete', accepts: ['error', 'waiting_for_retry', 'waiting'] });
    await applyChecked(h!, { op: 'markCompleted', taskId: id, step: 'b', results: { n: 7 } });
    expect(await states(h!.storage, id)).toEqual({ a: 'complete', b: 'resolved_manually', c: 'ready' });
  });
});

describe('skipStep', () => {
  it('skips an errored step; a step whose every dependency was skipped is skipped too and the task completes', async () => {
    const { id, control } = await chain();
    const { preview } = await applyChecked(h!, { op: 'skipStep', taskId: id, step: 'b' });
    expect(preview.changes.filter((c) => c.field === 'state')).toEqual([
      { kind: 'step', name: 'b', field: 'state', from: 'error', to: 'skipped' },
      { kind: 'step', name: 'c', field: 'state', from: 'pending', to: 'skipped' },
    ]);
    expect((await h!.storage.getTask(id))!.status).toBe('complete');
    expect(control.calls.c).toBe(0);
    const refused = await refusal(h!.ops.preview({ op: 'skipStep', taskId: id, step: 'a' }));
    expect(refused.message).toBe(`skipStep: task ${id} is complete; skipStep accepts a task in: running, waiting, error. Nothing was changed.`);
  });
});

describe('markPending', () => {
  it('refuses to reset a step whose dependents ran without cascade, listing them; with cascade resets them too', async () => {
    const { id } = await chain();
    const refused = await refusal(h!.ops.preview({ op: 'markPending', taskId: id, step: 'a' }));
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.details.dependents).toEqual(['b']);
    expect(refused.message).toContain("steps downstream of 'a' already ran (b)");
    const { preview } = await applyChecked(h!, { op: 'markPending', taskId: id, step: 'a', cascade: true });
    expect(preview.changes.filter((c) => c.field === 'state')).toEqual([
      { kind: 'step', name: 'b', field: 'state', from: 'error', to: 'pending' },
      { kind: 'step', name: 'a', field: 'state', from: 'complete', to: 'pending' },
    ]);
    // Parked: nothing runs until retryStep releases it.
    expect((await h!.engine.runUntilIdle({ taskId: id })).steps).toBe(0);
    await applyChecked(h!, { op: 'retryStep', taskId: id, step: 'a' });
  });
});

describe('updateResults', () => {
  it('replaces the results of a complete step, keeping the old ones in the transition; a pending step is refused', async () => {
    const { id } = await chain();
    const { result, preview } = await applyChecked(h!, { op: 'updateResults', taskId: id, step: 'a', results: { n: 100 } });
    expect(preview.changes).toEqual([{ kind: 'step', name: 'a', field: 'results', from: { n: 1 }, to: { n: 100 } }]);
    expect(preview.notes.join(' ')).toContain('Already ran with the old results: b');
    expect(result.transitions).toEqual([expect.objectContaining({ stepName: 'a', field: 'data', details: expect.objectContaining({ previousResults: { n: 1 }, results: { n: 100 } }) })]);
    expect((await refusal(h!.ops.preview({ op: 'updateResults', taskId: id, step: 'c', results: 1 }))).details).toMatchObject({ found: 'pending' });
  });
});

describe('rerunFromStep', () => {
  it('needs cascade, lists every step it resets, and the task runs those again to completion', async () => {
    const { id, control } = await chain();
    control.broken = false;
    await h!.ops.apply({ op: 'retryStep', taskId: id, step: 'b' }, { expectedVersion: (await h!.storage.getTask(id))!.version, reason: 'fixed' });
    expect((await h!.engine.runUntilIdle({ taskId: id })).task?.status).toBe('complete');
    const refused = await refusal(h!.ops.preview({ op: 'rerunFromStep', taskId: id, step: 'a' }));
    expect(refused.details.dependents).toEqual(['b', 'c']);
    const { preview } = await applyChecked(h!, { op: 'rerunFromStep', taskId: id, step: 'a', cascade: true });
    expect(preview.changes.filter((c) => c.field === 'state')).toEqual([
      { kind: 'step', name: 'b', field: 'state', from: 'complete', to: 'pending' },
      { kind: 'step', name: 'c', field: 'state', from: 'complete', to: 'pending' },
      { kind: 'step', name: 'a', field: 'state', from: 'complete', to: 'ready' },
    ]);
    expect(preview.changes).toContainEqual({ kind: 'task', name: id, field: 'status', from: 'complete', to: 'running' });
    expect((await h!.engine.runUntilIdle({ taskId: id })).task?.status).toBe('complete');
    expect(control.calls).toEqual({ a: 2, b: 3, c: 2 });
  });
});

describe('cancelTask', () => {
  it('cancels every unfinished step of an errored task; everything after it is refused', async () => {
    const { id } = await chain();
    const { preview } = await applyChecked(h!, { op: 'cancelTask', taskId: id });
    expect(preview.changes.filter((c) => c.field === 'state' || c.field === 'status')).toEqual([
      { kind: 'task', name: id, field: 'status', from: 'error', to: 'cancelled' },
      { kind: 'step', name: 'c', field: 'state', from: 'pending', to: 'cancelled' },
    ]);
    const again = await refusal(h!.ops.preview({ op: 'cancelTask', taskId: id }));
    expect(again.message).toContain('A cancelled task cannot be changed.');
    expect((await refusal(h!.ops.preview({ op: 'retryStep', taskId: id, step: 'b' }))).details).toMatchObject({ found: 'cancelled' });
  });
});
