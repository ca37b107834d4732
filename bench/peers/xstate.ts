/**
 * The XState 5 peer of the flows benchmark: the registration-like flow as an XState machine,
 * written the way an XState user would write it (synchronous entry actions, eventless
 * transitions for the wait's re-check and the decision), run by in-memory actors.
 *
 *   register (action) → wait_for_email (wait) ← provide_email (event = interaction)
 *     → check_email (decision) → send_welcome (action) → done (final) | rejected (final)
 */
import { assign, createActor, setup } from 'xstate';

interface Context {
  email?: string;
  userId?: number;
  welcomed?: boolean;
}

export const registrationMachine = setup({
  types: { context: {} as Context, events: {} as { type: 'provide_email'; email: string } },
  actions: {
    register: assign({ userId: 1 }),
    storeEmail: assign({ email: ({ event }) => event.email }),
    sendWelcome: assign({ welcomed: true }),
  },
  guards: {
    emailGiven: ({ context }) => typeof context.email === 'string' && context.email.length > 0,
    emailValid: ({ context }) => (context.email ?? '').includes('@'),
  },
}).createMachine({
  id: 'registration',
  initial: 'register',
  context: {},
  states: {
    register: { entry: 'register', always: 'wait_for_email' },
    wait_for_email: {
      always: { guard: 'emailGiven', target: 'check_email' },
      on: { provide_email: { actions: 'storeEmail' } },
    },
    check_email: { always: [{ guard: 'emailValid', target: 'send_welcome' }, { target: 'rejected' }] },
    send_welcome: { entry: 'sendWelcome', always: 'done' },
    done: { type: 'final' },
    rejected: { type: 'final' },
  },
});

/** Runs `n` registrations to their end, one actor each; throws if one does not end in `done`. */
export function runXStateRegistrations(n: number): void {
  for (let i = 0; i < n; i++) {
    const actor = createActor(registrationMachine).start();
    if (actor.getSnapshot().value !== 'wait_for_email') throw new Error('XState: the flow did not wait for the email');
    actor.send({ type: 'provide_email', email: `user${i}@example.com` });
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== 'done' || snapshot.value !== 'done' || snapshot.context.welcomed !== true) {
      throw new Error(`XState: the flow ended in ${JSON.stringify(snapshot.value)}`);
    }
    actor.stop();
  }
}
