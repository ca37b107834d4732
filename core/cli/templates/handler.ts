/**
 * `stepwise generate handler NAME --type standard|api|decision|batchable`: a typed step handler
 * and a vitest test that runs it through `runStep` — against a one-step workflow defined in the
 * test, or, with `--template T`, against the workspace's template T. With `--methods a,b` the
 * handler is a class with one method per step (tasker-core's `handler.method`).
 */
import { StepwiseError } from '../../model/errors.js';
import { checkName, type FileSet } from './files.js';

export const HANDLER_TYPES = ['standard', 'api', 'decision', 'batchable'] as const;
export type HandlerType = (typeof HANDLER_TYPES)[number];

const pascal = (name: string) => name.replace(/(^|_)([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase());

function handlerSource(name: string, type: HandlerType): string {
  const T = pascal(name);
  switch (type) {
    case 'standard':
      return `import type { StepContext } from 'stepwise-workflows';

export interface ${T}Input {
  name?: string;
}

export interface ${T}Result {
  message: string;
}

/** Step handler \`${name}\`: what it returns becomes the step's results (plain JSON). */
export async function ${name}(ctx: StepContext<${T}Input>): Promise<${T}Result> {
  ctx.log.info('${name} running', { attempt: ctx.step.attempt });
  return { message: \`${name} done for \${ctx.input.name ?? 'nobody'}\` };
}
`;
    case 'api':
      return `import { PermanentError, RetryableError, type StepContext } from 'stepwise-workflows';

export interface ${T}Input {
  url: string;
}

/**
 * Step handler \`${name}\`: calls an HTTP API. Passing ctx.signal lets a cancellation or the
 * step's timeout abort the request. 429 and 5xx are retried (honouring Retry-After); other
 * 4xx fail at once.
 */
export async function ${name}(ctx: StepContext<${T}Input>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(ctx.input.url, { signal: ctx.signal, headers: { accept: 'application/json' } });
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new RetryableError(\`\${ctx.input.url} answered \${response.status}\`, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {});
  }
  if (!response.ok) throw new PermanentError(\`\${ctx.input.url} answered \${response.status}\`);
  return { status: response.status, body: (await response.json()) as unknown };
}
`;
    case 'decision':
      return `import type { StepContext } from 'stepwise-workflows';

export interface ${T}Input {
  amount?: number;
}

/**
 * Decision handler \`${name}\`: returns the dependent steps that proceed; every other dependent
 * is skipped. The names must be steps that depend on this one in the template.
 */
export async function ${name}(ctx: StepContext<${T}Input>): Promise<{ proceed: string[]; reason: string }> {
  const large = (ctx.input.amount ?? 0) >= 1000;
  return large ? { proceed: ['manual_review'], reason: 'large amount' } : { proceed: ['auto_approve'], reason: 'small amount' };
}
`;
    case 'batchable':
      return `import type { StepContext } from 'stepwise-workflows';

export interface ${T}Input {
  items?: number[];
}

/**
 * Batchable handler \`${name}\`: returns the batches; the engine creates one batch_worker step
 * per batch (each gets its batch as ctx.batch). Zero batches is fine.
 */
export async function ${name}(ctx: StepContext<${T}Input>): Promise<{ batches: number[][] }> {
  const items = ctx.input.items ?? [];
  const size = 100;
  const batches: number[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return { batches };
}
`;
  }
}

interface TestParts {
  setup: string;
  cases: string;
  imports: string;
}

function testParts(name: string, type: HandlerType, template: string | undefined): TestParts {
  const workflow = template
    ? { imports: `import { fileURLToPath } from 'node:url';\nimport { loadTestWorkspace, runStep } from 'stepwise-workflows/testing';`, setup: `const ws = await loadTestWorkspace(fileURLToPath(new URL('..', import.meta.url)));\nconst template = ws.workflow(${JSON.stringify(template)});\nconst handlers = ws.handlers;\nconst step = template.steps.find((s) => s.handler?.callable === ${JSON.stringify(name)})!.name;` }
    : {
        imports: `import { defineWorkflow } from 'stepwise-workflows';\nimport { runStep } from 'stepwise-workflows/testing';\nimport { ${name} } from './${name}.js';`,
        setup: type === 'decision'
          ? `const template = defineWorkflow({\n  name: '${name}_test',\n  steps: [\n    { name: '${name}', type: 'decision', handler: ${name} },\n    { name: 'manual_review', dependsOn: ['${name}'], handler: () => null },\n    { name: 'auto_approve', dependsOn: ['${name}'], handler: () => null },\n  ],\n});\nconst handlers = {};\nconst step = '${name}';`
          : `const template = defineWorkflow({ name: '${name}_test', steps: [{ name: '${name}', type: '${type === 'batchable' ? 'batchable' : 'standard'}', handler: ${name} }] });\nconst handlers = {};\nconst step = '${name}';`,
      };
  let cases: string;
  switch (type) {
    case 'standard':
      cases = `  it('succeeds with a message', async () => {
    const run = await runStep(template, step, { input: { name: 'Ada' }, handlers });
    expect(run).toSucceedWith({ message: '${name} done for Ada' });
  });`;
      break;
    case 'api':
      cases = `  afterEach(() => vi.unstubAllGlobals());

  it('returns the API answer', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ ok: true }), { status: 200 })));
    const run = await runStep(template, step, { input: { url: 'https://api.example.test/items' }, handlers });
    expect(run).toSucceedWith({ status: 200, body: { ok: true } });
  });

  it('asks for a retry on 503 and fails at once on 404', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('busy', { status: 503, headers: { 'retry-after': '2' } })));
    const busy = await runStep(template, step, { input: { url: 'https://api.example.test/items' }, handlers });
    expect(busy).toFailWith('RETRYABLE');
    expect(busy.retryable).toBe(true);
    vi.stubGlobal('fetch', vi.fn(async () => new Response('missing', { status: 404 })));
    const missing = await runStep(template, step, { input: { url: 'https://api.example.test/items' }, handlers });
    expect(missing).toFailWith('PERMANENT');
    expect(missing.retryable).toBe(false);
  });`;
      break;
    case 'decision':
      cases = `  it('sends large amounts to manual review', async () => {
    const run = await runStep(template, step, { input: { amount: 5000 }, handlers });
    expect(run.proceed).toEqual(['manual_review']);
  });

  it('approves small amounts automatically', async () => {
    const run = await runStep(template, step, { input: { amount: 10 }, handlers });
    expect(run).toSucceedWith({ reason: 'small amount' });
    expect(run.proceed).toEqual(['auto_approve']);
  });`;
      break;
    case 'batchable':
      cases = `  it('splits the items into batches of 100', async () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const run = await runStep(template, step, { input: { items }, handlers });
    expect(run.batches?.map((b) => (b as number[]).length)).toEqual([100, 100, 50]);
  });

  it('returns no batches for no items', async () => {
    expect((await runStep(template, step, { input: {}, handlers })).batches).toEqual([]);
  });`;
      break;
  }
  return { ...workflow, cases };
}

/** Method names for `--methods`: identifiers, distinct, none that a class cannot own as a method. */
export function checkMethods(list: string): string[] {
  const methods = list.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (methods.length === 0) throw new StepwiseError('USAGE', '--methods needs at least one method name, e.g. --methods validate,refund.');
  for (const m of methods) {
    checkName(m, 'Method');
    if (m === 'constructor' || m in Object.prototype) throw new StepwiseError('USAGE', `Method name '${m}' is taken by every object; choose another, e.g. ${m}_step.`, { method: m });
  }
  const twice = methods.find((m, i) => methods.indexOf(m) !== i);
  if (twice) throw new StepwiseError('USAGE', `Method '${twice}' is named twice in --methods.`, { method: twice });
  return methods;
}

/**
 * A handler class with one method per step, as tasker-core dispatches `handler.method`: the
 * default export registers it under the file's name; each step names its method.
 */
export function methodHandlerFiles(name: string, methods: readonly string[]): FileSet {
  const T = pascal(name);
  const bodies = methods
    .map(
      (m) => `  /** Step method \`${m}\`: a step runs it with \`handler: { callable: ${name}, method: ${m} }\`. */
  async ${m}(ctx: StepContext<${T}Input>): Promise<${T}Result> {
    ctx.log.info('${name}.${m} running', { attempt: ctx.step.attempt });
    return { method: '${m}', order_id: ctx.input.order_id ?? null };
  }`,
    )
    .join('\n\n');
  const source = `import type { StepContext } from 'stepwise-workflows';

export interface ${T}Input {
  order_id?: string;
}

export interface ${T}Result {
  method: string;
  order_id: string | null;
}

/**
 * Handler \`${name}\` with one method per step (tasker-core's handler.method). The engine makes a
 * new instance for every call, so keep nothing between calls on \`this\`.
 */
export default class ${T} {
${bodies}
}
`;
  const steps = methods.map((m) => `    { name: '${m}', handler: { callable: '${name}', method: '${m}' } },`).join('\n');
  const test = `import { describe, expect, it } from 'vitest';
import { defineWorkflow } from 'stepwise-workflows';
import { runStep } from 'stepwise-workflows/testing';
import ${T} from './${name}.js';

const template = defineWorkflow({
  name: '${name}_test',
  steps: [
${steps}
  ],
});
const handlers = { ${name}: ${T} };

describe('${name}', () => {
  it.each([${methods.map((m) => `'${m}'`).join(', ')}])('runs its %s method for the step that names it', async (method) => {
    const run = await runStep(template, method, { input: { order_id: 'A-1' }, handlers });
    expect(run).toSucceedWith({ method, order_id: 'A-1' });
  });
});
`;
  return { [`handlers/${name}.ts`]: source, [`handlers/${name}.test.ts`]: test };
}

export function handlerFiles(name: string, type: HandlerType, template?: string): FileSet {
  const t = testParts(name, type, template);
  const vitestImports = type === 'api' ? 'afterEach, describe, expect, it, vi' : 'describe, expect, it';
  const test = `import { ${vitestImports} } from 'vitest';
${t.imports}

${t.setup}

describe('${name}', () => {
${t.cases}
});
`;
  return { [`handlers/${name}.ts`]: handlerSource(name, type), [`handlers/${name}.test.ts`]: test };
}
