/**
 * Flows under the engine facade and its runner rounds (SQLite): a background start is picked up
 * at once, waiting flows are woken when wake_at passes, timeouts apply, workflow and flow
 * sub-tasks run, and finished flows are deleted after delete_after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import type { Template } from '../../core/model/template.js';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { defineWorkflow } from '../../core/template/defineWorkflow.js';
import { action, result, waitUntil } from '../../core/template/flowBuilders.js';

const MINUTE = 60_000;
let dir: string;
let storage: Storage;
let engine: Engine;
let clock: ManualClock;

async function open(templates: Template[]): Promise<void> {
  storage = await openStorage({ kind: 'sqlite', file: join(dir, 'flows.db') });
  clock = new ManualClock();
  engine = createEngine({ storage, clock, templates: createTemplateRegistry(templates), handlers: createHandlerRegistry(new Map()), executor: 'inline' });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-flow-runner-'));
});

afterEach(async () => {
  await engine?.close();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reminder = defineFlow({
  name: 'reminder',
  attributes: { type: 'object', properties: { confirmed: { type: 'boolean', default: false }, checks: { type: 'integer', default: 0 } } },
  startsWith: 'wait_for_confirmation',
  delay: '10m',
  timeout: '1h',
  deleteAfter: '1d',
  onTimeout: 'gave_up',
  states: {
    wait_for_confirmation: waitUntil({
      condition: (ctx) => {
        ctx.data.checks += 1;
        return ctx.data.confirmed === true;
      },
      goTo: 'confirmed',
    }),
    confirmed: result(),
    gave_up: result(),
  },
  interactions: { confirm: { when: ['wait_for_confirmation'], handler: (ctx) => void (ctx.data.confirmed = true) } },
});

describe('flows under the engine', () => {
  it('a background start waits with an immediate wake and the next round runs it', async () => {
    await open([reminder]);
    const task = await engine.flows.create(reminder, {}, { background: true });
    expect(task).toMatchObject({ status: 'waiting', wakeAt: clock.now() });
    await engine.tick();
    expect(await storage.getTask(task.id)).toMatchObject({ status: 'waiting', currentState: 'wait_for_confirmation', wakeAt: clock.now() + 10 * MINUTE, data: { checks: 1 } });
  });

  it('the runner wakes a waiting flow only when wake_at passed, applies the timeout, and deletes it after delete_after', async () => {
    await open([reminder]);
    const task = await engine.start('reminder', {});
    await engine.runUntilIdle({ taskId: task.id });
    expect((await storage.getTask(task.id))!.data.checks).toBe(1);
    clock.advance(5 * MINUTE);
    await engine.tick();
    expect((await storage.getTask(task.id))!.data.checks).toBe(1);
    clock.advance(5 * MINUTE);
    await engine.tick();
    expect((await storage.getTask(task.id))!.data.checks).toBe(2);

    clock.advance(60 * MINUTE);
    await engine.tick();
    const expired = (await storage.getTask(task.id))!;
    expect(expired).toMatchObject({ status: 'complete', currentState: 'gave_up', deleteAt: clock.now() + 24 * 60 * MINUTE });

    clock.advance(24 * 60 * MINUTE + 1);
    await engine.tick();
    expect(await storage.getTask(task.id)).toBeNull();
  });

  it('a flow starts a workflow sub-task and a flow sub-task and waits until both finished', async () => {
    const child = defineWorkflow({ name: 'compute', steps: [{ name: 'square', handler: (ctx: { input: { n: number } }) => ({ square: ctx.input.n ** 2 }) }] });
    const parent = defineFlow({
      name: 'coordinator',
      attributes: { type: 'object', properties: { squares: { type: 'array' } } },
      startsWith: 'spawn',
      states: {
        spawn: action(
          async (ctx) => {
            await ctx.startSubtask('compute', { n: 3 });
            await ctx.startSubtask('reminder', { confirmed: true });
          },
          { goTo: 'wait_children' },
        ),
        wait_children: waitUntil({ condition: async (ctx) => (await ctx.completedSubtasks()).length === 2, goTo: 'collect' }),
        collect: action(
          async (ctx) => {
            ctx.data.squares = (await ctx.subtasks()).map((s) => s.result).filter((r) => r !== null);
          },
          { goTo: 'done' },
        ),
        done: result(),
      },
    });
    await open([parent, child, reminder]);
    const task = await engine.start('coordinator', {});
    const summary = await engine.runUntilIdle({ taskId: task.id });
    expect(summary.task).toMatchObject({ status: 'complete', currentState: 'done' });
    const kids = (await storage.listTasks({ parentTaskId: task.id })).tasks;
    expect(kids.map((k) => k.kind).sort()).toEqual(['flow', 'workflow']);
    // A workflow child's result holds its leaf steps' results; the flow child's result is null.
    expect(summary.task!.data.squares).toEqual([{ square: { square: 9 } }]);
  });

  it('an interaction through the engine wakes the flow and completes it', async () => {
    await open([reminder]);
    const task = await engine.start('reminder', {});
    await engine.runUntilIdle({ taskId: task.id });
    const done = await engine.flows.fireInteraction(task.id, 'confirm');
    expect(done).toMatchObject({ status: 'complete', currentState: 'confirmed' });
  });
});
