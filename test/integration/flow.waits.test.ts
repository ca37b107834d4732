/** Acceptance: waits, interactions in the right and wrong state, wake_at pushed forward, timeouts. */
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { FlowTemplate } from '../../core/model/template.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result, waitUntil } from '../../core/template/flowBuilders.js';
import { flowEnv } from '../fixtures/flows/harness.js';
import { loadFlowFixture } from '../fixtures/flows/load.js';
import { registrationFlow, registrationHandlers } from '../fixtures/flows/registration.js';

const MINUTE = 60_000;
const forms: Array<[string, FlowTemplate]> = [
  ['YAML', loadFlowFixture('registration.yaml')],
  ['TypeScript', registrationFlow],
];

async function refusal(p: Promise<unknown>): Promise<StepwiseError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepwiseError);
  return err as StepwiseError;
}

describe.each(forms)('registration flow (%s)', (_form, template) => {
  it('waits, refuses the interaction in the wrong state without changing anything, accepts it in the right one and completes', async () => {
    const { driver, storage, clock } = await flowEnv([template], registrationHandlers);
    const t0 = clock.now();
    // A background start sits in `has_email`, where provide_email is not accepted.
    const queued = await driver.create(template, { user_id: 42 }, { background: true });
    expect(queued).toMatchObject({ status: 'waiting', currentState: 'has_email', wakeAt: t0 });
    const before = { task: await storage.getTask(queued.id), transitions: await storage.listTransitions(queued.id), attempts: await storage.listAttempts(queued.id) };
    const err = await refusal(driver.fireInteraction(queued.id, 'provide_email', { email: 'a@example.com' }));
    expect(err.code).toBe('INVALID_STATE');
    expect(err.message).toBe('INVALID_STATE: provide_email cannot be called in has_email. It is accepted in: wait_for_email. Nothing was changed.');
    expect(err.details.accepted).toEqual(['wait_for_email']);
    expect(await storage.getTask(queued.id)).toEqual(before.task);
    expect(await storage.listTransitions(queued.id)).toEqual(before.transitions);
    expect(await storage.listAttempts(queued.id)).toEqual(before.attempts);

    // The runner picks the background start up: no email yet, so it waits.
    expect(await driver.runDue()).toEqual([queued.id]);
    const waiting = (await storage.getTask(queued.id))!;
    expect(waiting).toMatchObject({ status: 'waiting', currentState: 'wait_for_email', wakeAt: t0 + MINUTE, timeoutAt: t0 + 60 * MINUTE });

    // Params are validated against the interaction's schema.
    const bad = await refusal(driver.fireInteraction(queued.id, 'provide_email', { email: 'not an email' }));
    expect(bad.code).toBe('INPUT_INVALID');
    expect(bad.message).toContain('/email');

    const done = await driver.fireInteraction(queued.id, 'provide_email', { email: 'a@example.com' });
    expect(done).toMatchObject({ status: 'complete', currentState: 'done', data: { user_id: 42, email: 'a@example.com', welcomed: true } });
    const fired = (await storage.listTransitions(queued.id)).find((t) => t.reason === 'interaction.fired');
    expect(fired).toMatchObject({ field: 'data', actor: 'user', details: { interaction: 'provide_email', params: { email: 'a@example.com' }, state: 'wait_for_email' } });
    const events = (await storage.readEvents(0, 1000, { taskId: queued.id })).map((e) => e.type);
    expect(events).toContain('interaction.fired');
    expect(events.indexOf('interaction.fired')).toBeLessThan(events.lastIndexOf('flow.transitioned'));
  });

  it('sets wake_at on entry and pushes it forward on every check that still matches nothing', async () => {
    const { driver, storage, clock } = await flowEnv([template], registrationHandlers);
    const task = await driver.start(template, {});
    expect(task).toMatchObject({ status: 'waiting', currentState: 'wait_for_email', wakeAt: clock.now() + MINUTE });
    // Not due yet: nothing runs (no busy loop).
    clock.advance(MINUTE - 1);
    expect(await driver.runDue()).toEqual([]);
    for (let i = 1; i <= 3; i++) {
      clock.advance(MINUTE);
      expect(await driver.runDue()).toEqual([task.id]);
      const again = (await storage.getTask(task.id))!;
      expect(again).toMatchObject({ status: 'waiting', currentState: 'wait_for_email', wakeAt: clock.now() + MINUTE });
    }
    const checks = await storage.listAttempts(task.id, 'wait_for_email');
    expect(checks.map((a) => a.number)).toEqual([1, 2, 3, 4]);
    // Re-checks that change nothing add no state or status rows.
    const rows = (await storage.listTransitions(task.id)).map((t) => `${t.field}:${t.to}`);
    expect(rows).toEqual(['status:running', 'state:has_email', 'state:wait_for_email', 'status:waiting']);
  });

  it('fails with TIMEOUT when woken past its timeout without on_timeout', async () => {
    const { driver, storage, clock } = await flowEnv([template], registrationHandlers);
    const task = await driver.start(template, {});
    clock.advance(60 * MINUTE);
    expect(await driver.runDue()).toEqual([task.id]);
    const failed = (await storage.getTask(task.id))!;
    expect(failed).toMatchObject({ status: 'error', currentState: 'wait_for_email', timeoutAt: null, error: { code: 'TIMEOUT' } });
    expect(failed.error!.message).toContain('timed out in state wait_for_email');
  });
});

