/**
 * Bad input, templates: property-based (fast-check) mutations of valid YAML templates
 * (workflows and flows: characters deleted, YAML punctuation and bad values inserted, lines
 * replaced, swapped or doubled) and malformed defineWorkflow/defineFlow objects. Reading and
 * validating never throws; every problem has a code and, for YAML, its file:line:col; a
 * TypeScript definition is refused with TEMPLATE_INVALID carrying coded problems.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { Problem } from '../../core/model/problem.js';
import type { Template } from '../../core/model/template.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { defineWorkflow } from '../../core/template/defineWorkflow.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import { validateTemplate } from '../../core/template/validate.js';
import { scaled, SEED } from './scale.js';

const RUNS = scaled(600, 150);
const fixture = (p: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url)), 'utf8');
const SOURCES = [
  fixture('templates/tasker/order_fulfillment.yaml'),
  fixture('templates/tasker/batch.yaml'),
  fixture('templates/tasker/conditional_approval.yaml'),
  fixture('templates/twins/user_onboarding.yaml'),
  fixture('flows/registration.yaml'),
];

const FRAGMENTS = [
  ':', '- ', '[', ']', '{', '}', '"', "'", '#', '&a', '*a', '!!binary', '|', '>', '\t', '  ', '\n', '\u0000', '\ufeff', '🙂',
  'steps:', 'states:', 'kind: flow', 'kind: banana', 'depends_on: [nowhere]', 'depends_on: self', 'type: wait', 'type: teleport',
  'timeout_seconds: -5', 'timeout: 5 parsecs', 'delay: 1y', 'retry: { max_attempts: -1 }', 'retry: yes', 'handler: { callable: 42 }',
  'input_schema: { type: wat }', 'input_schema: 7', 'go_to: nowhere', 'starts_with: nowhere', 'when: [nowhere]', 'name: ""', 'name: [1, 2]',
  'if_true: a', 'conditions: 3', 'params: { required: 5 }', 'batch_worker: x', '? complex\n: key', '<<: *a', '~', 'null', '1e999',
];

type Edit =
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replaceLine'; line: number; text: string }
  | { kind: 'swapLines'; a: number; b: number }
  | { kind: 'doubleLine'; line: number };

const text = fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 }), fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(' ')));
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text }),
  fc.record({ kind: fc.constant('replaceLine' as const), line: fc.nat(), text }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('doubleLine' as const), line: fc.nat() }),
);

function apply(source: string, edits: readonly Edit[]): string {
  let s = source;
  for (const e of edits) {
    const lines = s.split('\n');
    switch (e.kind) {
      case 'delete': {
        const at = e.at % (s.length + 1);
        s = s.slice(0, at) + s.slice(at + e.len);
        break;
      }
      case 'insert': {
        const at = e.at % (s.length + 1);
        s = s.slice(0, at) + e.text + s.slice(at);
        break;
      }
      case 'replaceLine':
        lines[e.line % lines.length] = (lines[e.line % lines.length]!.match(/^\s*/)?.[0] ?? '') + e.text;
        s = lines.join('\n');
        break;
      case 'swapLines': {
        const a = e.a % lines.length;
        const b = e.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        s = lines.join('\n');
        break;
      }
      case 'doubleLine':
        lines.splice(e.line % lines.length, 0, lines[e.line % lines.length]!);
        s = lines.join('\n');
        break;
    }
  }
  return s;
}

/** A problem a user can act on: a code, a message and where. */
function expectLocated(p: Problem, file: string, text: string): void {
  const where = `${p.code} ${p.message}\n--- text ---\n${text}`;
  expect(typeof p.code, where).toBe('string');
  expect(p.code.length, where).toBeGreaterThan(0);
  expect(p.message.length, where).toBeGreaterThan(0);
  expect(['error', 'warning'], where).toContain(p.severity);
  expect(p.file, where).toBe(file);
  expect(Number.isInteger(p.line) && p.line! >= 1, `line of ${where}`).toBe(true);
  expect(Number.isInteger(p.col) && p.col! >= 1, `col of ${where}`).toBe(true);
}

