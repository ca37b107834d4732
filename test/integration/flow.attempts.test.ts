/**
 * Attempt numbers of flow states and interactions: kept as a per-task counter (no re-counting of
 * earlier attempts on every run), yet right across re-checks, failed interactions and changes
 * made by another writer.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFlowDriver } from '../../core/engine/flow/driver.js';
import type { FlowContext } from '../../core/model/handlers.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, decision, interaction, result, waitUntil } from '../../core/template/flowBuilders.js';
import { createTestContext } from '../../core/testing/context.js';

type Ctx = FlowContext<{ email?: string; user_id?: number; welcomed?: boolean }>;

const registration = defineFlow({
  name: 'attempts_registration',
  namespace: 'test',
  attributes: z.object({ email: z.string().optional(), user_id: z.number().optional(), welcomed: z.boolean().optional() }),
  startsWith: 'register',
  states: {
    register: action((ctx: Ctx) => void (ctx.data.user_id = 1), { goTo: 'wait_for_email' }),
    wait_for_email: waitUntil({ condition: (ctx: Ctx) => typeof ctx.data.email === 'string', goTo: 'check_email' }),
    check_email: decision({ condition: (ctx: Ctx) => String(ctx.data.email).includes('@'), ifTrue: 'send_welcome', ifFalse: 'rejected' }),
    send_welcome: action((ctx: Ctx) => void (ctx.data.welcomed = true), { goTo: 'done' }),
    done: result(),
    rejected: result(),
  },
  interactions: {
    provide_email: interaction({ when: 'wait_for_email', params: z.object({ email: z.string() }) }, (ctx: Ctx, p: { email: string }) => {
      if (p.email === 'boom') throw new Error('boom');
      ctx.data.email = p.email;
    }),
  },
});

describe('flow attempt numbers', () => {
  it('count on across re-checks, failed interactions and another writer changing the task', async () => {
    const storage = new MemoryStorage();
    const ctx = createTestContext({ templates: [registration], storage });
    const driver = createFlowDriver(ctx);
    const task = await driver.start(registration, {});
    for (let i = 0; i < 3; i++) await driver.wake(task.id);
    // Another writer bumps the task: its version moves on without this driver knowing.
    const t = (await storage.getTask(task.id))!;
    await storage.commit({ updateTasks: [{ id: t.id, expectedVersion: t.version, set: { updatedAt: ctx.clock.now() } }] });
    await driver.wake(task.id);
    await expect(driver.fireInteraction(task.id, 'provide_email', { email: 'boom' })).rejects.toMatchObject({ code: 'HANDLER_ERROR' });
    // A second driver (another process) records a failed interaction without bumping the version.
    await expect(createFlowDriver(ctx).fireInteraction(task.id, 'provide_email', { email: 'boom' })).rejects.toMatchObject({ code: 'HANDLER_ERROR' });
    await driver.fireInteraction(task.id, 'provide_email', { email: 'b@example.com' });
    const numbers = (await storage.listAttempts(task.id)).map((a) => `${a.stepName}#${a.number}`);
    expect(numbers).toEqual([
      'register#1',
      'wait_for_email#1',
      'wait_for_email#2',
      'wait_for_email#3',
      'wait_for_email#4',
      'wait_for_email#5',
      'interaction:provide_email#1',
      'interaction:provide_email#2',
      'interaction:provide_email#3',
      'wait_for_email#6',
      'check_email#1',
      'send_welcome#1',
    ]);
  });
});
