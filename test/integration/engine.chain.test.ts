/**
 * Chained claims (core/engine/chain.ts): an outcome's commit also claims the task's next ready
 * step, so a step costs one commit. These tests pin what must not change with it: every state
 * change keeps its transition row and event, the executor's capacity and the driver's step
 * budget hold, breakpoints still pause, and a round still serves other tasks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../core/storage/storage.js';
import { harness, step, workflow, type Harness } from '../fixtures/engine/harness.js';

const hs: Harness[] = [];
afterEach(async () => {
  for (const h of hs.splice(0)) await h.close();
});

const chain = (n: number) => workflow('chain', Array.from({ length: n }, (_, i) => step(`s${i}`, { handler: 'work', dependsOn: i === 0 ? [] : [`s${i - 1}`] })));
const fan = (n: number) => workflow('fan', [step('root', { handler: 'work' }), ...Array.from({ length: n }, (_, i) => step(`leaf${i}`, { handler: 'work', dependsOn: ['root'] }))]);

async function counted(h: Harness): Promise<ChangeSet[]> {
  const commits: ChangeSet[] = [];
  const commit = h.storage.commit.bind(h.storage);
  h.storage.commit = (c) => {
    commits.push(c);
    return commit(c);
  };
  return commits;
}

describe('chained claims', () => {
  it('runs a chain with one commit per step, every state change still with its transition and event', async () => {
    let active = 0;
    let maxActive = 0;
    const h = await harness({
      templates: [chain(20)],
      handlers: {
        work: async () => {
          maxActive = Math.max(maxActive, ++active);
          await new Promise((r) => setTimeout(r, 1));
          active -= 1;
          return 'ok';
        },
      },
    });
    hs.push(h);
    const task = await h.engine.start('chain', {});
    const commits = await counted(h);
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(run.steps).toBe(20);
    expect(maxActive).toBe(1);
    // One claim of s0, then one commit per outcome (which claims the next step).
    expect(commits.length).toBe(21);
    for (let i = 0; i < 20; i++) {
      const moves = (await h.storage.listTransitions(task.id, { stepName: `s${i}` })).map((t) => `${t.from}>${t.to}`);
      expect(moves.slice(-3)).toEqual(['pending>ready', 'ready>running', 'running>complete']);
    }
    const started = h.events.filter((e) => e.type === 'step.started').map((e) => e.stepName);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`));
    const attempts = await h.storage.listAttempts(task.id);
    expect(attempts.map((a) => a.outcome)).toEqual(Array(20).fill('success'));
  });

  it("gives a step its ancestors' results when it reads them, and what a handler does to its copy changes nothing stored", async () => {
    const seen: Record<string, unknown> = {};
    const h = await harness({
      templates: [workflow('anc', [step('a', { handler: 'a' }), step('b', { handler: 'b', dependsOn: ['a'] }), step('c', { handler: 'c', dependsOn: ['b'] }), step('d', { handler: 'd', dependsOn: ['c'] })])],
      handlers: {
        a: () => ({ n: 1 }),
        // Mutates its (lazily built) copy of the ancestors: nothing the engine keeps may change.
        b: (ctx) => {
          (ctx.ancestors.a as { n: number }).n = 99;
          return { n: 2 };
        },
        // Replaces the field before reading it.
        c: (ctx) => {
          ctx.ancestors = { replaced: true };
          seen.c = ctx.ancestors;
          return { n: 3 };
        },
        d: (ctx) => {
          seen.d = ctx.ancestors;
          seen.dResults = ctx.results;
          return null;
        },
      },
    });
    hs.push(h);
    const task = await h.engine.start('anc', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(seen.c).toEqual({ replaced: true });
    expect(seen.d).toEqual({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 } });
    expect(seen.dResults).toEqual({ c: { n: 3 } });
    expect((await h.storage.getSteps(task.id)).find((s) => s.name === 'a')?.results).toEqual({ n: 1 });
  });

  it('never runs more handlers at once than the executor allows', async () => {
    let active = 0;
    let maxActive = 0;
    const h = await harness({
      templates: [fan(30)],
      executor: 'pool',
      concurrency: 3,
      handlers: {
        work: async () => {
          maxActive = Math.max(maxActive, ++active);
          await new Promise((r) => setTimeout(r, 2));
          active -= 1;
          return null;
        },
      },
    });
    hs.push(h);
    const task = await h.engine.start('fan', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    expect(run.steps).toBe(31);
    expect(maxActive).toBe(3);
  });

  it('keeps to the step budget of runUntilIdle', async () => {
    const h = await harness({ templates: [chain(10)], handlers: { work: () => 'ok' } });
    hs.push(h);
    const task = await h.engine.start('chain', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id, maxSteps: 4 });
    expect(run.stoppedBy).toBe('max_steps');
    expect(run.steps).toBe(4);
    const states = (await h.storage.getSteps(task.id)).map((s) => s.state);
    expect(states.filter((s) => s === 'complete')).toHaveLength(4);
    expect(states.filter((s) => s === 'running')).toHaveLength(0);
    const rest = await h.engine.runUntilIdle({ taskId: task.id });
    expect(rest.task?.status).toBe('complete');
    expect(rest.steps).toBe(6);
  });

  it('stops at a breakpoint: the task pauses before the step instead of the chain claiming it', async () => {
    const h = await harness({ templates: [chain(5)], handlers: { work: () => 'ok' } });
    hs.push(h);
    const task = await h.engine.start('chain', {});
    await h.storage.commit({
      updateTasks: [{ id: task.id, expectedVersion: task.version, set: { debug: { paused: false, breakpoints: ['s3'] } } }],
    });
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.steps).toBe(3);
    expect(run.task?.debug.paused).toBe(true);
    expect((await h.storage.getStep(task.id, 's3'))?.state).toBe('ready');
    expect(h.events.some((e) => e.type === 'debug.paused' && e.stepName === 's3')).toBe(true);
  });

  it('leaves what it cannot claim to a round at once: a wait made ready with a chained step starts while that step runs', async () => {
    let waitingWhileRunning: boolean | null = null;
    const h: Harness = await harness({
      templates: [workflow('split', [step('a', { handler: 'work' }), step('b', { handler: 'slow', dependsOn: ['a'] }), step('gate', { type: 'wait', handler: null, dependsOn: ['a'] })])],
      executor: 'pool',
      concurrency: 2,
      handlers: {
        work: () => 'ok',
        slow: async () => {
          // The end of `a` claimed `b` and could not claim `gate` (a wait): the round its end
          // woke starts the wait now, not after `b` ends.
          for (let i = 0; i < 200 && !h.events.some((e) => e.type === 'step.waiting'); i++) await new Promise((r) => setTimeout(r, 5));
          waitingWhileRunning = h.events.some((e) => e.type === 'step.waiting');
          return 'ok';
        },
      },
    });
    hs.push(h);
    const task = await h.engine.start('split', {});
    const run = await h.engine.runUntilIdle({ taskId: task.id });
    expect(run.steps).toBe(3);
    expect(waitingWhileRunning).toBe(true);
    expect((await h.storage.getStep(task.id, 'gate'))?.state).toBe('waiting');
  });

  it('lets a scheduling round serve other tasks: two chains on one inline engine both progress', async () => {
    const order: string[] = [];
    const h: Harness = await harness({
      templates: [chain(80)],
      handlers: {
        work: (ctx) => {
          order.push(ctx.taskId);
          // Time passes per step, so the other task's ready step is the one that waited longest.
          h.clock.advance(1);
          return 'ok';
        },
      },
    });
    hs.push(h);
    const a = await h.engine.start('chain', {});
    const b = await h.engine.start('chain', {});
    const run = await h.engine.runUntilIdle();
    expect(run.steps).toBe(160);
    // Whichever task ran first, the other started long before the first had run its 80 steps
    // (a chain yields to a scheduling round, which takes the step that waited longest).
    const other = order[0] === a.id ? b.id : a.id;
    expect(order.indexOf(other)).toBeGreaterThan(0);
    expect(order.indexOf(other)).toBeLessThan(40);
    for (const id of [a.id, b.id]) expect((await h.storage.getTask(id))?.status).toBe('complete');
  });
});
