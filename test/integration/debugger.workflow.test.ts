/** The debugger on workflows: stepping a diamond, breakpoints, skipWait, paused tasks accepting input, restart. */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../../core/model/errors.js';
import { createEngine } from '../../core/engine/engine.js';
import { isPostgresUrl, openStorage, storageConfigOf } from '../../core/storage/index.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { states, step, workflow } from '../fixtures/engine/harness.js';
import { opsHarness, refusal, type OpsHarness } from '../fixtures/ops/opsHarness.js';

let h: OpsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const diamond = workflow('diamond', [
  step('a'),
  step('b', { dependsOn: ['a'] }),
  step('c', { dependsOn: ['a'] }),
  step('d', { dependsOn: ['b', 'c'] }),
]);
const ran: string[] = [];
const diamondHandlers = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, () => (ran.push(n), { step: n })]));

describe('stepping', () => {
  it('steps a diamond one step at a time, in topological order, staying paused', async () => {
    ran.length = 0;
    h = await opsHarness([diamond], diamondHandlers);
    const task = await h.engine.start('diamond', {}, { debug: true });
    expect(task).toMatchObject({ status: 'paused', debug: { paused: true, pauseReason: 'debug_start', resumeStatus: 'running' } });
    // Paused: nothing runs on its own.
    expect((await h.engine.runUntilIdle({ taskId: task.id })).steps).toBe(0);

    const expected: Array<[string, Record<string, string>, Array<[string | null, string, string]>]> = [
      // The first step also records why the task is paused now: after a step, not as it started.
      ['a', { a: 'complete', b: 'ready', c: 'ready', d: 'pending' }, [['a', 'ready', 'running'], ['a', 'running', 'complete'], ['b', 'pending', 'ready'], ['c', 'pending', 'ready'], [null, 'debug_start', 'step']]],
      ['b', { a: 'complete', b: 'complete', c: 'ready', d: 'pending' }, [['b', 'ready', 'running'], ['b', 'running', 'complete']]],
      ['c', { a: 'complete', b: 'complete', c: 'complete', d: 'ready' }, [['c', 'ready', 'running'], ['c', 'running', 'complete'], ['d', 'pending', 'ready']]],
      ['d', { a: 'complete', b: 'complete', c: 'complete', d: 'complete' }, [['d', 'ready', 'running'], ['d', 'running', 'complete'], [null, 'paused', 'complete']]],
    ];
    for (const [name, after, transitions] of expected) {
      const r = await h.dbg.step(task.id);
      expect(r.ran).toBe(name);
      expect(await states(h.storage, task.id)).toEqual(after);
      expect(r.transitions.map((t) => [t.stepName, t.from, t.to])).toEqual(transitions);
      expect(r.task.debug.paused).toBe(true);
      if (name !== 'd') expect(r.task).toMatchObject({ status: 'paused', debug: { pauseReason: 'step' } });
      // Between steps nothing else moves.
      expect((await h.engine.runUntilIdle({ taskId: task.id })).steps).toBe(0);
    }
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect((await h.storage.getTask(task.id))!.status).toBe('complete');
    expect((await refusal(h.dbg.step(task.id))).details).toMatchObject({ found: 'complete' });
  });

  it('steps a chosen ready step; refuses one that is not ready; pauses a running task first', async () => {
    ran.length = 0;
    h = await opsHarness([diamond], diamondHandlers);
    const task = await h.engine.start('diamond', {});
    await h.dbg.step(task.id); // not paused: the step pauses it first, then runs a
    expect((await h.storage.getTask(task.id))!.debug).toMatchObject({ paused: true });
    const refused = await refusal(h.dbg.step(task.id, 'd'));
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.message).toContain('Ready now: b, c.');
    const r = await h.dbg.step(task.id, 'c');
    expect(r.ran).toBe('c');
    expect(await states(h.storage, task.id)).toEqual({ a: 'complete', b: 'ready', c: 'complete', d: 'pending' });
    await h.dbg.continue(task.id);
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
    expect(ran).toEqual(['a', 'c', 'b', 'd']);
  });
});

