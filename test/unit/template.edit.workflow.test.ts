import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addStep,
  connect,
  connectSteps,
  disconnect,
  disconnectSteps,
  removeStep,
  renameStep,
  setStepProperty,
  TemplateEditError,
  type EditResult,
} from '../../core/template/edit/index.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import type { StepTemplate, WorkflowTemplate } from '../../core/model/template.js';

const FIXTURE = readFileSync(new URL('../fixtures/templates/edit/commented_workflow.yaml', import.meta.url), 'utf8');

const comments = (text: string) => text.match(/#.*$/gm) ?? [];
const model = (r: EditResult | string) => readTemplateText(typeof r === 'string' ? r : r.text, 'template.yaml').template as WorkflowTemplate;
const step = (r: EditResult, name: string) => model(r).steps.find((s) => s.name === name) as StepTemplate;
const errors = (r: EditResult) => r.problems.filter((p) => p.severity === 'error');
function refusal(fn: () => unknown): TemplateEditError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateEditError);
    return err as TemplateEditError;
  }
  throw new Error('expected the edit to be refused');
}

describe('workflow edits keep the file as written', () => {
  it('addStep writes a block step after the last one, in the file’s aliases, and nothing else changes', () => {
    const r = addStep(FIXTURE, { name: 'audit', handler: 'audit', dependsOn: ['ship'], type: 'standard', retry: { max_attempts: 5 } });
    expect(r.text).toBe(
      FIXTURE.replace(
        '    depends_on: [charge, pack]\n',
        '    depends_on: [charge, pack]\n  - name: audit\n    type: standard\n    handler: audit\n    depends_on: [ship]\n    retry: { max_attempts: 5 }\n',
      ),
    );
    expect(r.problems).toEqual([]);
    expect(step(r, 'audit')).toMatchObject({ dependsOn: ['ship'], retry: { maxAttempts: 5 } });
  });

  it('addStep after a one-line step writes a one-line step', () => {
    const r = addStep(FIXTURE, { name: 'label', handler: 'label', dependsOn: ['pack'] }, { after: 'pack' });
    expect(r.text).toBe(FIXTURE.replace('# one-liner\n', '# one-liner\n  - { name: label, handler: label, depends_on: [pack] }\n'));
    expect(model(r).steps.map((s) => s.name)).toEqual(['validate', 'charge', 'pack', 'label', 'ship']);
  });

  it('removeStep removes the step, its own comment and every dependency on it, and reports the dependents', () => {
    const r = removeStep(FIXTURE, 'validate');
    expect(r.changed).toEqual(['charge', 'pack']);
    expect(r.problems).toEqual([]);
    expect(model(r).steps.map((s) => [s.name, s.dependsOn])).toEqual([
      ['charge', []],
      ['pack', []],
      ['ship', ['charge', 'pack']],
    ]);
    // Gone: the comment above the step and the one on the removed dependency; every other comment stays.
    expect(comments(r.text)).toEqual(comments(FIXTURE).filter((c) => !['# First, make sure the order is sane.', '# must be valid first', '# pure, no I/O'].includes(c)));
    expect(r.text).toContain('  - { name: pack, handler: pack }   # one-liner\n');
  });

  it('renameStep renames the step and the dependencies on it', () => {
    const r = renameStep(FIXTURE, 'validate', 'check');
    expect(r.changed).toEqual(['charge', 'pack']);
    expect(r.text).toBe(FIXTURE.replace('- name: validate', '- name: check').replace('- validate   #', '- check   #').replace('depends_on: [validate]', 'depends_on: [check]'));
    expect(r.problems).toEqual([]);
  });

  it('connect appends to the list in its own style (block list here) and disconnect removes it again, byte for byte', () => {
    const r = connectSteps(FIXTURE, 'pack', 'charge');
    expect(r.text).toBe(FIXTURE.replace('      - validate   # must be valid first\n', '      - validate   # must be valid first\n      - pack\n'));
    expect(disconnectSteps(r.text, 'pack', 'charge').text).toBe(FIXTURE);
    const flowList = connect(FIXTURE, 'charge', 'pack');
    expect(flowList.text).toContain('depends_on: [validate, charge] }');
    expect(disconnect(flowList.text, 'charge', 'pack').text).toBe(FIXTURE);
  });

  it('connect creates the dependency list where the step has none; removing the last one removes the field', () => {
    const r = connectSteps(FIXTURE, 'pack', 'validate');
    expect(r.text).toContain('    handler: validate   # pure, no I/O\n    depends_on: [pack]\n');
    expect(disconnectSteps(r.text, 'pack', 'validate').text).toBe(FIXTURE);
    expect(disconnectSteps(FIXTURE, 'validate', 'pack').text).toContain('  - { name: pack, handler: pack }   # one-liner\n');
  });

  it('a cycle is allowed and reported as a problem positioned in the new text', () => {
    const r = connectSteps(FIXTURE, 'ship', 'validate');
    const cycles = errors(r).filter((p) => p.code === 'CYCLE');
    expect(cycles.length).toBeGreaterThan(0);
    const line = r.text.split('\n').findIndex((l) => l.includes('depends_on: [ship]')) + 1;
    expect(cycles[0]).toMatchObject({ file: 'template.yaml', line, node: 'validate' });
  });

  it('setStepProperty edits values in place, keeping trailing comments', () => {
    const r = setStepProperty(FIXTURE, 'charge', 'retry.max_attempts', 7);
    expect(r.text).toBe(FIXTURE.replace('max_attempts: 3    # three strikes', 'max_attempts: 7    # three strikes'));
    expect(step(r, 'charge').retry.maxAttempts).toBe(7);
    // The handler is a { callable } object: a new name changes the callable and keeps initialization.
    const h = setStepProperty(FIXTURE, 'charge', 'handler', 'charge_v2');
    expect(h.text).toBe(FIXTURE.replace('callable: charge', 'callable: charge_v2'));
    expect(step(h, 'charge').handler).toEqual({ callable: 'charge_v2', initialization: { currency: 'EUR' } });
  });

  it('setStepProperty adds a missing field in its usual place, and in a one-line step stays on that line', () => {
    const t = setStepProperty(FIXTURE, 'ship', 'type', 'deferred_convergence');
    expect(t.text).toBe(FIXTURE.replace('  - name: ship\n', '  - name: ship\n    type: deferred_convergence\n'));
    const j = setStepProperty(FIXTURE, 'pack', 'retry.jitter', false);
    expect(j.text).toBe(FIXTURE.replace('depends_on: [validate] }   # one-liner', 'depends_on: [validate], retry: { jitter: false } }   # one-liner'));
    expect(step(j, 'pack').retry.jitter).toBe(false);
  });

  it('timeout: the step’s spelling is kept (timeout: 30s stays a duration)', () => {
    const r = setStepProperty(FIXTURE, 'charge', 'timeout_seconds', 45);
    expect(r.text).toBe(FIXTURE.replace('timeout: 30s', 'timeout: 45s'));
    expect(step(r, 'charge').timeoutMs).toBe(45_000);
    const added = setStepProperty(FIXTURE, 'pack', 'timeout_seconds', 10);
    expect(step(added, 'pack').timeoutMs).toBe(10_000);
    expect(added.text).toContain('timeout_seconds: 10 }');
    expect(setStepProperty(FIXTURE, 'charge', 'timeout', undefined).text).toBe(FIXTURE.replace('    timeout: 30s\n', ''));
  });

  it('removing a property removes it; removing the last field of a block removes the block', () => {
    const r = setStepProperty(FIXTURE, 'charge', 'retry.backoff', undefined);
    expect(r.text).toBe(FIXTURE.replace('      backoff: exponential\n', ''));
    const none = setStepProperty(r.text, 'charge', 'retry.max_attempts', undefined);
    expect(none.text).toBe(FIXTURE.replace('    retry:\n      max_attempts: 3    # three strikes\n      backoff: exponential\n', ''));
    expect(setStepProperty(FIXTURE, 'ship', 'concurrency', undefined).text).toBe(FIXTURE);
  });

  it('quotes values only when YAML needs it, and shows problems for half-set properties', () => {
    const r = setStepProperty(FIXTURE, 'pack', 'description', 'Pack it: carefully, #1');
    expect(r.text).toContain('{ name: pack, description: "Pack it: carefully, #1", handler: pack');
    expect(step(r, 'pack').description).toBe('Pack it: carefully, #1');
    const half = setStepProperty(FIXTURE, 'validate', 'concurrency.limit', 2);
    expect(errors(half).map((p) => p.code)).toEqual(['MISSING_FIELD']);
    const full = setStepProperty(half.text, 'validate', 'concurrency.key', '{{ input.customer_id }}');
    expect(full.problems).toEqual([]);
    expect(step(full, 'validate').concurrency).toEqual({ key: '{{ input.customer_id }}', limit: 2 });
  });
});

