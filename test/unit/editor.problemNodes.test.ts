/** Reading problems placed on the step or state whose text they are in (core/template/edit/problemNodes). */
import { describe, expect, it } from 'vitest';
import { templateProblems } from '../../core/template/edit/index.js';
import { placeProblems } from '../../core/template/edit/problemNodes.js';

describe('placeProblems', () => {
  it('gives a step without a handler its node, so the editor can badge it', () => {
    const text = ['name: t', 'namespace: n', 'version: 1.0.0', 'steps:', '  - name: a', '    handler: a', '  - name: b', '    depends_on: [a]', ''].join('\n');
    const problems = templateProblems(text, { file: 't.yaml', validate: { hasHandler: () => true, handlerNames: ['a'] } });
    const missing = problems.find((p) => p.code === 'MISSING_FIELD');
    expect(missing?.node).toBeUndefined();
    expect(placeProblems(text, problems).find((p) => p.code === 'MISSING_FIELD')?.node).toBe('b');
  });

  it('places a problem in a flow state, and leaves header problems and placed ones alone', () => {
    const text = ['kind: flow', 'name: f', 'namespace: n', 'version: 1', 'starts_with: s', 'states:', '  s: { type: action, handler: 12, go_to: done }', '  done: { type: result }', ''].join('\n');
    const placed = placeProblems(text, [
      { code: 'WRONG_TYPE', severity: 'error', message: 'x', line: 7, col: 32 },
      { code: 'WRONG_TYPE', severity: 'error', message: 'header', line: 4, col: 10 },
      { code: 'CYCLE', severity: 'error', message: 'placed', line: 7, node: 'other' },
    ]);
    expect(placed.map((p) => p.node)).toEqual(['s', undefined, 'other']);
  });
});
