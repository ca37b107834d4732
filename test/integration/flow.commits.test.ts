/**
 * How flow changes reach storage: pure steps are folded into the commit of the state run before
 * them, every action runs only after what precedes it is committed, an async condition flushes
 * first, and an interaction whose folded commit
 * loses a race is run again rather than dropped.
 */
import { describe, expect, it } from 'vitest';
import { createFlowDriver } from '../../core/engine/flow/driver.js';
import type { TaskRecord } from '../../core/model/runtime.js';
import type { Template } from '../../core/model/template.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { ChangeSet, Storage } from '../../core/storage/storage.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, decision, result } from '../../core/template/flowBuilders.js';
import { createTestContext } from '../../core/testing/context.js';
import { createEngine } from '../../core/engine/engine.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap } from '../../core/template/registry.js';
import { signupFlow } from '../fixtures/flows/signup.js';
import { RecordingStorage } from '../fixtures/storage/recordingStorage.js';


function env(templates: Template[]) {
  const storage = new RecordingStorage();
  const ctx = createTestContext({ templates, storage: storage as Storage });
  return { storage, driver: createFlowDriver(ctx), ctx };
}

const registration = signupFlow('commits_registration');

const stateMoves = (cs: ChangeSet) => (cs.transitions ?? []).filter((t) => t.field === 'state').map((t) => `${t.from}→${t.to}`);

describe('flow commits', () => {
  it('folds pure steps into the claim of the next action and an end into what follows it: a registration is 4 commits, each state change with its rows and events', async () => {
    const { storage, driver } = env([registration]);
    const started = await driver.start(registration, {});
    expect(started).toMatchObject({ status: 'waiting', currentState: 'wait_for_email' });
    const done = await driver.fireInteraction(started.id, 'provide_email', { email: 'a@example.com' });
    expect(done).toMatchObject({ status: 'complete', currentState: 'done', data: { user_id: 1, email: 'a@example.com', welcomed: true } });

    expect(storage.commits.map(stateMoves)).toEqual([
      ['null→register'], // created with its first action claimed (its lease), before the handler runs
      ['register→wait_for_email'], // the action's end, and the wait checked at once: still waiting
      ['wait_for_email→check_email', 'check_email→send_welcome'], // the interaction, the re-check, the decision and the claim of send_welcome
      ['send_welcome→done'],
    ]);
    expect(storage.commits[0]!.insertTasks![0]).toMatchObject({ leaseOwner: expect.any(String), stateAttempts: 1 });
    const claims = storage.commits.filter((cs) => cs.updateTasks?.[0]?.set.leaseOwner);
    expect(claims).toEqual([storage.commits[2]]);
    expect(storage.commits[1]!.updateTasks![0]!.set).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, status: 'waiting' });
    expect(storage.commits[3]!.updateTasks![0]!.set).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });
    // Every state change carries its flow.transitioned event in the same commit.
    for (const cs of storage.commits) {
      expect((cs.events ?? []).filter((e) => e.type === 'flow.transitioned')).toHaveLength(stateMoves(cs).length);
    }
    expect(storage.commits[1]!.events!.map((e) => e.type)).toContain('flow.waiting');
    expect(storage.commits[2]!.events!.map((e) => e.type)).toContain('interaction.fired');
    // One patch per commit (the storage refuses two patches of a task in one commit).
    for (const cs of storage.commits.slice(1)) expect(cs.updateTasks).toHaveLength(1);
    const attempts = await storage.listAttempts(started.id);
    expect(attempts.map((a) => `${a.stepName}#${a.number}`)).toEqual([
      'register#1',
      'wait_for_email#1',
      'interaction:provide_email#1',
      'wait_for_email#2',
      'check_email#1',
      'send_welcome#1',
    ]);
  });

  it('an action runs only once everything before it is stored', async () => {
    const seen: Array<string | null> = [];
    let storage!: RecordingStorage;
    const flow = defineFlow({
      name: 'commits_actions',
      namespace: 'test',
      startsWith: 'first',
      states: {
        first: action(() => undefined, { goTo: 'choose' }),
        choose: decision({ condition: () => true, ifTrue: 'second', ifFalse: 'done' }),
        second: action(async (ctx) => void seen.push((await storage.getTask(ctx.taskId))!.currentState), { goTo: 'done' }),
        done: result(),
      },
    });
    const e = env([flow]);
    storage = e.storage;
    const task = await e.driver.start(flow, {});
    expect(task.status).toBe('complete');
    // When `second` ran, the move first → choose → second was already committed.
    expect(seen).toEqual(['second']);
  });

  it('an async condition commits what is pending before it is awaited', async () => {
    const seen: Array<string | null> = [];
    let storage!: RecordingStorage;
    const flow = defineFlow({
      name: 'commits_async_condition',
      namespace: 'test',
      startsWith: 'work',
      states: {
        work: action(() => undefined, { goTo: 'check' }),
        check: decision({
          condition: async (ctx) => {
            // Until its first await a condition cannot be told from a sync one: it runs unflushed.
            await new Promise((r) => setImmediate(r));
            seen.push((await storage.getTask(ctx.taskId))!.currentState);
            return true;
          },
          ifTrue: 'done',
        }),
        done: result(),
      },
    });
    const e = env([flow]);
    storage = e.storage;
    expect((await e.driver.start(flow, {})).status).toBe('complete');
    expect(seen).toEqual(['check']);
  });

  it('an interaction whose folded commit loses a race runs again on the fresh task, and is recorded once', async () => {
    const { storage, driver, ctx } = env([registration]);
    const task = await driver.start(registration, {});
    let raced = false;
    storage.before = async (changes) => {
      if (raced || !(changes.events ?? []).some((e) => e.type === 'interaction.fired')) return;
      raced = true;
      // Someone else changes the task between the interaction's read and its commit.
      const t = (await storage.getTask(task.id))!;
      await MemoryStorage.prototype.commit.call(storage, { updateTasks: [{ id: t.id, expectedVersion: t.version, set: { updatedAt: ctx.clock.now() } }] });
    };
    const done: TaskRecord = await driver.fireInteraction(task.id, 'provide_email', { email: 'c@example.com' });
    expect(raced).toBe(true);
    expect(done).toMatchObject({ status: 'complete', currentState: 'done', data: { email: 'c@example.com', welcomed: true } });
    const fired = (await storage.listTransitions(task.id)).filter((t) => t.reason === 'interaction.fired');
    expect(fired).toHaveLength(1);
    const interactionAttempts = (await storage.listAttempts(task.id, 'interaction:provide_email')).map((a) => a.number);
    expect(interactionAttempts).toEqual([1]);
  });
});

