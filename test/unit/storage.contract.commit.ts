/** Contract: commit semantics (round trips, versions, refusals, atomicity, seqs, delete). */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { attempt, completedEvent, readyEvent, step, task, transition, T0 } from '../fixtures/storage/records.js';
import { settle, type ContractContext } from './storage.contract.js';

async function refused(p: Promise<unknown>, code: string): Promise<StepwiseError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a ${code} refusal`).toBeInstanceOf(StepwiseError);
  expect((err as StepwiseError).code).toBe(code);
  return err as StepwiseError;
}

export function commitContract(ctx: ContractContext): void {
  const seed = async (): Promise<void> => {
    await ctx.s.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 'a'), step('t1', 'b'), step('t1', 'c')] });
  };

  describe('records round-trip', () => {
    it('stores and reads back a task with every field, JSON included', async () => {
      const t = task('t1', {
        kind: 'flow',
        status: 'waiting',
        data: { count: 3, nested: { list: [1, 'two', null, true] } },
        currentState: 'review',
        parentTaskId: 'p1',
        parentStepName: 'sub',
        idempotencyKey: 'key-1',
        participants: ['order:1', 'user:7'],
        error: { class: 'Error', message: 'boom', code: 'X', retryable: false },
        result: [1, { a: 'b' }],
        finishedAt: T0 + 5,
        wakeAt: T0 + 6,
        timeoutAt: T0 + 7,
        deleteAt: T0 + 8,
        debug: { paused: true, pauseReason: 'user', breakpoints: ['a', 'b'] },
        version: 4,
      });
      await ctx.s.commit({ insertTasks: [t] });
      expect(await ctx.s.getTask('t1')).toEqual(t);
      expect(await ctx.s.getTask('nope')).toBeNull();
    });

    it('stores and reads back a step with every field', async () => {
      const s = step('t1', 'w#2', {
        templateStep: 'w',
        type: 'batch_worker',
        state: 'running',
        dependsOn: ['a', 'b'],
        attempts: 2,
        retryAt: T0 + 1,
        wakeAt: T0 + 2,
        results: { n: 1.5, s: 'x' },
        batch: [{ id: 1 }],
        error: { class: 'TypeError', message: 'bad', stack: 'at x' },
        leaseOwner: 'engine-1',
        leaseExpiresAt: T0 + 30_000,
        concurrencyKey: 'api:stripe',
        progress: { fraction: 0.5, message: 'half' },
        dynamic: true,
        createdBy: 'splitter',
      });
      await ctx.s.commit({ insertTasks: [task('t1')], insertSteps: [s] });
      expect(await ctx.s.getStep('t1', 'w#2')).toEqual(s);
      expect(await ctx.s.getStep('t1', 'nope')).toBeNull();
      expect(await ctx.s.getSteps('t1')).toEqual([s]);
    });

    it('numbers a large commit\'s transitions and events in order, as returned and as read back', async () => {
      await ctx.s.commit({ insertTasks: [task('t1')] });
      await ctx.s.commit({ events: [readyEvent('t1', 'first')], transitions: [transition('t1', 'first', 'pending', 'ready')] });
      // 250 of each: more than one multi-row statement's worth in SQLite.
      const n = 250;
      const r = await ctx.s.commit({
        transitions: Array.from({ length: n }, (_, i) => transition('t1', `s${i}`, 'pending', 'ready', { at: T0 + i, details: i % 3 ? {} : { i } })),
        events: Array.from({ length: n }, (_, i) => readyEvent('t1', `s${i}`, T0 + i)),
      });
      const seqs = r.events.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: n }, (_, i) => seqs[0]! + i));
      expect(r.events.map((e) => e.stepName)).toEqual(Array.from({ length: n }, (_, i) => `s${i}`));
      const read = await ctx.s.readEvents(seqs[0]! - 1, 1000);
      expect(read.map((e) => [e.seq, e.stepName])).toEqual(r.events.map((e) => [e.seq, e.stepName]));
      const logged = await ctx.s.listTransitions('t1');
      expect(logged.slice(1).map((t) => [t.seq, t.stepName, t.details])).toEqual(
        r.transitionSeqs.map((seq, i) => [seq, `s${i}`, i % 3 ? {} : { i }]),
      );
      expect(await ctx.s.lastEventSeq()).toBe(seqs[n - 1]);
    });

    it('returns steps in insertion order', async () => {
      await ctx.s.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 'z'), step('t1', 'a')] });
      await ctx.s.commit({ insertSteps: [step('t1', 'm')] });
      expect((await ctx.s.getSteps('t1')).map((s) => s.name)).toEqual(['z', 'a', 'm']);
      expect(await ctx.s.getSteps('none')).toEqual([]);
    });

    it('copies records: mutating what was passed or returned never changes stored state', async () => {
      const t = task('t1');
      await ctx.s.commit({ insertTasks: [t] });
      t.input['orderId'] = 'changed';
      const read = (await ctx.s.getTask('t1'))!;
      (read.input as Record<string, unknown>)['orderId'] = 'mutated';
      read.participants.push('x');
      expect((await ctx.s.getTask('t1'))!.input['orderId']).toBe('t1');
      expect((await ctx.s.getTask('t1'))!.participants).toEqual([]);
      const results = { deep: { v: 1 } };
      await ctx.s.commit({ insertSteps: [step('t1', 'a')] });
      await ctx.s.commit({ updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { results } }] });
      results.deep.v = 2;
      expect((await ctx.s.getStep('t1', 'a'))!.results).toEqual({ deep: { v: 1 } });
      const details = { old: { n: 1 } };
      await ctx.s.commit({ transitions: [transition('t1', 'a', 'pending', 'ready', { details }), transition('t1', null, 'pending', 'running')] });
      details.old.n = 2;
      const [withDetails, plain] = await ctx.s.listTransitions('t1');
      (withDetails!.details['old'] as { n: number }).n = 3;
      plain!.details['x'] = 1;
      expect((await ctx.s.listTransitions('t1')).map((t) => t.details)).toEqual([{ old: { n: 1 } }, {}]);
      const [event] = (await ctx.s.commit({ events: [completedEvent('t1', 'a', { r: 1 })] })).events;
      (event!.payload as unknown as { results: { r: number } }).results.r = 2;
      await settle(ctx.s);
      expect((await ctx.s.readEvents(0))[0]!.payload).toEqual({ attempt: 1, results: { r: 1 } });
    });

    it('stores attempts and lists them in insertion order, by task and by step', async () => {
      await seed();
      const a1 = attempt('t1', 'a', 1, { logs: [{ at: T0, level: 'info', message: 'hi', fields: { k: 1 } }] });
      const b1 = attempt('t1', 'b', 1);
      const a2 = attempt('t1', 'a', 2, { startedAt: T0 - 1 });
      await ctx.s.commit({ insertAttempts: [a1, b1] });
      await ctx.s.commit({ insertAttempts: [a2] });
      expect(await ctx.s.listAttempts('t1')).toEqual([a1, b1, a2]);
      expect(await ctx.s.listAttempts('t1', 'a')).toEqual([a1, a2]);
      await ctx.s.commit({
        updateAttempts: [{ id: a1.id, set: { outcome: 'error', finishedAt: T0 + 9, durationMs: 9, error: { class: 'E', message: 'm' } } }],
      });
      expect((await ctx.s.listAttempts('t1', 'a'))[0]).toEqual({ ...a1, outcome: 'error', finishedAt: T0 + 9, durationMs: 9, error: { class: 'E', message: 'm' } });
      expect(await ctx.s.listAttempts('other')).toEqual([]);
    });

    it('maxAttemptNumber answers the highest number of one step, 0 without attempts, and forgets a deleted task', async () => {
      await seed();
      expect(await ctx.s.maxAttemptNumber('t1', 'a')).toBe(0);
      // Out of order on purpose: the highest number, not the last inserted.
      await ctx.s.commit({ insertAttempts: [attempt('t1', 'a', 3), attempt('t1', 'a', 1), attempt('t1', 'b', 7)] });
      await ctx.s.commit({ insertTasks: [task('t2')], insertAttempts: [attempt('t2', 'a', 9)] });
      expect(await ctx.s.maxAttemptNumber('t1', 'a')).toBe(3);
      expect(await ctx.s.maxAttemptNumber('t1', 'b')).toBe(7);
      expect(await ctx.s.maxAttemptNumber('t1', 'c')).toBe(0);
      expect(await ctx.s.maxAttemptNumber('t2', 'a')).toBe(9);
      expect(await ctx.s.maxAttemptNumber('nope', 'a')).toBe(0);
      await ctx.s.commit({ deleteTasks: ['t1'] });
      expect(await ctx.s.maxAttemptNumber('t1', 'a')).toBe(0);
      expect(await ctx.s.maxAttemptNumber('t2', 'a')).toBe(9);
    });
  });

  describe('versions', () => {
    it('a task patch sets version to expectedVersion + 1 and changes only the patched fields', async () => {
      await seed();
      const before = (await ctx.s.getTask('t1'))!;
      await ctx.s.commit({ updateTasks: [{ id: 't1', expectedVersion: before.version, set: { status: 'running', updatedAt: T0 + 1, wakeAt: undefined } }] });
      expect(await ctx.s.getTask('t1')).toEqual({ ...before, status: 'running', updatedAt: T0 + 1, version: before.version + 1 });
    });

    it('a step patch bumps the step and its task by one', async () => {
      await seed();
      const v = (await ctx.s.getTask('t1'))!.version;
      await ctx.s.commit({ updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { state: 'ready', error: null } }] });
      expect((await ctx.s.getStep('t1', 'a'))!).toMatchObject({ state: 'ready', version: 2 });
      expect((await ctx.s.getStep('t1', 'b'))!.version).toBe(1);
      expect((await ctx.s.getTask('t1'))!.version).toBe(v + 1);
    });

    it('several steps of one task in one commit bump the task once; each task of several once', async () => {
      await seed();
      await ctx.s.commit({ insertTasks: [task('t2')], insertSteps: [step('t2', 'x')] });
      const v1 = (await ctx.s.getTask('t1'))!.version;
      const v2 = (await ctx.s.getTask('t2'))!.version;
      await ctx.s.commit({
        updateSteps: [
          { id: 't1:a', expectedVersion: 1, set: { state: 'ready' } },
          { id: 't1:b', expectedVersion: 1, set: { state: 'ready' } },
          { id: 't2:x', expectedVersion: 1, set: { state: 'ready' } },
        ],
      });
      expect((await ctx.s.getTask('t1'))!.version).toBe(v1 + 1);
      expect((await ctx.s.getTask('t2'))!.version).toBe(v2 + 1);
    });

    it('a task patched together with its steps gets +1 once and its expectedVersion is checked', async () => {
      await seed();
      const v = (await ctx.s.getTask('t1'))!.version;
      const both = (expected: number): ChangeSet => ({
        updateTasks: [{ id: 't1', expectedVersion: expected, set: { status: 'running' } }],
        updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { state: 'ready' } }],
        insertSteps: [step('t1', 'd')],
      });
      await refused(ctx.s.commit(both(v + 1)), 'STALE');
      await ctx.s.commit(both(v));
      expect((await ctx.s.getTask('t1'))!).toMatchObject({ status: 'running', version: v + 1 });
    });

    it('a task patched with steps of its own and of another task: each gets +1 once, in any order', async () => {
      await seed();
      await ctx.s.commit({ insertTasks: [task('t2')], insertSteps: [step('t2', 'x'), step('t2', 'y')] });
      const v1 = (await ctx.s.getTask('t1'))!.version;
      const v2 = (await ctx.s.getTask('t2'))!.version;
      await ctx.s.commit({
        updateTasks: [{ id: 't1', expectedVersion: v1, set: { status: 'running' } }],
        updateSteps: [
          { id: 't2:x', expectedVersion: 1, set: { state: 'ready' } },
          { id: 't1:a', expectedVersion: 1, set: { state: 'ready' } },
          { id: 't2:y', expectedVersion: 1, set: { state: 'ready' } },
          { id: 't1:b', expectedVersion: 1, set: { state: 'ready' } },
        ],
      });
      expect((await ctx.s.getTask('t1'))!).toMatchObject({ status: 'running', version: v1 + 1 });
      expect((await ctx.s.getTask('t2'))!.version).toBe(v2 + 1);
      for (const [t, n] of [['t1', 'a'], ['t1', 'b'], ['t2', 'x'], ['t2', 'y']] as const) expect((await ctx.s.getStep(t, n))!).toMatchObject({ state: 'ready', version: 2 });
      // A stale step of the patched task, after one of another task: refused, nothing written.
      const err = await refused(
        ctx.s.commit({
          updateTasks: [{ id: 't1', expectedVersion: v1 + 1, set: { status: 'waiting' } }],
          updateSteps: [
            { id: 't2:x', expectedVersion: 2, set: { state: 'running' } },
            { id: 't1:a', expectedVersion: 1, set: { state: 'running' } },
          ],
        }),
        'STALE',
      );
      expect(err.details).toEqual({ record: 'step', id: 't1:a', expectedVersion: 1, actualVersion: 2 });
      expect((await ctx.s.getStep('t2', 'x'))!).toMatchObject({ state: 'ready', version: 2 });
      expect((await ctx.s.getTask('t2'))!.version).toBe(v2 + 1);
    });

    it('inserting steps bumps an existing task, but not a task inserted in the same commit', async () => {
      await ctx.s.commit({ insertTasks: [task('t1', { version: 7 })], insertSteps: [step('t1', 'a')] });
      expect((await ctx.s.getTask('t1'))!.version).toBe(7);
      await ctx.s.commit({ insertSteps: [step('t1', 'b'), step('t1', 'c')] });
      expect((await ctx.s.getTask('t1'))!.version).toBe(8);
    });

    it('attempts neither carry nor bump versions', async () => {
      await seed();
      const v = (await ctx.s.getTask('t1'))!.version;
      await ctx.s.commit({ insertAttempts: [attempt('t1', 'a', 1)] });
      await ctx.s.commit({ updateAttempts: [{ id: 't1:a:1', set: { outcome: 'success' } }] });
      expect((await ctx.s.getTask('t1'))!.version).toBe(v);
    });
  });

  describe('refusals are atomic', () => {
    it('a stale task version is refused with the record, expected and actual version', async () => {
      await seed();
      const v = (await ctx.s.getTask('t1'))!.version;
      const err = await refused(ctx.s.commit({ updateTasks: [{ id: 't1', expectedVersion: v - 1, set: { status: 'running' } }] }), 'STALE');
      expect(err.details).toEqual({ record: 'task', id: 't1', expectedVersion: v - 1, actualVersion: v });
      expect(err.message).toContain("task 't1'");
    });

    it('a stale or missing step is refused and nothing of the commit is written', async () => {
      await seed();
      await settle(ctx.s);
      const before = { task: await ctx.s.getTask('t1'), steps: await ctx.s.getSteps('t1'), seq: await ctx.s.lastEventSeq() };
      const stale: ChangeSet = {
        insertTasks: [task('t9')],
        insertSteps: [step('t1', 'new'), step('t9', 'x')],
        updateTasks: [{ id: 't1', expectedVersion: before.task!.version, set: { status: 'running' } }],
        updateSteps: [
          { id: 't1:a', expectedVersion: 1, set: { state: 'ready' } },
          { id: 't1:b', expectedVersion: 5, set: { state: 'ready' } },
        ],
        insertAttempts: [attempt('t1', 'a', 1)],
        transitions: [transition('t1', 'a', 'pending', 'ready')],
        events: [readyEvent('t1', 'a')],
      };
      const err = await refused(ctx.s.commit(stale), 'STALE');
      expect(err.details).toEqual({ record: 'step', id: 't1:b', expectedVersion: 5, actualVersion: 1 });
      await refused(ctx.s.commit({ ...stale, updateSteps: [{ id: 't1:zz', expectedVersion: 1, set: {} }] }), 'STALE');
      expect(await ctx.s.getTask('t1')).toEqual(before.task);
      expect(await ctx.s.getSteps('t1')).toEqual(before.steps);
      expect(await ctx.s.getTask('t9')).toBeNull();
      expect(await ctx.s.listAttempts('t1')).toEqual([]);
      expect(await ctx.s.listTransitions('t1')).toEqual([]);
      expect(await ctx.s.lastEventSeq()).toBe(before.seq);
      // The refused commits wrote no event: the next one comes after the last (seqs may have gaps).
      const ok = await ctx.s.commit({ transitions: [transition('t1', null, 'pending', 'running')], events: [readyEvent('t1', 'a')] });
      expect(ok.events[0]!.seq).toBeGreaterThan(before.seq);
    });

    it('writes that refer to a task that does not exist are refused as STALE', async () => {
      await refused(ctx.s.commit({ updateTasks: [{ id: 'gone', expectedVersion: 1, set: {} }] }), 'STALE');
      await refused(ctx.s.commit({ insertSteps: [step('gone', 'a')] }), 'STALE');
      await refused(ctx.s.commit({ insertAttempts: [attempt('gone', 'a', 1)] }), 'STALE');
      await refused(ctx.s.commit({ transitions: [transition('gone', null, null, 'pending')] }), 'STALE');
      await refused(ctx.s.commit({ updateAttempts: [{ id: 'gone', set: { outcome: 'success' } }] }), 'STALE');
    });

    it('a taken idempotency key, task id, step name or attempt id is refused as DUPLICATE', async () => {
      await ctx.s.commit({ insertTasks: [task('t1', { idempotencyKey: 'k' })], insertSteps: [step('t1', 'a')], insertAttempts: [attempt('t1', 'a', 1)] });
      const err = await refused(ctx.s.commit({ insertTasks: [task('t2'), task('t3', { idempotencyKey: 'k' })] }), 'DUPLICATE');
      expect(err.details).toMatchObject({ idempotencyKey: 'k', existingTaskId: 't1' });
      expect(await ctx.s.getTask('t2')).toBeNull();
      expect((await ctx.s.findTaskByIdempotencyKey('k'))!.id).toBe('t1');
      expect(await ctx.s.findTaskByIdempotencyKey('other')).toBeNull();
      await refused(ctx.s.commit({ insertTasks: [task('t4', { idempotencyKey: 'j' }), task('t5', { idempotencyKey: 'j' })] }), 'DUPLICATE');
      await refused(ctx.s.commit({ insertTasks: [task('t1')] }), 'DUPLICATE');
      await refused(ctx.s.commit({ insertSteps: [step('t1', 'a', { id: 'fresh-id' })] }), 'DUPLICATE');
      await refused(ctx.s.commit({ insertSteps: [step('t1', 'b', { id: 't1:a' })] }), 'DUPLICATE');
      await refused(ctx.s.commit({ insertAttempts: [attempt('t1', 'a', 1)] }), 'DUPLICATE');
      expect(await ctx.s.getTask('t4')).toBeNull();
      expect((await ctx.s.getSteps('t1')).length).toBe(1);
    });

    it("a deleted task's idempotency key is free again, and only that one", async () => {
      await ctx.s.commit({ insertTasks: [task('t1', { idempotencyKey: 'k1' }), task('t2', { idempotencyKey: 'k2' })] });
      await ctx.s.commit({ updateTasks: [{ id: 't1', expectedVersion: 1, set: { status: 'running' } }] });
      expect((await ctx.s.findTaskByIdempotencyKey('k1'))!.status).toBe('running');
      await ctx.s.commit({ deleteTasks: ['t1'] });
      expect(await ctx.s.findTaskByIdempotencyKey('k1')).toBeNull();
      expect((await ctx.s.findTaskByIdempotencyKey('k2'))!.id).toBe('t2');
      await refused(ctx.s.commit({ insertTasks: [task('t3', { idempotencyKey: 'k2' })] }), 'DUPLICATE');
      await ctx.s.commit({ insertTasks: [task('t4', { idempotencyKey: 'k1' })] });
      expect((await ctx.s.findTaskByIdempotencyKey('k1'))!.id).toBe('t4');
    });

    it('a taken step id or name refuses the first step that takes one, with nothing written, however many steps the commit inserts', async () => {
      await ctx.s.commit({ insertTasks: [task('t1')], insertSteps: [step('t1', 'a'), step('t1', 'b')] });
      const before = { task: await ctx.s.getTask('t1'), seq: await ctx.s.lastEventSeq() };
      // 250 new steps (several multi-row INSERTs on SQLite), then a taken name, then a taken id.
      const fresh = Array.from({ length: 250 }, (_, i) => step('t1', `n${i}`));
      const nameTaken = await refused(
        ctx.s.commit({ insertSteps: [...fresh, step('t1', 'b', { id: 'other-id' }), step('t1', 'c', { id: 't1:a' })], events: [readyEvent('t1', 'n0')] }),
        'DUPLICATE',
      );
      expect(nameTaken.details).toEqual({ record: 'step', id: 't1/b', field: 'name' });
      const idTaken = await refused(ctx.s.commit({ insertSteps: [...fresh, step('t1', 'c', { id: 't1:a' }), step('t1', 'b', { id: 'other-id' })] }), 'DUPLICATE');
      expect(idTaken.details).toEqual({ record: 'step', id: 't1:a', field: 'id' });
      // In a new task, with the task itself inserted by the same commit.
      const newTask = await refused(ctx.s.commit({ insertTasks: [task('t2')], insertSteps: [step('t2', 'x'), step('t2', 'y', { id: 't1:b' })] }), 'DUPLICATE');
      expect(newTask.details).toEqual({ record: 'step', id: 't1:b', field: 'id' });
      expect(await ctx.s.getTask('t2')).toBeNull();
      expect((await ctx.s.getSteps('t1')).map((s) => s.name)).toEqual(['a', 'b']);
      expect(await ctx.s.getTask('t1')).toEqual(before.task);
      expect(await ctx.s.lastEventSeq()).toBe(before.seq);
      // The same 250 steps go in once nothing is taken, in order.
      await ctx.s.commit({ insertSteps: fresh });
      expect((await ctx.s.getSteps('t1')).map((s) => s.name)).toEqual(['a', 'b', ...fresh.map((s) => s.name)]);
    });

    it('a malformed patch is refused as USAGE', async () => {
      await seed();
      await refused(ctx.s.commit({ updateTasks: [{ id: 't1', expectedVersion: 2, set: { version: 9 } as never }] }), 'USAGE');
      await refused(ctx.s.commit({ updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { taskId: 't2' } }] }), 'USAGE');
      await refused(ctx.s.commit({ updateSteps: [{ id: 't1:a', expectedVersion: 1, set: { nope: 1 } as never }] }), 'USAGE');
      const twice = { id: 't1:a', expectedVersion: 1, set: { state: 'ready' as const } };
      await refused(ctx.s.commit({ updateSteps: [twice, twice] }), 'USAGE');
      expect((await ctx.s.getStep('t1', 'a'))!.version).toBe(1);
    });
  });

  describe('transitions and events', () => {
    it('assigns strictly increasing seqs across commits and returns them', async () => {
      await seed();
      const r1 = await ctx.s.commit({
        transitions: [transition('t1', 'a', 'pending', 'ready'), transition('t1', null, 'pending', 'running')],
        events: [readyEvent('t1', 'a'), completedEvent('t1', 'a')],
      });
      const r2 = await ctx.s.commit({ transitions: [transition('t1', 'b', 'pending', 'ready')], events: [readyEvent('t1', 'b')] });
      const tseqs = [...r1.transitionSeqs, ...r2.transitionSeqs];
      const eseqs = [...r1.events, ...r2.events].map((e) => e.seq);
      for (const seqs of [tseqs, eseqs]) for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
      expect(r1.events[1]).toEqual({ ...completedEvent('t1', 'a'), seq: eseqs[1] });
      await settle(ctx.s);
      expect(await ctx.s.lastEventSeq()).toBe(eseqs[2]);
      expect((await ctx.s.listTransitions('t1')).map((t) => t.seq)).toEqual(tseqs);
    });

    it('stores transition details and filters by step, task level, seq range and limit', async () => {
      await seed();
      const r = await ctx.s.commit({
        transitions: [
          transition('t1', 'a', 'pending', 'ready', { details: { why: ['x'] }, actor: 'user', reason: 'manual' }),
          transition('t1', null, 'pending', 'running'),
          transition('t1', 'b', 'pending', 'ready'),
          transition('t1', 'a', 'ready', 'running'),
        ],
      });
      const [s1, s2, s3, s4] = r.transitionSeqs as [number, number, number, number];
      const all = await ctx.s.listTransitions('t1');
      expect(all[0]).toEqual({ ...transition('t1', 'a', 'pending', 'ready', { details: { why: ['x'] }, actor: 'user', reason: 'manual' }), seq: s1 });
      expect(all[1]!.details).toEqual({});
      expect((await ctx.s.listTransitions('t1', { stepName: 'a' })).map((t) => t.seq)).toEqual([s1, s4]);
      expect((await ctx.s.listTransitions('t1', { stepName: null })).map((t) => t.seq)).toEqual([s2]);
      expect((await ctx.s.listTransitions('t1', { afterSeq: s1, uptoSeq: s3 })).map((t) => t.seq)).toEqual([s2, s3]);
      expect((await ctx.s.listTransitions('t1', { limit: 2 })).map((t) => t.seq)).toEqual([s1, s2]);
      expect(await ctx.s.listTransitions('t2')).toEqual([]);
    });

    it('lastTransitionSeq: the seq of the task\'s last transition, not another task\'s; 0 without any', async () => {
      await ctx.s.commit({ insertTasks: [task('t1'), task('t2')] });
      expect(await ctx.s.lastTransitionSeq('t1')).toBe(0);
      expect(await ctx.s.lastTransitionSeq('missing')).toBe(0);
      const r1 = await ctx.s.commit({ transitions: [transition('t1', 'a', 'pending', 'ready'), transition('t1', null, 'pending', 'running')] });
      const r2 = await ctx.s.commit({ transitions: [transition('t2', null, 'pending', 'running')] });
      expect(await ctx.s.lastTransitionSeq('t1')).toBe(r1.transitionSeqs[1]);
      expect(await ctx.s.lastTransitionSeq('t2')).toBe(r2.transitionSeqs[0]);
      const r3 = await ctx.s.commit({ transitions: [transition('t1', 'a', 'ready', 'running')] });
      expect(await ctx.s.lastTransitionSeq('t1')).toBe(r3.transitionSeqs[0]);
      expect(await ctx.s.lastTransitionSeq('t1')).toBe((await ctx.s.listTransitions('t1')).at(-1)!.seq);
      await ctx.s.commit({ deleteTasks: ['t1'] });
      expect(await ctx.s.lastTransitionSeq('t1')).toBe(0);
    });

    it('reads events after a cursor, with a limit and a task filter', async () => {
      await ctx.s.commit({ insertTasks: [task('t1'), task('t2')] });
      expect(await ctx.s.lastEventSeq()).toBe(0);
      const r = await ctx.s.commit({ events: [readyEvent('t1', 'a'), readyEvent('t2', 'a'), completedEvent('t1', 'a', [1, null]), readyEvent('t2', 'b')] });
      const seqs = r.events.map((e) => e.seq);
      await settle(ctx.s);
      expect(await ctx.s.readEvents(0)).toEqual(r.events);
      expect((await ctx.s.readEvents(seqs[0]!, 2)).map((e) => e.seq)).toEqual([seqs[1], seqs[2]]);
      expect((await ctx.s.readEvents(0, undefined, { taskId: 't1' })).map((e) => e.seq)).toEqual([seqs[0], seqs[2]]);
      expect((await ctx.s.readEvents(seqs[0]!, 1, { taskId: 't2' })).map((e) => e.seq)).toEqual([seqs[1]]);
      expect(await ctx.s.readEvents(seqs[3]!)).toEqual([]);
    });
  });

  describe('deleteTasks', () => {
    it('removes the task with its steps, attempts, transitions and participants; events stay; seqs are not reused', async () => {
      await ctx.s.commit({ insertTasks: [task('t1', { participants: ['order:1'] }), task('t2', { participants: ['order:1'] })] });
      await ctx.s.commit({
        insertSteps: [step('t1', 'a'), step('t2', 'a')],
        insertAttempts: [attempt('t1', 'a', 1), attempt('t2', 'a', 1)],
        transitions: [transition('t1', 'a', 'pending', 'ready'), transition('t2', 'a', 'pending', 'ready')],
        events: [readyEvent('t1', 'a')],
      });
      const last = await ctx.s.commit({ transitions: [transition('t1', 'a', 'ready', 'running')] });
      await ctx.s.commit({ deleteTasks: ['t1', 'missing'], events: [{ type: 'task.deleted', taskId: 't1', stepName: null, at: T0, payload: {} }] });
      expect(await ctx.s.getTask('t1')).toBeNull();
      expect(await ctx.s.getSteps('t1')).toEqual([]);
      expect(await ctx.s.listAttempts('t1')).toEqual([]);
      expect(await ctx.s.listTransitions('t1')).toEqual([]);
      expect((await ctx.s.listTasks({ participant: 'order:1' })).tasks.map((t) => t.id)).toEqual(['t2']);
      await settle(ctx.s);
      expect((await ctx.s.readEvents(0)).map((e) => e.type)).toEqual(['step.ready', 'task.deleted']);
      expect((await ctx.s.getSteps('t2')).length).toBe(1);
      expect((await ctx.s.listTransitions('t2')).length).toBe(1);
      const next = await ctx.s.commit({ transitions: [transition('t2', 'a', 'ready', 'running')] });
      expect(next.transitionSeqs[0]!).toBeGreaterThan(last.transitionSeqs[0]!);
    });
  });

  it('refuses every call once closed', async () => {
    await ctx.s.close();
    await refused(ctx.s.getTask('t1'), 'STORAGE_ERROR');
    await refused(ctx.s.commit({ insertTasks: [task('t1')] }), 'STORAGE_ERROR');
  });
}
