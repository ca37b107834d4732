/**
 * Bad input, engine: property-based task inputs against a template's input_schema and
 * interaction calls with arbitrary names and params, on SQLite. Nothing crashes; every refusal
 * is a StepwiseError with a code (INPUT_INVALID for a bad input or params, NOT_FOUND /
 * INVALID_STATE for an interaction that does not exist or is not allowed now); a refused request
 * stores nothing (no task, no event, no transition, no attempt, no version bump).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../core/engine/engine.js';
import { StepwiseError } from '../../core/model/errors.js';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import { registrationFlow, registrationHandlers } from '../fixtures/flows/registration.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { scaled, SEED } from './scale.js';

const RUNS = scaled(400, 100);
const dir = mkdtempSync(join(tmpdir(), 'stepwise-reliability-input-'));
let storage: Storage;
let engine: Engine;

// The host fixture's input schema, as YAML (what users write).
const schemaTemplate = readTemplateText(
  [
    'name: guarded',
    'namespace: reliability',
    'version: 1.0.0',
    'input_schema:',
    '  type: object',
    '  required: [source]',
    '  additionalProperties: false',
    '  properties:',
    '    source: { type: string, minLength: 1, maxLength: 20 }',
    '    count: { type: integer, minimum: 0 }',
    '    tags: { type: array, items: { type: string } }',
    'steps:',
    '  - { name: only, handler: noop }',
  ].join('\n'),
  'guarded.yaml',
).template!;

beforeAll(async () => {
  storage = await openStorage({ kind: 'sqlite', file: join(dir, 'input.db') });
  engine = createEngine({
    storage,
    templates: createTemplateRegistry([schemaTemplate, registrationFlow, workflow('plain', [step('only', { handler: 'noop' })])]),
    handlers: createHandlerRegistry(
      new Map([['noop', () => null], ...Object.entries(registrationHandlers)].map(([name, fn]) => [name as string, { name: name as string, fn: fn as never, file: '' }])),
    ),
    executor: 'inline',
  });
});
afterAll(async () => {
  await engine.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

async function footprint(taskId?: string) {
  const task = taskId ? await storage.getTask(taskId) : null;
  return {
    tasks: (await storage.listTasks({ limit: 1 })).total,
    seq: await storage.lastEventSeq(),
    version: task?.version ?? null,
    transitions: taskId ? (await storage.listTransitions(taskId)).length : null,
    attempts: taskId ? (await storage.listAttempts(taskId)).length : null,
  };
}

function expectCoded(err: unknown, codes: string[]): void {
  expect(err, String(err)).toBeInstanceOf(StepwiseError);
  expect(codes, (err as Error).message).toContain((err as StepwiseError).code);
  expect((err as Error).message.length).toBeGreaterThan(0);
}

const anyInput = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record({ source: fc.oneof(fc.string({ maxLength: 25 }), fc.anything({ maxDepth: 1 })), count: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.string()), tags: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] }),
  fc.constantFrom({ __proto__: { source: 'x' } }, JSON.parse('{"__proto__": {"source": "polluted"}}'), { constructor: { prototype: { source: 'x' } } }),
);

describe('task inputs against input_schema', () => {
  it('are accepted only when valid; refusals are INPUT_INVALID and store nothing', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        const before = await footprint();
        let task;
        try {
          task = await engine.start('guarded', input);
        } catch (err) {
          expectCoded(err, ['INPUT_INVALID']);
          expect(await footprint()).toEqual(before);
          seen.refused += 1;
          return;
        }
        seen.accepted += 1;
        const stored = (await storage.getTask(task.id))!;
        expect(typeof stored.input.source).toBe('string');
        expect((stored.input.source as string).length).toBeGreaterThan(0);
        expect(Object.keys(stored.input).every((k) => ['source', 'count', 'tags'].includes(k))).toBe(true);
        expect(({} as Record<string, unknown>).source).toBeUndefined(); // no prototype pollution
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});

describe('interactions with arbitrary names and params', () => {
  it('fire only when allowed and valid; refusals are coded and store nothing', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('provide_email'), fc.constant('provide_email'), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString')),
        fc.oneof(
          fc.anything({ maxDepth: 2 }),
          fc.record({ email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 }), fc.anything({ maxDepth: 1 })) }),
          fc.constantFrom({ email: 'user@example.com' }, { email: 'a.b@example.org', extra: 1 }),
        ),
        fc.boolean(),
        async (name, params, finishFirst) => {
          const flow = await engine.flows.start(registrationFlow, {});
          expect(flow.status).toBe('waiting');
          if (finishFirst) await engine.flows.fireInteraction(flow.id, 'provide_email', { email: 'someone@example.com' });
          const before = await footprint(flow.id);
          try {
            const after = await engine.flows.fireInteraction(flow.id, name, params);
            expect(finishFirst).toBe(false);
            expect(name).toBe('provide_email');
            expect(after.status).toBe('complete');
            expect(typeof after.data.email).toBe('string');
            seen.accepted += 1;
          } catch (err) {
            expectCoded(err, ['INPUT_INVALID', 'NOT_FOUND', 'INVALID_STATE']);
            expect(await footprint(flow.id)).toEqual(before);
            seen.refused += 1;
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
