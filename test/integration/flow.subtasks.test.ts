/** Acceptance: sub-tasks started by a parent flow, and the participants lookup. */
import { describe, expect, it } from 'vitest';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result, waitUntil } from '../../core/template/flowBuilders.js';
import type { FlowContext } from '../../core/model/handlers.js';
import { flowEnv } from '../fixtures/flows/harness.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { registrationFlow, registrationHandlers } from '../fixtures/flows/registration.js';

const child = defineFlow({
  name: 'send_document',
  namespace: 'docs',
  attributes: { type: 'object', required: ['document_id'], properties: { document_id: { type: 'integer' } } },
  startsWith: 'send',
  states: {
    send: action(
      (ctx) => {
        if (ctx.data.document_id === 3) throw new Error('printer on fire');
      },
      { goTo: 'sent' },
    ),
    sent: result(),
  },
});

const parent = defineFlow({
  name: 'send_all',
  namespace: 'docs',
  attributes: { type: 'object', properties: { document_ids: { type: 'array', items: { type: 'integer' } }, summary: { type: 'object' } } },
  index: ['document_ids'],
  startsWith: 'start_children',
  delay: '5m',
  states: {
    start_children: action(
      async (ctx) => {
        for (const id of ctx.data.document_ids) await ctx.startSubtask('docs/send_document', { document_id: id });
      },
      { goTo: 'wait_for_children' },
    ),
    wait_for_children: waitUntil({ condition: async (ctx) => (await ctx.activeSubtasks()).length === 0, goTo: 'summarise' }),
    summarise: action(
      async (ctx) => {
        ctx.data.summary = {
          all: (await ctx.subtasks()).length,
          completed: (await ctx.completedSubtasks()).length,
          failed: (await ctx.failedSubtasks()).length,
        };
      },
      { goTo: 'done' },
    ),
    done: result(),
  },
});

// The same parent and child in YAML, with named handlers.
const yamlParent = loadFlowFixture('send_all.yaml');
const yamlChild = loadFlowFixture('send_document.yaml');
const subtaskHandlers = {
  send_document: (ctx: FlowContext<{ document_id: number }>) => {
    if (ctx.data.document_id === 3) throw new Error('printer on fire');
  },
  start_children: async (ctx: FlowContext<{ document_ids: number[] }>) => {
    for (const id of ctx.data.document_ids) await ctx.startSubtask('docs/send_document', { document_id: id });
  },
  children_finished: async (ctx: FlowContext) => (await ctx.activeSubtasks()).length === 0,
  summarise: async (ctx: FlowContext) => {
    ctx.data.summary = { all: (await ctx.subtasks()).length, completed: (await ctx.completedSubtasks()).length, failed: (await ctx.failedSubtasks()).length };
  },
};

describe.each([
  ['YAML', yamlParent, yamlChild],
  ['TypeScript', parent, child],
])('sub-tasks (%s)', (_form, parent, child) => {
  it('starts three children in the background, waits for them and sees how each ended', async () => {
    const { driver, storage } = await flowEnv([parent, child], subtaskHandlers);
    const task = await driver.start(parent, { document_ids: [1, 2, 3] });
    expect(task).toMatchObject({ status: 'waiting', currentState: 'wait_for_children' });
    const children = (await storage.listTasks({ parentTaskId: task.id })).tasks;
    expect(children).toHaveLength(3);
    expect(children.every((c) => c.status === 'waiting' && c.templateRef.startsWith('docs/send_document@'))).toBe(true);

    // The runner runs the children; a finishing child makes its waiting parent due at once
    // (its own delay is 5 minutes, and the clock does not move here).
    expect((await driver.runDue()).sort()).toEqual(children.map((c) => c.id).sort());
    expect(await driver.runDue()).toEqual([task.id]);
    const done = (await storage.getTask(task.id))!;
    expect(done).toMatchObject({ status: 'complete', data: { summary: { all: 3, completed: 2, failed: 1 } } });
  });

  it('refuses a child with invalid input inside the handler, failing the parent', async () => {
    const bad = defineFlow({
      name: 'bad_parent',
      startsWith: 'go',
      states: { go: action(async (ctx) => void (await ctx.startSubtask('docs/send_document', {})), { goTo: 'done' }), done: result() },
    });
    const { driver } = await flowEnv([bad, child]);
    const task = await driver.start(bad, {});
    expect(task).toMatchObject({ status: 'error', error: { code: 'INPUT_INVALID' } });
  });
});

describe('participants', () => {
  it('records index fields as field:value, one per array element, and finds tasks by them', async () => {
    const template = loadFlowFixture('registration.yaml');
    const { driver, storage } = await flowEnv([template, registrationFlow, parent, child], registrationHandlers);
    const a = await driver.start(template, { user_id: 42 });
    const b = await driver.start(registrationFlow, { user_id: 42 });
    await driver.start(template, { user_id: 7 });
    expect(a.participants).toEqual(['user_id:42']);
    const found = await storage.listTasks({ participant: 'user_id:42' });
    expect(found.tasks.map((t) => t.id).sort()).toEqual([a.id, b.id].sort());

    const docs = await driver.create(parent, { document_ids: [5, 6] }, { background: true });
    expect(docs.participants).toEqual(['document_ids:5', 'document_ids:6']);
    expect((await storage.listTasks({ participant: 'document_ids:6' })).tasks.map((t) => t.id)).toEqual([docs.id]);
  });

  it('updates participants when the data changes', async () => {
    const template = defineFlow({
      name: 'assign',
      attributes: { type: 'object', properties: { user_id: { type: 'integer' } } },
      index: ['user_id'],
      startsWith: 'waiting',
      states: { waiting: waitUntil({ condition: () => false, goTo: 'done' }), done: result() },
      interactions: { reassign: { when: ['waiting'], handler: (ctx, p: { user_id: number }) => void (ctx.data.user_id = p.user_id) } },
    });
    const { driver, storage } = await flowEnv([template]);
    const task = await driver.start(template, { user_id: 1 });
    await driver.fireInteraction(task.id, 'reassign', { user_id: 2 });
    expect((await storage.getTask(task.id))!.participants).toEqual(['user_id:2']);
    expect((await storage.listTasks({ participant: 'user_id:1' })).total).toBe(0);
    expect((await storage.listTasks({ participant: 'user_id:2' })).total).toBe(1);
  });
});
