import { describe, expect, it } from 'vitest';
import {
  branchLabel,
  flowEdges,
  reachableStates,
  statesWithoutPathToResult,
  terminalStates,
  unreachableStates,
} from '../../core/template/flowGraph.js';
import type { FlowState, FlowTemplate } from '../../core/model/template.js';

function flow(states: FlowState[], extra: Partial<FlowTemplate> = {}): FlowTemplate {
  return {
    kind: 'flow',
    namespace: 'test',
    name: 'f',
    version: '1.0.0',
    source: { kind: 'inline' },
    startsWith: states[0]?.name ?? 'none',
    delayMs: 60_000,
    states,
    interactions: [],
    ...extra,
  };
}

/** The onboarding flow of the design document. */
const onboarding = flow(
  [
    {
      name: 'check_email',
      type: 'decision',
      form: 'boolean',
      branches: [
        { condition: 'has_email', expect: true, goTo: 'send_welcome' },
        { condition: 'has_email', expect: false, goTo: 'ask_for_email' },
      ],
    },
    { name: 'ask_for_email', type: 'wait', branches: [{ condition: 'has_email', expect: true, goTo: 'send_welcome' }] },
    { name: 'send_welcome', type: 'action', handler: 'send_welcome', goTo: ['done'] },
    { name: 'expired', type: 'result' },
    { name: 'done', type: 'result' },
  ],
  {
    onTimeout: 'expired',
    interactions: [{ name: 'provide_email', when: ['ask_for_email'], handler: 'store_email' }],
  },
);

describe('flowEdges', () => {
  it('lists transitions with condition labels, then timeout edges from action and wait states', () => {
    expect(flowEdges(onboarding)).toEqual([
      { from: 'check_email', to: 'send_welcome', kind: 'transition', label: 'has_email' },
      { from: 'check_email', to: 'ask_for_email', kind: 'transition', label: 'not has_email' },
      { from: 'ask_for_email', to: 'send_welcome', kind: 'transition', label: 'has_email' },
      { from: 'send_welcome', to: 'done', kind: 'transition' },
      { from: 'ask_for_email', to: 'expired', kind: 'timeout', label: 'timeout' },
      { from: 'send_welcome', to: 'expired', kind: 'timeout', label: 'timeout' },
    ]);
  });
  it('numbers ordered branches and ignores an onTimeout that names a handler', () => {
    const f = flow(
      [
        {
          name: 'route',
          type: 'decision',
          form: 'ordered',
          branches: [
            { condition: 'is_vip', expect: true, goTo: 'vip' },
            { condition: null, expect: true, goTo: 'normal', label: 'otherwise' },
          ],
        },
        { name: 'vip', type: 'result' },
        { name: 'normal', type: 'result' },
      ],
      { onTimeout: 'notify_ops' },
    );
    expect(flowEdges(f).map((e) => [e.label, e.order, e.kind])).toEqual([
      ['is_vip', 1, 'transition'],
      ['otherwise', 2, 'transition'],
    ]);
  });
  it('labels branches', () => {
    expect(branchLabel({ condition: null, expect: true })).toBe('always');
    expect(branchLabel({ condition: 'x', expect: false })).toBe('not x');
  });
});

describe('reachability', () => {
  it('reaches the timeout state only through on_timeout', () => {
    expect([...reachableStates(onboarding)].sort()).toEqual(
      ['ask_for_email', 'check_email', 'done', 'expired', 'send_welcome'],
    );
    expect(unreachableStates({ ...onboarding, onTimeout: undefined })).toEqual(['expired']);
  });
  it('returns nothing for an unknown starts_with and handles an empty flow', () => {
    expect(reachableStates({ ...onboarding, startsWith: 'nope' }).size).toBe(0);
    expect(reachableStates(flow([])).size).toBe(0);
    expect(statesWithoutPathToResult(flow([]))).toEqual([]);
  });
  it('does not let interactions create edges', () => {
    const f = flow([
      { name: 'a', type: 'wait', branches: [{ condition: 'ok', expect: true, goTo: 'end' }] },
      { name: 'end', type: 'result' },
      { name: 'orphan', type: 'result' },
    ]);
    f.interactions = [{ name: 'poke', when: [], handler: 'poke' }];
    expect(unreachableStates(f)).toEqual(['orphan']);
  });
});

describe('statesWithoutPathToResult', () => {
  it('finds loops with no exit and ignores timeout edges', () => {
    const f = flow(
      [
        { name: 'start', type: 'decision', form: 'boolean', branches: [
          { condition: 'c', expect: true, goTo: 'loop_a' },
          { condition: 'c', expect: false, goTo: 'finish' },
        ] },
        { name: 'loop_a', type: 'action', handler: 'h', goTo: ['loop_b'] },
        { name: 'loop_b', type: 'wait', branches: [{ condition: 'again', expect: true, goTo: 'loop_a' }] },
        { name: 'finish', type: 'action', handler: 'h', goTo: ['done'] },
        { name: 'done', type: 'result' },
        { name: 'expired', type: 'result' },
      ],
      { onTimeout: 'expired' },
    );
    expect(statesWithoutPathToResult(f)).toEqual(['loop_a', 'loop_b']);
    expect(statesWithoutPathToResult(onboarding)).toEqual([]);
    expect(terminalStates(f)).toEqual(['done', 'expired']);
  });
  it('treats a flow without result states as stuck everywhere', () => {
    const f = flow([{ name: 'a', type: 'action', handler: 'h', goTo: ['a'] }]);
    expect(statesWithoutPathToResult(f)).toEqual(['a']);
    expect(terminalStates(f)).toEqual([]);
  });
  it('ignores undeclared targets', () => {
    const f = flow([
      { name: 'a', type: 'action', handler: 'h', goTo: ['ghost'] },
      { name: 'r', type: 'result' },
    ]);
    expect(statesWithoutPathToResult(f)).toEqual(['a']);
    expect([...reachableStates(f)]).toEqual(['a']);
  });
});
