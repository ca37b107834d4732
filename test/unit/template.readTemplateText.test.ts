import { describe, expect, it } from 'vitest';
import type { FlowTemplate, WorkflowTemplate } from '../../core/model/template.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';

const read = (text: string) => readTemplateText(text, '/ws/t.yaml');
const codes = (text: string) => read(text).problems.map((p) => [p.code, p.line, p.severity]);
/** A workflow's identity, written last so the lines above keep their numbers (without it: MISSING_FIELD warnings). */
const ID = '\nnamespace: t\nversion: 1.0.0';

describe('readTemplateText: workflows', () => {
  it('keeps a version written as a number as it was written', () => {
    expect(read('name: a\nversion: 1.0\nsteps: [ { name: s, handler: s } ]').template!.version).toBe('1.0');
  });

  it('resolves anchors and merge keys', () => {
    const t = read(
      ['name: a', 'x-retry: &retry { max_attempts: 5, backoff: fixed }', 'steps:', '  - { name: s, handler: s, retry: *retry }', '  - name: t', '    <<: { handler: t, depends_on: [s] }'].join('\n') + ID,
    );
    // `x-retry` is not a field: a warning, but the anchor still works.
    expect(t.problems.map((p) => p.code)).toEqual(['UNKNOWN_FIELD']);
    const wf = t.template as WorkflowTemplate;
    expect(wf.steps[0]!.retry).toMatchObject({ maxAttempts: 5, backoff: 'fixed' });
    expect(wf.steps[1]).toMatchObject({ handler: { callable: 't' }, dependsOn: ['s'] });
  });

  it('infers wait and subtask types from their blocks', () => {
    const wf = read('name: a\nsteps:\n  - { name: w, wait: { timeout: 1h } }\n  - { name: c, subtask: { template: b/c } }').template as WorkflowTemplate;
    expect(wf.steps.map((s) => s.type)).toEqual(['wait', 'subtask']);
  });

  it('accepts a single dependency name instead of a list', () => {
    const wf = read('name: a\nsteps:\n  - { name: s, handler: s }\n  - { name: t, handler: t, dependencies: s }').template as WorkflowTemplate;
    expect(wf.steps[1]!.dependsOn).toEqual(['s']);
  });

  it('warns about fibonacci backoff and uses exponential', () => {
    const r = read('name: a\nsteps:\n  - name: s\n    handler: s\n    retry: { backoff: fibonacci }' + ID);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'WRONG_TYPE', severity: 'warning', line: 5 })]);
    expect((r.template as WorkflowTemplate).steps[0]!.retry.backoff).toBe('exponential');
  });

  it('reports a key written twice', () => {
    expect(codes('name: a\nsteps: [ { name: s, handler: s } ]\nname: b' + ID)).toEqual([['YAML_SYNTAX', 3, 'error']]);
  });

  it('wait and subtask steps without their blocks', () => {
    expect(codes('name: a\nsteps:\n  - { name: w, type: wait }\n  - { name: c, type: subtask }' + ID)).toEqual([
      ['MISSING_FIELD', 3, 'warning'],
      ['MISSING_FIELD', 4, 'error'],
    ]);
  });
});

describe('readTemplateText: what is not a template', () => {
  it.each([
    ['', 'MISSING_FIELD'],
    ['- a\n- b', 'WRONG_TYPE'],
    ['name: a', 'MISSING_FIELD'],
    ['kind: pipeline\nname: a', 'WRONG_TYPE'],
  ])('%j → %s, no template', (text, code) => {
    const r = read(text);
    expect(r.template).toBeUndefined();
    expect(r.problems).toEqual([expect.objectContaining({ code, file: '/ws/t.yaml', line: 1 })]);
  });

  it('a template without a name keeps the file name and says so', () => {
    const r = read('steps: [ { name: s, handler: s } ]' + ID);
    expect(r.template!.name).toBe('t');
    expect(r.problems.map((p) => p.code)).toEqual(['MISSING_FIELD']);
  });
});

