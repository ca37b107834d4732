/**
 * tasker-core fidelity on the template side: fields tasker knows are read (or accepted and
 * ignored), its retry spellings and environment semantics hold, handler.method is checked against
 * the handlers, and batch_config is read with tasker's defaults.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../core/model/problem.js';
import { DEFAULT_RETRY, type FlowTemplate, type WorkflowTemplate } from '../../core/model/template.js';
import { readTemplateFile, readTemplateText } from '../../core/template/loadTemplate.js';
import { validateTemplate } from '../../core/template/validate.js';
import type { ValidateOptions } from '../../core/template/validateCommon.js';

const dir = fileURLToPath(new URL('../fixtures/templates/tasker/', import.meta.url));

async function load(name: string, environment?: string): Promise<WorkflowTemplate> {
  const read = await readTemplateFile(dir + name, environment ? { environment } : {});
  expect([...read.problems, ...validateTemplate(read.template!)]).toEqual([]);
  return read.template as WorkflowTemplate;
}

const step = (t: WorkflowTemplate, name: string) => t.steps.find((s) => s.name === name)!;
const ID = '\nnamespace: t\nversion: 1.0.0';
const codes = (problems: Problem[]) => problems.map((p) => [p.code, p.line, p.severity]);

describe('tasker-core fields', () => {
  it('max_attempts: 0 means one attempt and no retry; `limit` is max_attempts', async () => {
    const t = await load('refunds.yaml');
    expect(step(t, 'validate_refund').retry).toEqual({ ...DEFAULT_RETRY, retryable: false, maxAttempts: 1 });
    expect(step(t, 'issue_refund').retry).toEqual({ ...DEFAULT_RETRY, maxAttempts: 5, backoff: 'linear', backoffBaseMs: 200 });
  });

  it('a negative or fractional max_attempts is still refused', () => {
    for (const bad of ['-1', '1.5', 'three']) {
      const r = readTemplateText(`name: a\nsteps:\n  - { name: s, handler: s, retry: { max_attempts: ${bad} } }${ID}`, '/ws/a.yaml');
      expect(codes(r.problems)).toEqual([['WRONG_TYPE', 3, 'error']]);
    }
  });

  it('reads handler.method and result_schema; accepts loaded_from, step lifecycle and handler.resolver without a word', async () => {
    const t = await load('refunds.yaml');
    expect(step(t, 'validate_refund').handler).toEqual({ callable: 'Payments::RefundHandler', initialization: {}, method: 'validate' });
    expect(step(t, 'issue_refund').handler).toEqual({ callable: 'Payments::RefundHandler', initialization: { gateway: 'sandbox' }, method: 'refund' });
    expect(step(t, 'notify_customer').handler!.method).toBeUndefined();
    expect(step(t, 'validate_refund').resultSchema).toEqual({ type: 'object', properties: { valid: { type: 'boolean' } } });
  });

  it('a result_schema that is not an object type is a warning; a broken one an error', () => {
    const r = readTemplateText(`name: a\nsteps:\n  - { name: s, handler: s, result_schema: { type: array } }\n  - { name: u, handler: u, depends_on: [s], result_schema: { type: integr } }${ID}`, '/ws/a.yaml');
    expect(codes(validateTemplate(r.template!))).toEqual([
      ['BAD_SCHEMA', 3, 'warning'],
      ['BAD_SCHEMA', 4, 'error'],
    ]);
  });

  it('a missing namespace or version is said, not silently defaulted', () => {
    const r = readTemplateText('name: a\nsteps: [ { name: s, handler: s } ]', '/ws/a.yaml');
    expect(r.problems.map((p) => [p.code, p.severity, p.message])).toEqual([
      ['MISSING_FIELD', 'warning', 'workflow `a` has no namespace; it is `default`'],
      ['MISSING_FIELD', 'warning', 'workflow `a` has no version; it is `0.0.0`'],
    ]);
  });

  it('namespace: characters and first character are errors, more than 29 characters a warning', () => {
    const ns = (namespace: string) => codes(validateTemplate(readTemplateText(`name: a\nnamespace_name: ${namespace}\nversion: 1.0.0\nsteps: [ { name: s, handler: s } ]`, '/ws/a.yaml').template!));
    expect(ns('billing_v2')).toEqual([]);
    expect(ns('_internal')).toEqual([]);
    expect(ns('2fast')).toEqual([['BAD_NAMESPACE', 2, 'error']]);
    expect(ns('a/b')).toEqual([['BAD_NAMESPACE', 2, 'error']]);
    expect(ns('a'.repeat(30))).toEqual([['BAD_NAMESPACE', 2, 'warning']]);
  });

  it('version: MAJOR.MINOR.PATCH only, for flows too', () => {
    expect(codes(validateTemplate(readTemplateText(`name: a\nnamespace: n\nversion: 1.0\nsteps: [ { name: s, handler: s } ]`, '/ws/a.yaml').template!))).toEqual([['BAD_VERSION', 3, 'error']]);
    const flow = readTemplateText('kind: flow\nname: f\nversion: v2\nstates:\n  start: { type: result }', '/ws/f.yaml');
    expect(codes(validateTemplate(flow.template!))).toEqual([['BAD_VERSION', 3, 'error']]);
  });
});

describe('batch_config', () => {
  it('reads tasker-core batch_config with its defaults', async () => {
    const t = await load('diamond_decision_batch.yaml');
    expect(step(t, 'sum_odds').batchConfig).toEqual({ workerTemplate: 'sum_odds', batchSize: 2, parallelism: 2, cursorField: 'index', failureStrategy: 'fail_fast' });
    const r = readTemplateText(
      `name: a\nsteps:\n  - { name: plan, type: batchable, handler: plan }\n  - { name: work, type: batch_worker, handler: work, depends_on: [plan], batch_config: { worker_template: work } }${ID}`,
      '/ws/a.yaml',
    );
    expect((r.template as WorkflowTemplate).steps[1]!.batchConfig).toEqual({ workerTemplate: 'work', batchSize: 1000, parallelism: 10, cursorField: 'id', failureStrategy: 'continue_on_failure' });
  });

  const batchTemplate = (where: 'plan' | 'work' | 'other', config: string) => {
    const extra = (name: string) => (name === where ? `, batch_config: ${config}` : '');
    return readTemplateText(
      [
        'name: a',
        'steps:',
        `  - { name: plan, type: batchable, handler: plan${extra('plan')} }`,
        `  - { name: work, type: batch_worker, handler: work, depends_on: [plan]${extra('work')} }`,
        `  - { name: other, handler: other, depends_on: [work]${extra('other')} }`,
        `  - { name: lone, type: batch_worker, handler: lone, depends_on: [plan] }`,
      ].join('\n') + ID,
      '/ws/a.yaml',
    );
  };
  const batchCodes = (where: 'plan' | 'work' | 'other', config: string) => {
    const r = batchTemplate(where, config);
    return [...codes(r.problems), ...codes(validateTemplate(r.template!))];
  };

  it('on the batchable step it names one of its workers; on a batch_worker, the worker itself', () => {
    expect(batchCodes('plan', '{ worker_template: work }')).toEqual([]);
    expect(batchCodes('work', '{ worker_template: work }')).toEqual([]);
    expect(batchCodes('work', '{ worker_template: lone }')).toEqual([['BAD_BATCH_CONFIG', 4, 'error']]);
    expect(batchCodes('plan', '{ worker_template: other }')).toEqual([['BAD_BATCH_CONFIG', 3, 'error']]);
    expect(batchCodes('other', '{ worker_template: work }')).toEqual([['BAD_BATCH_CONFIG', 5, 'error']]);
  });

  it('ranges and required fields are tasker-core\'s', () => {
    expect(batchCodes('work', '{ worker_template: work, batch_size: 0 }')).toEqual([['WRONG_TYPE', 4, 'error']]);
    expect(batchCodes('work', '{ worker_template: work, batch_size: 100001 }')).toEqual([['WRONG_TYPE', 4, 'error']]);
    expect(batchCodes('work', '{ worker_template: work, parallelism: 1001 }')).toEqual([['WRONG_TYPE', 4, 'error']]);
    expect(batchCodes('work', '{ worker_template: work, cursor_field: "" }')).toEqual([['WRONG_TYPE', 4, 'error']]);
    expect(batchCodes('work', '{ batch_size: 10 }')).toEqual([['MISSING_FIELD', 4, 'error']]);
    const unknown = batchTemplate('work', '{ worker_template: work, failure_strategy: fail-fast }').problems[0]!;
    expect(unknown.hint).toContain('did you mean `fail_fast`');
  });

  it('a worker config next to its batchable\'s is a warning: the worker\'s wins, as in tasker-core', () => {
    const r = readTemplateText(
      `name: a\nsteps:\n  - { name: plan, type: batchable, handler: plan, batch_config: { worker_template: work } }\n  - { name: work, type: batch_worker, handler: work, depends_on: [plan], batch_config: { worker_template: work } }${ID}`,
      '/ws/a.yaml',
    );
    expect(codes(validateTemplate(r.template!))).toEqual([['BAD_BATCH_CONFIG', 3, 'warning']]);
  });
});

describe('environment overrides follow tasker-core', () => {
  it('retry replaces the whole block, timeout_seconds replaces, initialization merges; ALL reaches every step', async () => {
    const plain = await load('refunds.yaml');
    const t = await load('refunds.yaml', 'test');
    expect(step(t, 'issue_refund').retry).toEqual({ ...DEFAULT_RETRY, maxAttempts: 1 });
    expect(step(plain, 'issue_refund').retry.backoff).toBe('linear');
    expect(step(t, 'issue_refund').timeoutMs).toBe(2000);
    expect(step(t, 'issue_refund').handler!.initialization).toEqual({ gateway: 'fake', trace: true });
    expect(step(t, 'notify_customer').handler!.initialization).toEqual({ trace: true });
    expect(step(t, 'notify_customer').timeoutMs).toBe(10_000);
    // The model read without an environment is left alone.
    expect(step(plain, 'issue_refund').handler!.initialization).toEqual({ gateway: 'sandbox' });
  });

  it('an override is checked where it is written, whichever environment is chosen', () => {
    const r = readTemplateText(
      `name: a\nsteps: [ { name: s, handler: s } ]\nenvironments:\n  test:\n    steps:\n      - { name: s, retry: { max_attempts: lots } }\n      - { name: s, handler: { init: {} } }${ID}`,
      '/ws/a.yaml',
    );
    expect(codes(r.problems)).toEqual([
      ['WRONG_TYPE', 6, 'error'],
      ['UNKNOWN_FIELD', 7, 'warning'],
    ]);
  });
});

describe('handler.method', () => {
  class RefundHandler {
    validate() {
      return { valid: true };
    }
    refund() {
      return { refunded: true };
    }
  }
  const handlers: Record<string, unknown> = {
    'Payments::RefundHandler': RefundHandler,
    as_object: { call: () => 1, process: () => 2 },
    as_function: () => 3,
  };
  const options: ValidateOptions = {
    hasHandler: (n) => n in handlers,
    handlerNames: Object.keys(handlers),
    handlerExport: (n) => handlers[n],
  };
  const check = (callable: string, method?: string) => {
    const handler = method === undefined ? `{ callable: "${callable}" }` : `{ callable: "${callable}", method: ${method} }`;
    const r = readTemplateText(`name: a\nsteps:\n  - name: s\n    handler: ${handler}${ID}`, '/ws/a.yaml');
    return validateTemplate(r.template!, options);
  };

  it('the method must exist on the object or the class; `call` is the default', () => {
    expect(check('Payments::RefundHandler', 'validate')).toEqual([]);
    expect(check('as_object')).toEqual([]);
    expect(check('as_object', 'process')).toEqual([]);
    expect(check('as_function')).toEqual([]);
    expect(check('as_function', 'call')).toEqual([]);
  });

  it('a missing method is MISSING_METHOD at `method`, naming the methods there are', () => {
    const [p] = check('Payments::RefundHandler', 'refnd');
    expect(p).toMatchObject({ code: 'MISSING_METHOD', line: 4, col: 61, hint: 'did you mean `refund`?' });
    expect(p!.message).toBe('step `s` calls `Payments::RefundHandler.refnd`, but handler `Payments::RefundHandler` (a class) has no method `refnd`');
    expect(check('Payments::RefundHandler')[0]).toMatchObject({ code: 'MISSING_METHOD', hint: 'its methods: validate, refund; set handler.method to one of them' });
    expect(check('as_function', 'process')[0]).toMatchObject({ code: 'MISSING_METHOD', hint: 'a plain function is called as it is: leave handler.method out' });
  });

  it('without handlers loaded, methods are not checked', () => {
    const r = readTemplateText(`name: a\nsteps:\n  - { name: s, handler: { callable: x, method: nope } }${ID}`, '/ws/a.yaml');
    expect(validateTemplate(r.template!)).toEqual([]);
  });
});

describe('flows start in `start` unless they say otherwise (the operations gem)', () => {
  it('no starts_with: the state named start', () => {
    const r = readTemplateText('kind: flow\nname: f\nnamespace: n\nversion: 1.0.0\nstates:\n  begin: { type: result }\n  start: { type: action, handler: go, go_to: begin }', '/ws/f.yaml');
    expect((r.template as FlowTemplate).startsWith).toBe('start');
    expect([...r.problems, ...validateTemplate(r.template!)]).toEqual([]);
  });

  it('no starts_with and no start state: MISSING_STARTS_WITH, suggesting both fixes', () => {
    const r = readTemplateText('kind: flow\nname: f\nnamespace: n\nversion: 1.0.0\nstates:\n  begin: { type: action, handler: go, go_to: done }\n  done: { type: result }', '/ws/f.yaml');
    const [p] = validateTemplate(r.template!);
    expect(p).toMatchObject({ code: 'MISSING_STARTS_WITH', hint: 'add starts_with: begin (or name the first state `start`)' });
  });

  it('an explicit starts_with: start that is not declared is an undeclared target', () => {
    const r = readTemplateText('kind: flow\nname: f\nnamespace: n\nversion: 1.0.0\nstarts_with: start\nstates:\n  done: { type: result }', '/ws/f.yaml');
    expect(validateTemplate(r.template!).map((p) => [p.code, p.line])).toEqual([['UNDECLARED_TARGET', 5]]);
  });
});

describe('defineWorkflow takes the same tasker-core fields', () => {
  it('handler.method, batchConfig with defaults, resultSchema, maxAttempts 0 → 1', async () => {
    const { defineWorkflow } = await import('../../core/template/defineWorkflow.js');
    const t = defineWorkflow({
      name: 'refunds',
      namespace: 'payments',
      version: '1.0.0',
      steps: [
        { name: 'validate', handler: { callable: 'RefundHandler', method: 'validate' }, retry: { maxAttempts: 0, retryable: false }, resultSchema: { type: 'object' } },
        { name: 'plan', type: 'batchable', handler: 'plan', dependsOn: ['validate'] },
        { name: 'work', type: 'batch_worker', handler: 'work', dependsOn: ['plan'], batchConfig: { workerTemplate: 'work', parallelism: 2 } },
      ],
    });
    expect(t.steps[0]!.handler).toEqual({ callable: 'RefundHandler', initialization: {}, method: 'validate' });
    expect(t.steps[0]!.retry.maxAttempts).toBe(1);
    expect(t.steps[0]!.resultSchema).toEqual({ type: 'object' });
    expect(t.steps[2]!.batchConfig).toEqual({ workerTemplate: 'work', batchSize: 1000, parallelism: 2, cursorField: 'id', failureStrategy: 'continue_on_failure' });
    expect(validateTemplate(t)).toEqual([]);
  });
});
