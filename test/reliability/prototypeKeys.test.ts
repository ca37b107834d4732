/**
 * Attack (issue 12): keys named like Object.prototype's members. `toPlain` tested `key in out`,
 * so `constructor`, `toString`, `valueOf`, `hasOwnProperty` and `__proto__` vanished from
 * input_schema, initialization and subtask input: an input `{"constructor": 5}` was refused as
 * "not allowed", `required: [constructor]` was not enforced (Ajv saw Object's constructor), and a
 * step named `__proto__` vanished from its dependents' ctx.results and from the task result.
 * Now every own key is kept and JSON Schema sees own properties only; steps, states and
 * interactions named like Object.prototype members are refused with RESERVED_NAME. `__proto__`
 * keys are refused in inputs and schemas (JSON Schema validators skip them; copying them by
 * assignment replaces a prototype), as Fastify refuses them in request bodies.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../core/engine/engine.js';
import { applyDefaultsAndValidate } from '../../core/engine/flow/attributes.js';
import { StepwiseError } from '../../core/model/errors.js';
import type { StepContext } from '../../core/model/handlers.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { defineWorkflow } from '../../core/template/defineWorkflow.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { validateTemplate } from '../../core/template/validate.js';

const KEYS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty'];

function read(text: string) {
  const r = readTemplateText(text, 't.yaml');
  if (!r.template) throw new Error(r.problems.map((p) => p.message).join('; '));
  return { template: r.template, problems: [...r.problems, ...validateTemplate(r.template)] };
}

const guarded = read(
  [
    'name: guarded',
    'namespace: attack',
    'version: 1.0.0',
    'input_schema:',
    '  type: object',
    '  additionalProperties: false',
    `  required: [${KEYS.join(', ')}]`,
    '  properties:',
    ...KEYS.map((k) => `    ${k}: { type: integer }`),
    'steps:',
    '  - name: first',
    '    handler: { callable: echo, initialization: { constructor: 1, toString: 2 } }',
    '  - name: child',
    '    type: subtask',
    '    depends_on: [first]',
    '    subtask: { template: attack/inner, input: { constructor: c, valueOf: v } }',
  ].join('\n'),
).template;

const inner = read(
  ['name: inner', 'namespace: attack', 'version: 1.0.0', 'input_schema: { type: object, required: [constructor, valueOf] }', 'steps:', '  - { name: only, handler: echo }'].join('\n'),
).template;

function engine() {
  const echo = (ctx: StepContext) => ({ input: ctx.input, initialization: ctx.initialization, initKeys: Object.keys(ctx.initialization) });
  return createEngine({
    storage: new MemoryStorage(),
    templates: createTemplateRegistry([guarded, inner]),
    handlers: createHandlerRegistry(new Map([['echo', { name: 'echo', fn: echo as never, file: '' }]])),
    executor: 'inline',
  });
}

describe('keys named like Object.prototype members are data', () => {
  it('the YAML schema keeps every property, and required sees own keys only', async () => {
    const props = (guarded as { inputSchema?: { properties?: object } }).inputSchema!.properties!;
    expect(Object.keys(props).sort()).toEqual([...KEYS].sort());
    const e = engine();
    const refused = await e.start('attack/guarded', {}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StepwiseError);
    expect((refused as StepwiseError).code).toBe('INPUT_INVALID');
    const paths = ((refused as StepwiseError).details.violations as Array<{ path: string }>).map((v) => v.path).sort();
    expect(paths).toEqual(KEYS.map((k) => `/${k}`).sort());
    await e.close();
  });

  it('an input with those keys is accepted and reaches handlers, initialization and subtask input intact', async () => {
    const e = engine();
    // JSON.parse keeps `__proto__` as an own key (what the CLI and the host receive).
    const input = { constructor: 0, toString: 1, valueOf: 2, hasOwnProperty: 3 };
    const task = await e.start('attack/guarded', input);
    await e.runUntilIdle();
    const first = (await e.storage.getStep(task.id, 'first'))!;
    const results = first.results as { input: Record<string, number>; initKeys: string[] };
    expect(Object.keys(results.input).sort()).toEqual([...KEYS].sort());
    expect(results.initKeys.sort()).toEqual(['constructor', 'toString']);
    const child = (await e.storage.listTasks({})).tasks.find((t) => t.templateRef === 'attack/inner@1.0.0')!;
    expect(child.input).toEqual({ constructor: 'c', valueOf: 'v' });
    expect(child.status).toBe('complete');
    expect((await e.storage.getTask(task.id))!.status).toBe('complete');
    await e.close();
  });

  it('`__proto__` keys are refused in inputs (at any depth) and in schemas', async () => {
    const e = engine();
    // JSON.parse keeps `__proto__` as an own key: what the CLI and the host receive.
    const input = JSON.parse('{"constructor":0,"toString":1,"valueOf":2,"hasOwnProperty":3,"nested":[{"__proto__":{"polluted":true}}]}') as object;
    const refused = await e.start('attack/guarded', input).catch((err: unknown) => err);
    expect((refused as StepwiseError).code).toBe('INPUT_INVALID');
    expect((refused as StepwiseError).message).toContain('/nested/0/__proto__ is a `__proto__` key');
    expect((await e.storage.listTasks({})).total).toBe(0);
    await e.close();
    const bad = read(['name: w', 'input_schema: { type: object, properties: { __proto__: { type: string } } }', 'steps: [ { name: a, handler: a } ]'].join('\n'));
    expect(bad.problems.filter((p) => p.code === 'BAD_SCHEMA').map((p) => [p.code, p.line])).toEqual([['BAD_SCHEMA', 2]]);
    const required = read(['name: w', 'input_schema: { type: object, required: [__proto__] }', 'steps: [ { name: a, handler: a } ]'].join('\n'));
    expect(required.problems.filter((p) => p.code === 'BAD_SCHEMA')).toHaveLength(1);
  });

  it('flow attributes and interaction params: required sees own keys only', () => {
    const schema = { type: 'object', required: ['constructor'], properties: { constructor: { type: 'string' } } };
    expect(() => applyDefaultsAndValidate(schema, {}, 'The params of interaction x')).toThrow(/\/constructor is required|\/constructor/);
    expect(applyDefaultsAndValidate(schema, { constructor: 'ok' }, 'The params of interaction x')).toEqual({ constructor: 'ok' });
  });

  it('steps, states and interactions named like Object.prototype members are refused with RESERVED_NAME', () => {
    const wf = read(['name: w', 'steps:', '  - { name: __proto__, handler: a }', '  - { name: constructor, handler: a, depends_on: [__proto__] }'].join('\n'));
    expect(wf.problems.filter((p) => p.code === 'RESERVED_NAME').map((p) => [p.node, p.line])).toEqual([
      ['__proto__', 3],
      ['constructor', 4],
    ]);
    const flow = read(
      [
        'kind: flow',
        'name: f',
        'starts_with: toString',
        'states:',
        '  toString: { type: action, handler: a, go_to: done }',
        '  done: { type: result }',
        'interactions:',
        '  valueOf: { handler: a }',
      ].join('\n'),
    );
    expect(flow.problems.filter((p) => p.code === 'RESERVED_NAME').map((p) => p.node)).toEqual(['toString', 'valueOf']);
  });

  it("a TypeScript template's inline handlers are looked up by own name only", () => {
    const t = defineWorkflow({ name: 'ts', steps: [{ name: 'a', handler: () => null }] });
    const registry = createHandlerRegistry(new Map());
    expect(registry.get('toString', t)).toBeUndefined();
    expect(registry.get('constructor', t)).toBeUndefined();
    expect(typeof registry.get('a', t)).toBe('function');
  });
});
