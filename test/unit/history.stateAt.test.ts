/**
 * stateAt: replaying the whole log gives the stored state, for tasks the engine ran (a workflow
 * with retries, batches and manual operations; flows with data changes and interactions), and
 * every intermediate point matches what the task looked like right after that transition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StepContext } from '../../core/model/handlers.js';
import type { JsonObject } from '../../core/model/runtime.js';
import { createHistory, stateAt, type TaskStateAt } from '../../core/ops/index.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { registrationHandlers } from '../fixtures/flows/registration.js';
import { opsHarness, type OpsHarness } from '../fixtures/ops/opsHarness.js';

let h: OpsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * After every commit that wrote a transition of this task: the seq of its last transition and the
 * stored state. Commits are wrapped and serialised, so each snapshot is exactly the state right
 * after its commit (the engine holds this same storage object).
 */
function recordAfterEachCommit(hh: OpsHarness, taskId: () => string | null) {
  const seen: Array<{ seq: number; state: TaskStateAt }> = [];
  const storage = hh.storage;
  const real = storage.commit.bind(storage);
  let chain: Promise<unknown> = Promise.resolve();
  storage.commit = (cs) => {
    const run = chain.then(async () => {
      const result = await real(cs);
      const id = taskId();
      const seqs = result.transitionSeqs.filter((_, i) => cs.transitions![i]!.taskId === id);
      if (id && seqs.length > 0) seen.push({ seq: seqs.at(-1)!, state: await storedState(hh, id, seqs.at(-1)!) });
      return result;
    });
    chain = run.catch(() => undefined);
    return run;
  };
  return seen;
}

async function storedState(hh: OpsHarness, id: string, seq: number): Promise<TaskStateAt> {
  const task = (await hh.storage.getTask(id))!;
  const log = await hh.storage.listTransitions(id, { uptoSeq: seq });
  return {
    taskId: id,
    kind: task.kind,
    seq,
    at: log.at(-1)?.at ?? null,
    status: task.status,
    paused: task.debug.paused,
    steps: task.kind === 'workflow' ? Object.fromEntries((await hh.storage.getSteps(id)).map((s) => [s.name, { state: s.state, attempts: s.attempts }])) : {},
    currentState: task.currentState,
    data: task.kind === 'flow' ? task.data : null,
  };
}

async function expectReplayMatchesStored(hh: OpsHarness, id: string): Promise<void> {
  const task = (await hh.storage.getTask(id))!;
  const log = await hh.storage.listTransitions(id);
  const at = await stateAt(hh.storage, id, log.at(-1)!.seq);
  expect(at.status).toBe(task.status);
  expect(at.paused).toBe(task.debug.paused);
  if (task.kind === 'workflow') {
    const stored = Object.fromEntries((await hh.storage.getSteps(id)).map((s) => [s.name, { state: s.state, attempts: s.attempts }]));
    expect(at.steps).toEqual(stored);
  } else {
    expect(at.currentState).toBe(task.currentState);
    expect(at.data).toEqual(task.data);
  }
}