describe('on_timeout', () => {
  const build = (onTimeout: 'expired' | ((ctx: { data: Record<string, unknown> }) => unknown)) =>
    defineFlow({
      name: 'approval',
      attributes: { type: 'object', properties: { approved: { type: 'boolean' }, reminded: { type: 'boolean' } } },
      startsWith: 'wait_for_approval',
      delay: '10m',
      timeout: '1h',
      onTimeout,
      states: {
        wait_for_approval: waitUntil({ condition: (ctx) => ctx.data.approved === true, goTo: 'approved' }),
        escalate: action(() => undefined, { goTo: 'approved' }),
        approved: result(),
        expired: result(),
      },
    });

  it.each([
    ['YAML', loadFlowFixture('approval.yaml')],
    ['TypeScript', build('expired')],
  ])('goes to the declared on_timeout state (%s)', async (_form, template) => {
    const { driver, storage, clock } = await flowEnv([template], { is_approved: (ctx: { data: { approved?: boolean } }) => ctx.data.approved === true, escalate: () => undefined });
    const task = await driver.start(template, {});
    clock.advance(30 * 60_000);
    await driver.runDue();
    expect((await storage.getTask(task.id))!.status).toBe('waiting');
    clock.advance(31 * 60_000);
    await driver.runDue();
    const done = (await storage.getTask(task.id))!;
    expect(done).toMatchObject({ status: 'complete', currentState: 'expired', timeoutAt: null });
    const move = (await storage.listTransitions(task.id)).find((t) => t.to === 'expired');
    expect(move).toMatchObject({ field: 'state', from: 'wait_for_approval', reason: 'timeout', actor: 'runner' });
  });

  it('runs an on_timeout handler that chooses a state, keeping its data changes', async () => {
    const template = build((ctx) => {
      ctx.data.reminded = true;
      return 'escalate';
    });
    const { driver, storage, clock } = await flowEnv([template]);
    const task = await driver.start(template, {});
    clock.advance(61 * 60_000);
    await driver.runDue();
    expect(await storage.getTask(task.id)).toMatchObject({ status: 'complete', currentState: 'approved', data: { reminded: true } });
    expect(await storage.listAttempts(task.id, 'on_timeout')).toHaveLength(1);
  });

  it('keeps waiting when the on_timeout handler chooses no state, and runs it again at every later wake (the gem)', async () => {
    // First call: a reminder. Second call: approval arrives; the same wake's wait check moves on.
    const template = build((ctx) => {
      if (ctx.data.reminded === true) ctx.data.approved = true;
      ctx.data.reminded = true;
    });
    const { driver, storage, clock } = await flowEnv([template]);
    const task = await driver.start(template, {});
    clock.advance(61 * 60_000);
    await driver.runDue();
    const reminded = (await storage.getTask(task.id))!;
    expect(reminded).toMatchObject({ status: 'waiting', currentState: 'wait_for_approval', error: null, data: { reminded: true }, wakeAt: clock.now() + 10 * MINUTE, timeoutAt: clock.now() + 10 * MINUTE });
    // Not due again before its next wake: the hook does not run on every round.
    await driver.runDue();
    expect(await storage.listAttempts(task.id, 'on_timeout')).toHaveLength(1);
    clock.advance(10 * MINUTE);
    await driver.runDue();
    expect(await storage.getTask(task.id)).toMatchObject({ status: 'complete', currentState: 'approved', data: { reminded: true, approved: true } });
    expect(await storage.listAttempts(task.id, 'on_timeout')).toHaveLength(2);
  });

  it('fails with TIMEOUT when the on_timeout handler returns a name that is no state', async () => {
    const template = build((ctx) => {
      ctx.data.reminded = true;
      return 'nowhere';
    });
    const { driver, storage, clock } = await flowEnv([template]);
    const task = await driver.start(template, {});
    clock.advance(61 * 60_000);
    await driver.runDue();
    const failed = (await storage.getTask(task.id))!;
    expect(failed).toMatchObject({ status: 'error', timeoutAt: null, error: { code: 'TIMEOUT' }, data: { reminded: true } });
    expect(failed.error!.message).toContain('returned "nowhere", which is not a state of approval');
  });
});

describe('interactions', () => {
  const template = defineFlow({
    name: 'counter',
    attributes: { type: 'object', properties: { count: { type: 'integer', default: 0 } } },
    startsWith: 'counting',
    states: {
      counting: waitUntil({ condition: (ctx) => ctx.data.count >= 2, goTo: 'done' }),
      done: result(),
    },
    interactions: {
      increment: { when: [], handler: (ctx) => void (ctx.data.count += 1) },
      explode: {
        when: [],
        handler: () => {
          throw new Error('boom');
        },
      },
    },
  });

  it('accepts an interaction without `when` in any state of an unfinished flow, and refuses it once finished', async () => {
    const { driver } = await flowEnv([template]);
    const task = await driver.start(template, {});
    expect((await driver.fireInteraction(task.id, 'increment')).status).toBe('waiting');
    const done = await driver.fireInteraction(task.id, 'increment');
    expect(done).toMatchObject({ status: 'complete', data: { count: 2 } });
    const err = await refusal(driver.fireInteraction(task.id, 'increment'));
    expect(err.message).toContain('INVALID_STATE: increment cannot be called in done (the flow is complete)');
  });

  it('refuses an unknown interaction, listing the known ones', async () => {
    const { driver } = await flowEnv([template]);
    const task = await driver.start(template, {});
    const err = await refusal(driver.fireInteraction(task.id, 'nope'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('Its interactions: increment, explode');
  });

  it('reports a failing interaction body to the caller and leaves the flow unchanged', async () => {
    const { driver, storage } = await flowEnv([template]);
    const task = await driver.start(template, {});
    const err = await refusal(driver.fireInteraction(task.id, 'explode'));
    expect(err.code).toBe('HANDLER_ERROR');
    expect(await storage.getTask(task.id)).toEqual(task);
    expect(await storage.listAttempts(task.id, 'interaction:explode')).toEqual([expect.objectContaining({ outcome: 'error' })]);
  });
});