describe('an action end folded with what follows it', () => {
  const twoActions = defineFlow({
    name: 'commits_two_actions',
    namespace: 'test',
    startsWith: 'first',
    states: {
      first: action((ctx) => void (ctx.data.first = true), { goTo: 'choose' }),
      choose: decision({ condition: (ctx) => ctx.data.first === true, ifTrue: 'second', ifFalse: 'done' }),
      second: action((ctx) => void (ctx.data.second = true), { goTo: 'done' }),
      done: result(),
    },
  });

  it('in the engine (detached): the end of one action, the decision and the claim of the next are one commit', async () => {
    const storage = new RecordingStorage();
    const engine = createEngine({ storage, executor: 'inline', templates: createTemplateRegistry([twoActions]), handlers: createHandlerRegistry(handlerMap({})) });
    try {
      const task = await engine.start('test/commits_two_actions');
      await engine.runUntilIdle();
      expect(await storage.getTask(task.id)).toMatchObject({ status: 'complete', data: { first: true, second: true }, leaseOwner: null });
      const mine = storage.commits.filter((cs) => cs.insertTasks?.[0]?.id === task.id || cs.updateTasks?.[0]?.id === task.id);
      expect(mine.map(stateMoves)).toEqual([
        ['null→first'], // created (engine.start runs nothing)
        [], // a round claims `first`
        ['first→choose', 'choose→second'], // its end, the decision and the claim of `second`
        ['second→done'],
      ]);
      expect(mine[2]!.updateTasks![0]!.set).toMatchObject({ leaseOwner: expect.any(String), stateAttempts: 1 });
      expect((await storage.listAttempts(task.id)).map((a) => `${a.stepName}:${a.outcome}`)).toEqual(['first:success', 'choose:success', 'second:success']);
    } finally {
      await engine.close();
    }
  });

  it('an end whose folded commit loses a race is planned again on the fresh task, and stored once', async () => {
    const { storage, driver, ctx } = env([twoActions]);
    let raced = false;
    storage.before = async (changes) => {
      const ends = (changes.transitions ?? []).some((t) => t.field === 'state' && t.from === 'first');
      if (raced || !ends) return;
      raced = true;
      const t = (await storage.getTask(changes.updateTasks![0]!.id))!;
      await MemoryStorage.prototype.commit.call(storage, { updateTasks: [{ id: t.id, expectedVersion: t.version, set: { updatedAt: ctx.clock.now() } }] });
    };
    const done = await driver.start(twoActions, {});
    expect(raced).toBe(true);
    expect(done).toMatchObject({ status: 'complete', currentState: 'done', data: { first: true, second: true } });
    expect((await storage.listAttempts(done.id)).map((a) => `${a.stepName}#${a.number}:${a.outcome}`)).toEqual(['first#1:success', 'choose#1:success', 'second#1:success']);
  });
});