describe('malformed YAML templates', () => {
  it('never throw; every problem has a code and file:line:col', () => {
    fc.assert(
      fc.property(fc.nat({ max: SOURCES.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), (which, edits) => {
        const mutated = apply(SOURCES[which]!, edits);
        const file = 'mutated.yaml';
        const read = readTemplateText(mutated, file);
        for (const p of read.problems) expectLocated(p, file, mutated);
        if (read.template) {
          const names = new Set(['validate_order', 'charge_payment', 'send_welcome', 'store_email', 'email_given']);
          for (const p of validateTemplate(read.template, { hasHandler: (n) => names.has(n), handlerNames: [...names] })) expectLocated(p, file, mutated);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('reads arbitrary text without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const read = readTemplateText(s, 'any.yaml');
        for (const p of read.problems) expectLocated(p, 'any.yaml', s);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

/** Valid-looking shapes with holes: what a TypeScript user might pass by mistake. */
const junk = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }));

function expectRefusedOrValid(define: () => Template): void {
  let template: Template;
  try {
    template = define();
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(StepwiseError);
    const e = err as StepwiseError;
    expect(e.code).toBe('TEMPLATE_INVALID');
    const problems = e.details.problems as Problem[] | undefined;
    expect(Array.isArray(problems) && problems.length > 0, e.message).toBe(true);
    for (const p of problems!) expect(typeof p.code === 'string' && p.code.length > 0 && p.message.length > 0, JSON.stringify(p)).toBe(true);
    return;
  }
  // Accepted: the workspace validates it next, which must not throw either.
  for (const p of validateTemplate(template, { hasHandler: () => true })) expect(typeof p.code).toBe('string');
}

describe('malformed TypeScript definitions', () => {
  it('defineWorkflow refuses with TEMPLATE_INVALID and coded problems, never another exception', () => {
    const stepDef = fc.record(
      { name: fc.oneof(fc.constantFrom('a', 'b', 'c'), junk), handler: fc.oneof(fc.constant(() => null), junk), dependsOn: fc.oneof(fc.array(fc.constantFrom('a', 'b', 'c', 'zz')), junk), type: fc.oneof(fc.constantFrom('standard', 'decision', 'wait', 'teleport'), junk), retry: fc.oneof(fc.record({ maxAttempts: fc.integer({ min: -3, max: 5 }) }), junk), timeout: fc.oneof(fc.constantFrom('5s', '1 parsec', '-1m'), junk) },
      { requiredKeys: ['name'] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('wf', ''), junk), fc.oneof(fc.array(stepDef, { maxLength: 4 }), junk), (name, steps) => {
        expectRefusedOrValid(() => defineWorkflow({ name, steps } as never));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('defineFlow refuses with TEMPLATE_INVALID and coded problems, never another exception', () => {
    const state = fc.oneof(
      fc.record({ type: fc.constant('action'), handler: fc.oneof(fc.constant(() => undefined), junk), goTo: fc.oneof(fc.array(fc.constantFrom('s1', 's2', 'nowhere')), junk) }),
      fc.record({ type: fc.constant('result') }),
      fc.record({ type: fc.oneof(fc.constantFrom('decision', 'wait', 'teleport'), junk), branches: fc.oneof(fc.array(fc.record({ goTo: fc.constantFrom('s1', 's2', 'x') })), junk), form: fc.constantFrom('boolean', 'ordered') }),
      junk,
    );
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('s1', 's2', 'nowhere'), junk), fc.dictionary(fc.constantFrom('s1', 's2', 's3'), state, { maxKeys: 3 }), fc.oneof(fc.constantFrom('1h', 'soon'), junk), (startsWith, states, timeout) => {
        expectRefusedOrValid(() => defineFlow({ name: 'f', startsWith, states, timeout } as never));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
