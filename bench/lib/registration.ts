/**
 * The registration-like flow of the flows benchmark as a Stepwise flow (defineFlow, inline
 * handlers): the same states, data and checks as the XState machine in peers/xstate.ts.
 */
import { z } from 'zod';
import type { FlowTemplate } from '../../core/model/template.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, decision, interaction, result, waitUntil } from '../../core/template/flowBuilders.js';
import type { FlowDriver } from '../../core/engine/flow/driver.js';
import { createEngine } from '../../core/engine/engine.js';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';

export const registrationFlow: FlowTemplate = defineFlow({
  name: 'bench_registration',
  namespace: 'bench',
  attributes: z.object({ email: z.string().optional(), user_id: z.number().int().optional(), welcomed: z.boolean().optional() }),
  startsWith: 'register',
  delay: '1m',
  states: {
    register: action(
      (ctx) => {
        ctx.data.user_id = 1;
      },
      { goTo: 'wait_for_email' },
    ),
    wait_for_email: waitUntil({ condition: (ctx) => typeof ctx.data.email === 'string' && ctx.data.email.length > 0, goTo: 'check_email' }),
    check_email: decision({ condition: (ctx) => String(ctx.data.email ?? '').includes('@'), ifTrue: 'send_welcome', ifFalse: 'rejected' }),
    send_welcome: action(
      (ctx) => {
        ctx.data.welcomed = true;
      },
      { goTo: 'done' },
    ),
    done: result(),
    rejected: result(),
  },
  interactions: {
    provide_email: interaction({ when: 'wait_for_email', params: z.object({ email: z.string() }) }, (ctx, params) => {
      ctx.data.email = params.email;
    }),
  },
});

/** One registration to its end; throws if it does not end in `done`. Returns the task id. */
export async function runRegistration(driver: FlowDriver, i: number): Promise<string> {
  const started = await driver.start(registrationFlow, {});
  if (started.status !== 'waiting' || started.currentState !== 'wait_for_email') {
    throw new Error(`Stepwise: the flow is ${started.status} in ${started.currentState}, not waiting for the email`);
  }
  const done = await driver.fireInteraction(started.id, 'provide_email', { email: `user${i}@example.com` });
  if (done.status !== 'complete' || done.currentState !== 'done' || done.data.welcomed !== true) {
    throw new Error(`Stepwise: the flow ended ${done.status} in ${done.currentState}`);
  }
  return started.id;
}

/** A registration workload on a fresh SQLite file: its storage (to wrap or record commits), the run, the clean-up. */
export interface SqliteRegistrations {
  storage: Storage;
  run(): Promise<void>;
  close(): Promise<void>;
}

/** `flows` registration flows, one after another, on an inline engine over the SQLite `file`. */
export async function registrationsOnSqlite(file: string, flows: number): Promise<SqliteRegistrations> {
  const storage = await openStorage({ kind: 'sqlite', file });
  const engine = createEngine({ storage, templates: createTemplateRegistry([registrationFlow]), handlers: createHandlerRegistry(new Map()), executor: 'inline' });
  return {
    storage,
    run: async () => {
      for (let i = 0; i < flows; i++) await runRegistration(engine.flows, i);
    },
    close: async () => {
      await engine.close();
      await storage.close();
    },
  };
}
