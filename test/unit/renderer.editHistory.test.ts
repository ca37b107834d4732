import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, current, push, redo, startHistory, undo } from '../../renderer/lib/editHistory.js';
import { readStepFields } from '../../renderer/lib/templateFields.js';

describe('editHistory', () => {
  it('undoes and redoes, and a new edit drops what was undone', () => {
    let h = push(push(startHistory('a'), 'b'), 'c');
    expect(current(h)).toBe('c');
    h = undo(undo(h));
    expect(current(h)).toBe('a');
    expect(canUndo(h)).toBe(false);
    h = redo(h);
    expect(current(h)).toBe('b');
    h = push(h, 'd');
    expect(h.states).toEqual(['a', 'b', 'd']);
    expect(canRedo(h)).toBe(false);
    expect(undo(startHistory('x'))).toEqual(startHistory('x'));
  });

  it('keeps at most 200 states', () => {
    let h = startHistory(0);
    for (let i = 1; i <= 500; i++) h = push(h, i);
    expect(h.states).toHaveLength(200);
    expect(current(h)).toBe(500);
    expect(h.states[0]).toBe(301);
  });
});

describe('readStepFields', () => {
  const yaml = `name: t\nnamespace: n\nsteps:\n  - name: a\n    handler: { callable: do_a }\n    retry: { retryable: true, max_attempts: 3 }\n  - { name: b, handler: do_b, depends_on: [a], timeout_seconds: 5, concurrency: { key: k, limit: 2 } }\n`;
  it('reads a step in block or flow style, handler objects included', () => {
    expect(readStepFields(yaml, 'a')).toMatchObject({ handler: 'do_a', type: 'standard', retry: { retryable: true, max_attempts: 3 }, dependsOn: [] });
    expect(readStepFields(yaml, 'b')).toMatchObject({ handler: 'do_b', dependsOn: ['a'], timeoutSeconds: 5, concurrency: { key: 'k', limit: 2 } });
  });
  it('returns null for an unknown step or text that is not YAML', () => {
    expect(readStepFields(yaml, 'zzz')).toBeNull();
    expect(readStepFields('steps: [', 'a')).toBeNull();
  });
});