describe('stateAt', () => {
  it('replays a workflow with retries, batches, a pause and manual operations to its stored state, and every point in between', async () => {
    let flaky = 0;
    let id: string | null = null;
    h = await opsHarness(
      [
        workflow('history', [
          step('split', { type: 'batchable' }),
          step('work', { type: 'batch_worker', dependsOn: ['split'] }),
          step('merge', { type: 'deferred_convergence', dependsOn: ['work'] }),
          step('flaky', { dependsOn: ['merge'], retry: { maxAttempts: 3, backoffBaseMs: 1000 } }),
          step('last', { dependsOn: ['flaky'] }),
        ]),
      ],
      {
        split: () => ({ batches: [1, 2, 3] }),
        work: (ctx: StepContext) => ({ got: ctx.batch }),
        merge: () => 'merged',
        flaky: () => {
          flaky += 1;
          if (flaky < 3) throw new Error(`flaky ${flaky}`);
          return 'ok';
        },
        last: () => 'done',
      },
    );
    const points = recordAfterEachCommit(h, () => id);
    const task = await h.engine.start('history', {});
    id = task.id;
    await h.engine.runUntilIdle({ taskId: id });
    await h.dbg.pause(id);
    await h.dbg.skipWait(id, 'flaky');
    await h.dbg.continue(id);
    await h.engine.runUntilIdle({ taskId: id });
    h.clock.advance(5000);
    await h.engine.runUntilIdle({ taskId: id });
    expect((await h.storage.getTask(id))!.status).toBe('complete');
    await h.ops.apply({ op: 'rerunFromStep', taskId: id, step: 'flaky', cascade: true }, { expectedVersion: (await h.storage.getTask(id))!.version, reason: 'again' });
    await h.engine.runUntilIdle({ taskId: id });

    await expectReplayMatchesStored(h, id);
    const at = await stateAt(h.storage, id, Number.MAX_SAFE_INTEGER);
    expect(Object.keys(at.steps)).toEqual(['split', 'work', 'merge', 'flaky', 'last', 'work#0', 'work#1', 'work#2']);
    expect(at.steps.flaky).toEqual({ state: 'complete', attempts: 4 });

    // Changes of one task made while its lock is held share a commit, so this counts commits, not
    // transitions: enough points to cover the batch, the retries, the pause and the rerun.
    expect(points.length).toBeGreaterThanOrEqual(15);
    for (const p of points) expect(await stateAt(h.storage, id, p.seq), `after seq ${p.seq}`).toEqual(p.state);
    // With checkpoints, scrubbing backwards and forwards gives the same answers.
    const history = createHistory(h.storage, { checkpointEvery: 3 });
    for (const p of [...points.slice().reverse(), ...points]) expect(await history.stateAt(id, p.seq), `cached, after seq ${p.seq}`).toEqual(p.state);
    expect(await history.stateAt(id, Number.MAX_SAFE_INTEGER)).toEqual(at);
    // Before the batch existed its workers were not there.
    const first = await stateAt(h.storage, id, points[0]!.seq);
    expect(Object.keys(first.steps)).toEqual(['split', 'work', 'merge', 'flaky', 'last']);
  });

  it('replays flows: state, status and data at every point, including data from before its first change', async () => {
    let id: string | null = null;
    h = await opsHarness([loadFlowFixture('registration.yaml')], registrationHandlers);
    const points = recordAfterEachCommit(h, () => id);
    const task = await h.engine.start('accounts/registration', { user_id: 7 });
    id = task.id;
    await h.engine.runUntilIdle({ taskId: id });
    await h.ops.apply({ op: 'updateData', taskId: id, data: { user_id: 8 } }, { expectedVersion: (await h.storage.getTask(id))!.version, reason: 'typo' });
    await h.engine.flows.fireInteraction(id, 'provide_email', { email: 'e@example.com' });
    await h.engine.runUntilIdle({ taskId: id });
    expect((await h.storage.getTask(id))!.status).toBe('complete');
    await expectReplayMatchesStored(h, id);

    const history = createHistory(h.storage, { checkpointEvery: 2 });
    for (const p of points) expect(await stateAt(h.storage, id, p.seq), `after seq ${p.seq}`).toEqual(p.state);
    for (const p of [...points, ...points.slice().reverse()]) expect(await history.stateAt(id, p.seq), `cached, after seq ${p.seq}`).toEqual(p.state);
    const start = await stateAt(h.storage, id, (await h.storage.listTransitions(id))[0]!.seq);
    expect(start.data).toEqual({ user_id: 7 } satisfies JsonObject);
    expect(start.currentState).toBe(null);
  });

  it('refuses an unknown task', async () => {
    h = await opsHarness([], {});
    await expect(stateAt(h.storage, 'nope', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
