import { describe, expect, it } from 'vitest';
import { firstMatchingBranch } from '../../core/engine/flow/select.js';
import type { FlowBranch } from '../../core/model/template.js';

const branches: FlowBranch[] = [
  { condition: 'a', expect: true, goTo: 'x' },
  { condition: 'b', expect: true, goTo: 'y' },
  { condition: 'a', expect: false, goTo: 'z' },
];

describe('branch selection', () => {
  it('answers synchronously while every condition does, evaluating each at most once', () => {
    const calls: string[] = [];
    const choice = firstMatchingBranch(branches, (c) => (calls.push(c), false));
    expect(choice).not.toBeInstanceOf(Promise);
    expect(choice).toEqual({ branch: branches[2], evaluated: { a: false, b: false } });
    expect(calls).toEqual(['a', 'b']);
  });

  it('goes on asynchronously from the first condition that answers with a promise, with the same choice', async () => {
    const calls: string[] = [];
    const choice = firstMatchingBranch(branches, (c) => (calls.push(c), c === 'b' ? Promise.resolve(true) : false));
    expect(choice).toBeInstanceOf(Promise);
    expect(await choice).toEqual({ branch: branches[1], evaluated: { a: false, b: true } });
    expect(calls).toEqual(['a', 'b']);
  });

  it('finds no branch when nothing matches, synchronously or not', async () => {
    const only: FlowBranch[] = [{ condition: 'c', expect: true, goTo: 'x' }];
    expect(firstMatchingBranch(only, () => false)).toEqual({ branch: null, evaluated: { c: false } });
    expect(await firstMatchingBranch(only, async () => false)).toEqual({ branch: null, evaluated: { c: false } });
  });
});
