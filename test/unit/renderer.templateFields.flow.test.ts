/** The editor's side form reads a flow state's branches and wait conditions from the YAML. */
import { describe, expect, it } from 'vitest';
import { readStepFields } from '../../renderer/lib/templateFields.js';

const yaml = `kind: flow
name: f
states:
  check: { type: decision, condition: has_email, if_true: send, if_false: ask }
  ask: { type: wait, conditions: [ { condition: has_email, go_to: send }, { go_to: done } ] }
  send: { type: action, handler: send_it, go_to: done }
  done:
`;

describe('readStepFields (flow states)', () => {
  it("reads a decision's condition and branches, an action's go_to, a wait's conditions", () => {
    expect(readStepFields(yaml, 'check')?.flow).toMatchObject({ condition: 'has_email', ifTrue: 'send', ifFalse: 'ask', goTo: '' });
    expect(readStepFields(yaml, 'send')?.flow?.goTo).toBe('done');
    expect(readStepFields(yaml, 'ask')?.flow?.conditions).toEqual([
      { condition: 'has_email', go_to: 'send' },
      { condition: '', go_to: 'done' },
    ]);
  });

  it('gives workflow steps no flow fields, and a bare `done:` state nothing to read', () => {
    expect(readStepFields('steps:\n  - name: a\n    handler: h\n', 'a')?.flow).toBeNull();
    expect(readStepFields(yaml, 'done')).toBeNull();
  });
});