describe('workflow edits respect tasker-core spellings', () => {
  const tasker = readFileSync(new URL('../fixtures/templates/tasker/order_fulfillment.yaml', import.meta.url), 'utf8');

  it('uses `dependencies:` and `{ callable }` handlers like the rest of the file', () => {
    const r = addStep(tasker, { name: 'notify', handler: 'NotifyHandler', dependsOn: ['ship_order'] }, { after: 'ship_order' });
    expect(r.text).toContain('  - name: notify\n    handler: { callable: NotifyHandler }\n    dependencies: [ship_order]\n');
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const c = connectSteps(tasker, 'reserve_inventory', 'validate_order');
    expect(c.text).toContain('    dependencies: [reserve_inventory]\n');
  });

  it('renames and removes the step in the environment overrides too', () => {
    const renamed = renameStep(tasker, 'process_payment', 'charge');
    expect(renamed.text).toContain('- { name: charge, timeout_seconds: 45, retry: { max_attempts: 1 } }');
    expect(renamed.changed).toEqual(['ship_order']);
    const removed = removeStep(tasker, 'process_payment');
    expect(removed.text).not.toContain('process_payment');
    expect(removed.text).toContain('      - { name: validate_order, timeout_seconds: 20, retry: { max_attempts: 2 } }\n');
    expect(removed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('edits that cannot apply are typed errors', () => {
  it('names the reason and a stable code', () => {
    expect(refusal(() => removeStep(FIXTURE, 'nope'))).toMatchObject({ reason: 'UNKNOWN_NODE', code: 'NOT_FOUND' });
    expect(refusal(() => addStep(FIXTURE, { name: 'pack' }))).toMatchObject({ reason: 'DUPLICATE_NAME', code: 'DUPLICATE' });
    expect(refusal(() => renameStep(FIXTURE, 'pack', 'ship'))).toMatchObject({ reason: 'DUPLICATE_NAME' });
    expect(refusal(() => addStep(FIXTURE, { name: ' spaced ' }))).toMatchObject({ reason: 'BAD_VALUE', code: 'USAGE' });
    expect(refusal(() => addStep(FIXTURE, { name: 'x' }, { after: 'nope' }))).toMatchObject({ reason: 'UNKNOWN_NODE' });
    expect(refusal(() => connectSteps(FIXTURE, 'validate', 'charge'))).toMatchObject({ reason: 'EDGE_EXISTS', code: 'DUPLICATE' });
    expect(refusal(() => disconnectSteps(FIXTURE, 'pack', 'charge'))).toMatchObject({ reason: 'UNKNOWN_EDGE', code: 'NOT_FOUND' });
    expect(refusal(() => setStepProperty(FIXTURE, 'pack', 'depends_on', ['x'])).message).toContain('connect');
    expect(refusal(() => setStepProperty(FIXTURE, 'pack', 'timeout_seconds', 'soon'))).toMatchObject({ reason: 'BAD_VALUE' });
    expect(refusal(() => setStepProperty(FIXTURE, 'pack', 'retry', new Date()))).toMatchObject({ reason: 'BAD_VALUE' });
    expect(refusal(() => removeStep('steps: [\n', 'a'))).toMatchObject({ reason: 'NOT_EDITABLE', code: 'TEMPLATE_INVALID' });
    expect(refusal(() => removeStep('kind: flow\nname: f\nstates: {}\n', 'a'))).toMatchObject({ reason: 'WRONG_KIND' });
  });

  it('a self-dependency is allowed and reported', () => {
    expect(errors(connectSteps(FIXTURE, 'pack', 'pack')).map((p) => p.code)).toEqual(['SELF_DEPENDENCY']);
  });

  it('removing the only step leaves an empty list (reported), adding to it starts a block list', () => {
    const one = 'name: solo\nsteps:\n  - name: a\n    handler: a\n';
    const empty = removeStep(one, 'a');
    expect(empty.text).toBe('name: solo\nsteps: []\n');
    const again = addStep(empty.text, { name: 'a', handler: 'a' });
    expect(again.text).toBe(one);
  });
});

describe('line endings and file ends', () => {
  it('keeps CRLF line endings in what it adds', () => {
    const crlf = FIXTURE.replace(/\n/g, '\r\n');
    const r = addStep(crlf, { name: 'audit', handler: 'audit' }, { after: 'charge' });
    expect(r.text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(r.text).toContain('\r\n  - name: audit\r\n    handler: audit\r\n');
    expect(removeStep(r.text, 'audit').text).toBe(crlf);
    // A step added without dependencies stands alone: tasker-core's ORPHAN_STEP warning, nothing else.
    expect(r.problems.map((p) => [p.code, p.severity, p.node])).toEqual([['ORPHAN_STEP', 'warning', 'audit']]);
  });

  it('adds after the last line of a file without a final newline', () => {
    const bare = 'name: t\nsteps:\n  - name: a\n    handler: a';
    const r = addStep(bare, { name: 'b', handler: 'b' });
    expect(r.text).toBe('name: t\nsteps:\n  - name: a\n    handler: a\n  - name: b\n    handler: b');
    expect(setStepProperty(bare, 'a', 'timeout_seconds', 5).text).toBe(`${bare}\n    timeout_seconds: 5`);
  });
});