describe('readTemplateText: flows', () => {
  const flow = (states: string, extra = '') => read(`kind: flow\nname: f\nstarts_with: a\n${extra}states:\n${states}`);

  it('infers state types: handler → action, if_true → decision, empty → result', () => {
    const f = flow('  a: { handler: go, go_to: b }\n  b: { condition: ok, if_true: c, if_false: a }\n  c: {}').template as FlowTemplate;
    expect(f.states.map((s) => s.type)).toEqual(['action', 'decision', 'result']);
  });

  it('reads ordered conditions with an else, and the single-condition wait', () => {
    const f = flow(
      [
        '  a:',
        '    type: decision',
        '    conditions:',
        '      - { condition: big, go_to: b, label: large }',
        '      - { go_to: c }',
        '  b: { type: wait, condition: ready, go_to: c }',
        '  c: { type: result }',
      ].join('\n'),
    );
    expect(f.problems).toEqual([]);
    const [a, b] = (f.template as FlowTemplate).states;
    expect(a).toMatchObject({ form: 'ordered', branches: [{ condition: 'big', goTo: 'b', label: 'large', expect: true }, { condition: null, goTo: 'c' }] });
    expect(b).toMatchObject({ type: 'wait', branches: [{ condition: 'ready', goTo: 'c', expect: true }] });
  });

  it('accepts `when` as a single state name and several go_to targets', () => {
    const f = flow('  a: { type: action, handler: pick, go_to: [b, c] }\n  b:\n  c:\ninteractions:\n  poke: { when: a, handler: poke }').template as FlowTemplate;
    expect(f.states[0]).toMatchObject({ goTo: ['b', 'c'] });
    expect(f.interactions[0]).toMatchObject({ name: 'poke', when: ['a'], handler: 'poke' });
  });

  it('an action without go_to is a warning; a state without a type that cannot be inferred is an error', () => {
    expect(flow('  a: { type: action, handler: go }').problems.map((p) => [p.code, p.severity])).toEqual([['MISSING_FIELD', 'warning']]);
    expect(flow('  a: { description: what am I }').problems.map((p) => [p.code, p.line])).toEqual([['MISSING_FIELD', 5]]);
  });

  it('states must be a map of maps', () => {
    expect(codes('kind: flow\nname: f\nstarts_with: a\nstates: [a, b]')).toEqual([['WRONG_TYPE', 4, 'error']]);
    expect(codes('kind: flow\nname: f\nstarts_with: a\nstates:\n  a: 5')).toEqual([['WRONG_TYPE', 5, 'error']]);
  });

  it('reads an action\'s timeout and retry block (the workflow steps\' block), with errors at their line', () => {
    const f = flow('  a: { type: action, handler: go, go_to: b, timeout: 30s, retry: { max_attempts: 4, backoff: fixed, backoff_base_ms: 500 } }\n  b:');
    expect(f.problems).toEqual([]);
    expect((f.template as FlowTemplate).states[0]).toMatchObject({ timeoutMs: 30_000, retry: { maxAttempts: 4, backoff: 'fixed', backoffBaseMs: 500, retryable: true, jitter: true } });
    expect((flow('  a: { type: action, handler: go, go_to: b, timeout_seconds: 2 }\n  b:').template as FlowTemplate).states[0]).toMatchObject({ timeoutMs: 2000 });
    const bad = flow('  a: { type: action, handler: go, go_to: b }\n  b:\n  c:\n    type: action\n    handler: go\n    go_to: b\n    retry: { max_attempts: many, backof: fixed }\n    timeout: soon');
    expect(bad.problems.map((p) => [p.code, p.line, p.severity])).toEqual([
      ['UNKNOWN_FIELD', 11, 'warning'],
      ['WRONG_TYPE', 11, 'error'],
      ['BAD_DURATION', 12, 'error'],
    ]);
  });

  it('defaults delay to one minute', () => {
    expect((flow('  a: { type: result }').template as FlowTemplate).delayMs).toBe(60_000);
  });
});
