/**
 * Attempt numbers of flow states and interactions: kept as a per-task counter (no re-counting of
 * earlier attempts on every run), yet right across re-checks, failed interactions and changes
 * made by another writer.
 */
import { describe, expect, it } from 'vitest';
import { createFlowDriver } from '../../core/engine/flow/driver.js';
import { testStorage } from '../fixtures/storage/testStorage.js';
import { createTestContext } from '../../core/testing/context.js';
import { signupFlow } from '../fixtures/flows/signup.js';

const registration = signupFlow('attempts_registration');

describe('flow attempt numbers', () => {
  it('count on across re-checks, failed interactions and another writer changing the task', async () => {
    const storage = await testStorage();
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
