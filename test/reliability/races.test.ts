/**
 * Races: 8 concurrent clients apply operations (retryStep, resetForRetry, resolveManually,
 * markCompleted, skipStep, markPending, fireInteraction, goTo, wakeNow, pause/continue and the
 * debugger's step) to the same tasks while the engine loop works on them (SQLite, pool of 4,
 * handlers that fail permanently or retryably now and then). Every operation either applies
 * exactly once (one `op.applied` event carrying its unique reason) or is refused with a typed
 * code and leaves no trace; afterwards the transition log replays (core/ops stateAt) to the
 * stored state of every task. RELIABILITY_SCALE=small: fewer tasks and operations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../core/engine/engine.js';
import { PermanentError, RetryableError, StepwiseError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import type { StepwiseEvent } from '../../core/model/events.js';
import type { HandlerFn } from '../../core/model/template.js';
import { createDebugger, createOps, stateAt, type OpRequest } from '../../core/ops/index.js';
import { openStorage } from '../../core/storage/index.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { registrationFlow, registrationHandlers } from '../fixtures/flows/registration.js';
import { scaled, SEED } from './scale.js';

const CLIENTS = 8;
const OPS_PER_CLIENT = scaled(120, 40);
const WORKFLOWS = scaled(12, 6);
const FLOWS = scaled(6, 3);
const TYPED = new Set(['STALE', 'INVALID_STATE', 'NOT_FOUND', 'INPUT_INVALID', 'CONFIRMATION_REQUIRED', 'USAGE']);

const retry = { maxAttempts: 2, backoffBaseMs: 20, maxBackoffMs: 50 };
const names = ['root', 'a', 'b', 'c', 'd', 'e', 'join', 'f', 'g', 'end'];
const raceWorkflow = workflow('races', [
  step('root', { handler: 'work', retry }),
  step('a', { handler: 'work', dependsOn: ['root'], retry }),
  step('b', { handler: 'permanent', dependsOn: ['root'], retry }),
  step('c', { handler: 'retrying', dependsOn: ['root'], retry }),
  step('d', { handler: 'work', dependsOn: ['a'], retry }),
  step('e', { handler: 'work', dependsOn: ['b'], retry }),
  step('join', { handler: 'work', dependsOn: ['c', 'd', 'e'], retry }),
  step('f', { handler: 'work', dependsOn: ['join'], retry }),
  step('g', { handler: 'permanent', dependsOn: ['join'], retry }),
  step('end', { handler: 'work', dependsOn: ['f', 'g'], retry }),
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const handlers: Record<string, HandlerFn> = {
  work: async (ctx: StepContext) => {
    await sleep(1 + (ctx.step.name.length % 5));
    return { ok: ctx.step.name };
  },
  permanent: async (ctx: StepContext) => {
    await sleep(2);
    if (ctx.step.attempt === 1) throw new PermanentError('refused on purpose: retry it by hand');
    return { ok: ctx.step.name, attempt: ctx.step.attempt };
  },
  retrying: async (ctx: StepContext) => {
    await sleep(2);
    throw new RetryableError('always busy', { retryAfterMs: 30 });
  },
  ...(registrationHandlers as unknown as Record<string, HandlerFn>),
};

const dir = mkdtempSync(join(tmpdir(), 'stepwise-reliability-races-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Action =
  | { kind: 'op'; task: number; build: (taskId: string) => OpRequest }
  | { kind: 'step'; task: number }
  | { kind: 'pauseOrContinue'; task: number; pause: boolean };

function actions(workflows: number, flows: number): fc.Arbitrary<Action> {
  const wf = fc.integer({ min: 0, max: workflows - 1 });
  const fl = fc.integer({ min: workflows, max: workflows + flows - 1 });
  const stepName = fc.constantFrom(...names, 'ghost');
  return fc.oneof(
    fc.record({ kind: fc.constant('op' as const), task: wf, s: stepName, which: fc.constantFrom('retryStep', 'resetForRetry', 'resolveManually', 'markCompleted', 'skipStep', 'markPending', 'wakeNow', 'cancelTask'), cascade: fc.boolean() }).map(
      ({ task, s, which, cascade }): Action => ({
        kind: 'op',
        task,
        build: (taskId) => {
          switch (which) {
            case 'resolveManually':
            case 'markCompleted':
              return { op: which, taskId, step: s, results: { by: 'hand' } };
            case 'markPending':
              return { op: which, taskId, step: s, cascade };
            case 'wakeNow':
            case 'cancelTask':
              return { op: which, taskId };
            default:
              return { op: which as 'retryStep', taskId, step: s };
          }
        },
      }),
    ),
    fc.record({ kind: fc.constant('op' as const), task: fl, valid: fc.boolean(), which: fc.constantFrom('fireInteraction', 'goTo', 'wakeNow', 'retryState') }).map(
      ({ task, valid, which }): Action => ({
        kind: 'op',
        task,
        build: (taskId) => {
          if (which === 'fireInteraction') return { op: which, taskId, name: 'provide_email', params: valid ? { email: 'racer@example.com' } : { email: 'not-an-email' } };
          if (which === 'goTo') return { op: which, taskId, state: valid ? 'wait_for_email' : 'nowhere' };
          return { op: which as 'wakeNow', taskId };
        },
      }),
    ),
    fc.record({ kind: fc.constant('step' as const), task: fc.integer({ min: 0, max: workflows + flows - 1 }) }),
    fc.record({ kind: fc.constant('pauseOrContinue' as const), task: fc.integer({ min: 0, max: workflows + flows - 1 }), pause: fc.boolean() }),
  );
}

describe('concurrent operations while the engine works', () => {
  it(`${CLIENTS} clients × ${OPS_PER_CLIENT} operations: applied once or refused with a code; the log replays to the stored state (seed ${SEED})`, async () => {
    const storage = await openStorage({ kind: 'sqlite', file: join(dir, 'races.db') });
    const engine = createEngine({
      storage,
      templates: createTemplateRegistry([raceWorkflow, registrationFlow]),
      handlers: createHandlerRegistry(new Map(Object.entries(handlers).map(([name, fn]) => [name, { name, fn, file: '' }]))),
      executor: 'pool',
      concurrency: 4,
      onError: (err, where) => {
        throw new Error(`engine error while ${where}`, { cause: err });
      },
    });
    const ops = createOps(engine);
    const dbg = createDebugger(engine, ops);
    const applied: StepwiseEvent[] = [];
    engine.bus.on('op.applied', (e) => applied.push(e));

    const taskIds: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) taskIds.push((await engine.start('races')).id);
    for (let i = 0; i < FLOWS; i++) taskIds.push((await engine.flows.start(registrationFlow, {})).id);
    engine.startLoop({ pollMs: 20 });

    const plans = fc.sample(fc.array(actions(WORKFLOWS, FLOWS), { minLength: OPS_PER_CLIENT, maxLength: OPS_PER_CLIENT }), { seed: SEED, numRuns: CLIENTS });
    const outcomes = { applied: 0, refused: new Map<string, number>(), steps: 0 };
    const reasonsApplied: string[] = [];
    const reasonsRefused: string[] = [];
    const untyped: unknown[] = [];

    const refuse = (err: unknown, reason: string | null) => {
      const code = err instanceof StepwiseError ? err.code : null;
      if (!code || !TYPED.has(code)) untyped.push(err);
      else outcomes.refused.set(code, (outcomes.refused.get(code) ?? 0) + 1);
      if (reason) reasonsRefused.push(reason);
    };

    await Promise.all(
      plans.map(async (plan, client) => {
        for (const [k, action] of plan.entries()) {
          const taskId = taskIds[action.task]!;
          const reason = `client ${client} action ${k}`;
          try {
            if (action.kind === 'step') {
              await dbg.step(taskId);
              outcomes.steps += 1;
            } else if (action.kind === 'pauseOrContinue') {
              const req: OpRequest = action.pause ? { op: 'pause', taskId } : { op: 'continue', taskId };
              const preview = await ops.preview(req);
              await ops.apply(req, { expectedVersion: preview.version, reason });
              outcomes.applied += 1;
              reasonsApplied.push(reason);
            } else {
              const req = action.build(taskId);
              const preview = await ops.preview(req);
              // Let the engine (and the other clients) move in between, as a person would.
              if (k % 3 === 0) await sleep(1);
              await ops.apply(req, { expectedVersion: preview.version, reason });
              outcomes.applied += 1;
              reasonsApplied.push(reason);
            }
          } catch (err) {
            refuse(err, action.kind === 'step' ? null : reason);
          }
        }
      }),
    );
    await engine.stop();

    expect(untyped.map((e) => (e instanceof Error ? e.stack : String(e)))).toEqual([]);
    // Applied once: exactly one op.applied per applied operation; refused ones left none.
    const byReason = new Map<string, number>();
    for (const e of applied) {
      const reason = (e.payload as { reason: string }).reason;
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    for (const r of reasonsApplied) expect(byReason.get(r), r).toBe(1);
    for (const r of reasonsRefused) expect(byReason.get(r), r).toBeUndefined();
    expect(outcomes.applied).toBeGreaterThan(0);
    expect(outcomes.refused.get('STALE') ?? 0).toBeGreaterThan(0);

    // The log replays to the stored state.
    for (const taskId of taskIds) {
      const task = (await storage.getTask(taskId))!;
      const log = await storage.listTransitions(taskId);
      const replay = await stateAt(storage, taskId, log.at(-1)!.seq);
      expect(replay.status, taskId).toBe(task.status);
      expect(replay.paused, taskId).toBe(task.debug.paused);
      if (task.kind === 'flow') {
        expect(replay.currentState, taskId).toBe(task.currentState);
        expect(replay.data, taskId).toEqual(task.data);
      } else {
        const stored = Object.fromEntries((await storage.getSteps(taskId)).map((s) => [s.name, { state: s.state, attempts: s.attempts }]));
        expect(replay.steps, taskId).toEqual(stored);
      }
    }
    await engine.close();
    await storage.close();
    console.info(`races: ${outcomes.applied} applied, ${outcomes.steps} debugger steps, refused ${JSON.stringify(Object.fromEntries(outcomes.refused))}`);
  });
});
