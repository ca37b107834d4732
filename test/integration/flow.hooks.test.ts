/**
 * A flow's conditions, interaction bodies and on_timeout handlers run inside a transition, in
 * the engine's process (core/engine/runtime/guarded.ts): process.exit() from them, or an
 * asynchronous one that never settles, costs that flow an error with a clear message — never
 * the engine, and never a scheduling round stuck forever. (Leaked rejections in such code are
 * covered by test/reliability/flowHooks.test.ts with the real runner: a test runner's own
 * rejection listener would report them here.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { HOOK_TIMEOUT_MS } from '../../core/engine/runtime/guarded.js';
import { testStorage } from '../fixtures/storage/testStorage.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap } from '../../core/template/registry.js';
import type { Template } from '../../core/model/template.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, decision, interaction, result, waitUntil } from '../../core/template/flowBuilders.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

async function engineWith(templates: Template[], clock = new ManualClock()): Promise<Engine> {
  const engine = createEngine({ storage: await testStorage(clock), clock, executor: 'inline', templates: createTemplateRegistry(templates), handlers: createHandlerRegistry(handlerMap({})) });
  engines.push(engine);
  return engine;
}

const healthy = defineFlow({
  name: 'healthy',
  namespace: 'test',
  startsWith: 'work',
  states: { work: action(() => undefined, { goTo: 'done' }), done: result() },
});

describe('flow code that runs inside a transition', () => {
  it('a condition that calls process.exit(1) fails its flow, named; the engine runs the next flow', async () => {
    const flow = defineFlow({
      name: 'exits',
      namespace: 'test',
      startsWith: 'check',
      states: {
        check: decision({
          condition: () => {
            process.exit(1);
          },
          ifTrue: 'done',
          ifFalse: 'done',
        }),
        done: result(),
      },
    });
    const engine = await engineWith([flow, healthy]);
    const task = await engine.start('test/exits');
    await engine.runUntilIdle();
    const failed = (await engine.storage.getTask(task.id))!;
    expect(failed).toMatchObject({ status: 'error', currentState: 'check', error: { code: 'HANDLER_EXITED' } });
    expect(failed.error?.message).toBe("The conditions of state 'check' called process.exit(1); the engine's process does not exit for user code (end the flow by moving it to a result state instead)");
    const [attempt] = await engine.storage.listAttempts(task.id, 'check');
    expect(attempt).toMatchObject({ outcome: 'error', error: { code: 'HANDLER_EXITED' } });

    const next = await engine.start('test/healthy');
    await engine.runUntilIdle();
    expect((await engine.storage.getTask(next.id))!.status).toBe('complete');
  });

  it('an exit swallowed by the code that called it still fails the call', async () => {
    const flow = defineFlow({
      name: 'swallows',
      namespace: 'test',
      startsWith: 'check',
      states: {
        check: decision({
          condition: () => {
            try {
              process.exit(3);
            } catch {
              return true;
            }
          },
          ifTrue: 'done',
        }),
        done: result(),
      },
    });
    const engine = await engineWith([flow]);
    const task = await engine.start('test/swallows');
    await engine.runUntilIdle();
    expect(await engine.storage.getTask(task.id)).toMatchObject({ status: 'error', error: { code: 'HANDLER_EXITED', details: { exitCode: '3' } } });
  });

  it('an asynchronous condition that never settles fails its flow with TIMEOUT after the bound, on the clock', async () => {
    const clock = new ManualClock();
    let began!: () => void;
    const started = new Promise<void>((r) => (began = r));
    const flow = defineFlow({
      name: 'hangs',
      namespace: 'test',
      startsWith: 'check',
      states: {
        check: waitUntil({
          condition: () => {
            began();
            return new Promise<boolean>(() => undefined);
          },
          goTo: 'done',
        }),
        done: result(),
      },
    });
    const engine = await engineWith([flow], clock);
    const running = engine.flows.start(engine.context.templates.resolve('test/hangs') as never, {});
    // Let the condition start (after the start's commits: a database takes longer), then move the clock past the bound.
    await started;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    clock.advance(HOOK_TIMEOUT_MS - 1);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    clock.advance(1);
    const task = await running;
    expect(task).toMatchObject({ status: 'error', currentState: 'check', error: { code: 'TIMEOUT' } });
    expect(task.error?.message).toMatch(/^The conditions of state 'check' did not finish within 30s\. /);
  });

  it('an interaction body that calls process.exit is refused with the error; the flow is unchanged', async () => {
    const flow = defineFlow({
      name: 'asks',
      namespace: 'test',
      startsWith: 'wait',
      states: { wait: waitUntil({ condition: (ctx) => ctx.data.ok === true, goTo: 'done' }), done: result() },
      interactions: {
        approve: interaction({ when: 'wait' }, () => {
          process.exit(2);
        }),
      },
    });
    const engine = await engineWith([flow]);
    const task = await engine.start('test/asks');
    await engine.runUntilIdle();
    await expect(engine.flows.fireInteraction(task.id, 'approve')).rejects.toMatchObject({
      code: 'HANDLER_ERROR',
      message: expect.stringContaining("Interaction 'approve' called process.exit(2)"),
    });
    expect(await engine.storage.getTask(task.id)).toMatchObject({ status: 'waiting', currentState: 'wait' });
  });

  it('an on_timeout handler that calls process.exit fails its flow, named', async () => {
    const clock = new ManualClock();
    const flow = defineFlow({
      name: 'expires',
      namespace: 'test',
      startsWith: 'wait',
      timeout: '1m',
      onTimeout: () => {
        process.exit(1);
      },
      states: { wait: waitUntil({ condition: () => false, goTo: 'done' }), done: result() },
    });
    const engine = await engineWith([flow], clock);
    const task = await engine.start('test/expires');
    await engine.runUntilIdle();
    clock.advance(120_000);
    await engine.runUntilIdle();
    const failed = (await engine.storage.getTask(task.id))!;
    expect(failed).toMatchObject({ status: 'error', error: { code: 'HANDLER_EXITED' } });
    expect(failed.error?.message).toMatch(/^The on_timeout handler '.+' called process\.exit\(1\)/);
  });
});