describe('breakpoints', () => {
  it('pause the task before the step runs with debug.paused breakpoint:<name>; continue passes it once', async () => {
    ran.length = 0;
    h = await opsHarness([diamond], diamondHandlers);
    const task = await h.engine.start('diamond', {});
    await h.dbg.setBreakpoints(task.id, ['d']);
    expect((await refusal(h.dbg.setBreakpoints(task.id, ['nope']))).code).toBe('INVALID_STATE');
    await h.engine.runUntilIdle({ taskId: task.id });
    expect(ran).toEqual(['a', 'b', 'c']);
    const paused = (await h.storage.getTask(task.id))!;
    expect(paused.debug).toMatchObject({ paused: true, pauseReason: 'breakpoint:d', breakpoints: ['d'] });
    expect(await states(h.storage, task.id)).toMatchObject({ d: 'ready' });
    expect(h.events.filter((e) => e.type === 'debug.paused').map((e) => e.payload)).toEqual([{ reason: 'breakpoint:d' }]);

    await h.dbg.continue(task.id);
    expect(h.events.some((e) => e.type === 'debug.resumed')).toBe(true);
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('skipWait', () => {
  it('makes a retry backoff due now, recorded as a user transition', async () => {
    let calls = 0;
    h = await opsHarness([workflow('backoff', [step('flaky', { retry: { maxAttempts: 3, backoffBaseMs: 3_600_000, maxBackoffMs: 3_600_000 } })])], {
      flaky: () => {
        calls += 1;
        if (calls === 1) throw new RetryableError('later');
        return 'ok';
      },
    });
    const task = await h.engine.start('backoff', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    expect(await states(h.storage, task.id)).toEqual({ flaky: 'waiting_for_retry' });
    const r = await h.dbg.skipWait(task.id, 'flaky');
    expect(r.transitions[0]).toMatchObject({ stepName: 'flaky', from: 'waiting_for_retry', to: 'ready', actor: 'user', details: { op: 'skipWait' } });
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
    expect(calls).toBe(2);
  });

  it("ends a wait step's time now; its dependents proceed", async () => {
    h = await opsHarness([workflow('pause', [step('hold', { type: 'wait', handler: null, wait: { durationMs: 86_400_000 } }), step('after', { dependsOn: ['hold'] })])], { after: () => 'done' });
    const task = await h.engine.start('pause', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    expect(await states(h.storage, task.id)).toEqual({ hold: 'waiting', after: 'pending' });
    const refused = await refusal(h.dbg.skipWait(task.id, 'after'));
    expect(refused.details).toMatchObject({ found: 'pending' });
    await h.dbg.skipWait(task.id);
    expect((await h.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');
  });
});

describe('a paused task', () => {
  it('accepts signals and operations, runs nothing, and shows them in the next step', async () => {
    h = await opsHarness([workflow('signalled', [step('gate', { type: 'wait', handler: null }), step('next', { dependsOn: ['gate'] })])], { next: () => 'ran' });
    const task = await h.engine.start('signalled', {});
    await h.engine.runUntilIdle({ taskId: task.id });
    await h.dbg.pause(task.id);
    expect(await h.dbg.nextStep(task.id)).toMatchObject({ next: null, ready: [], paused: true });
    await h.engine.signal(task.id, 'gate', { ok: true });
    expect(await states(h.storage, task.id)).toEqual({ gate: 'complete', next: 'ready' });
    expect((await h.engine.runUntilIdle({ taskId: task.id })).steps).toBe(0);
    // The signal shows in what the next step will run.
    expect(await h.dbg.nextStep(task.id)).toMatchObject({ next: 'next', due: false, ready: ['next'] });
    const r = await h.dbg.step(task.id);
    expect(r.ran).toBe('next');
    expect((await h.storage.getTask(task.id))!.status).toBe('complete');
  });

  it('stays paused across a restart of the engine on the same database', async () => {
    ran.length = 0;
    h = await opsHarness([diamond], diamondHandlers);
    const task = await h.engine.start('diamond', {});
    await h.dbg.pause(task.id);
    await h.engine.close();
    await h.storage.close();

    const storage = await openStorage(storageConfigOf(h.file, { clock: h.clock }));
    const handlers = new Map(Object.entries(diamondHandlers).map(([name, fn]) => [name, { name, fn, file: '' }]));
    const engine = createEngine({ storage, templates: createTemplateRegistry([diamond]), handlers: createHandlerRegistry(handlers), clock: h.clock, executor: 'inline' });
    try {
      expect((await engine.runUntilIdle({ taskId: task.id })).steps).toBe(0);
      engine.startLoop({ pollMs: 10 });
      await new Promise((r) => setTimeout(r, 50));
      await engine.stop();
      expect(ran).toEqual([]);
      expect((await storage.getTask(task.id))!.debug).toMatchObject({ paused: true, pauseReason: 'user' });
    } finally {
      await engine.close();
      await storage.close();
      if (!isPostgresUrl(h.file)) rmSync(dirname(h.file), { recursive: true, force: true });
      h = undefined;
    }
  });
});
