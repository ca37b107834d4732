import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PermanentError, StepwiseError } from '../../core/model/errors.js';
import type { Problem } from '../../core/model/problem.js';
import type { HandlerFn } from '../../core/model/template.js';
import { loadWorkspace } from '../../core/template/workspace.js';

const fixtures = fileURLToPath(new URL('../fixtures/templates/workspaces/', import.meta.url));
const examples = fileURLToPath(new URL('../../resources/examples/', import.meta.url));
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const at = (problems: Problem[], file: string) => problems.filter((p) => p.file?.endsWith(file)).map((p) => [p.code, p.line]);

describe('loadWorkspace on a broken workspace', async () => {
  const root = join(fixtures, 'broken');
  const ws = await loadWorkspace(root);

  it('never throws: every broken file is a problem with its position', () => {
    expect(at(ws.problems, 'stepwise.config.json')).toEqual([['WRONG_TYPE', 3]]);
    expect(at(ws.problems, 'handlers/broken.ts')).toEqual([['MODULE_LOAD_FAILED', 4]]);
    expect(at(ws.problems, 'handlers/syntax.js')).toEqual([['MODULE_LOAD_FAILED', 2]]);
    expect(at(ws.problems, 'flows/throws.ts')).toEqual([['MODULE_LOAD_FAILED', 3]]);
    expect(at(ws.problems, 'templates/syntax.yaml')).toEqual([['YAML_SYNTAX', 5]]);
    expect(at(ws.problems, 'templates/bad_definition.ts')).toEqual([['BAD_DURATION', 3]]);
    expect(at(ws.problems, 'templates/dupe_b.yml')).toEqual([['DUPLICATE_TEMPLATE', 2]]);
    expect(at(ws.problems, 'templates/greeting.yaml')).toEqual([['UNKNOWN_HANDLER', 6]]);
    expect(ws.problems.find((p) => p.file?.endsWith('handlers/broken.ts'))!.message).toContain('boom: the handler module failed while loading');
  });

  it('keeps what did load', () => {
    expect([...ws.handlers.keys()].sort()).toEqual(['greet', 'refuse', 'shout']);
    expect(ws.handlers.get('shout')!.file).toBe(join(root, 'handlers/good.ts'));
    expect(ws.templates.map((t) => t.name).sort()).toEqual(['greeting', 'twin', 'twin']);
    expect(ws.config.database).toBe(join(root, 'db/broken.db'));
    expect(ws.config.concurrency).toBeUndefined();
  });

  it('warns about non-function values in a handler module', () => {
    const warning = ws.problems.find((p) => p.file?.endsWith('handlers/good.ts'));
    expect(warning).toMatchObject({ code: 'WRONG_TYPE', severity: 'warning' });
    expect(warning!.message).toContain('retries');
  });

  it("workspace modules share the host's stepwise API (one PermanentError class)", async () => {
    expect(() => (ws.handlers.get('refuse')!.fn as HandlerFn)({})).toThrow(PermanentError);
    expect(await (ws.handlers.get('greet')!.fn as HandlerFn)({})).toEqual({ text: 'hello' });
  });
});

describe('loadWorkspace with a config', async () => {
  const root = join(fixtures, 'configured');
  const ws = await loadWorkspace(root);

  it('reads stepwise.config.ts, resolving the database path against the root', () => {
    expect(ws.config).toEqual({ database: join(root, 'data/local.db'), executor: 'pool', concurrency: 2, environment: 'test' });
    expect(ws.problems).toEqual([]);
    expect(ws.files).toContain(join(root, 'stepwise.config.ts'));
  });

  it('applies the configured environment; the option overrides it', async () => {
    const sync = ws.templates.find((t) => t.namespace === 'ops' && t.version === '2.0.0');
    expect(sync?.kind === 'workflow' && sync.steps[0]).toMatchObject({ timeoutMs: 5000, handler: { initialization: { source: 'fixture' } } });
    const prod = await loadWorkspace(root, { environment: 'production' });
    const prodSync = prod.templates.find((t) => t.namespace === 'ops' && t.version === '2.0.0');
    expect(prodSync?.kind === 'workflow' && prodSync.steps[0]).toMatchObject({ timeoutMs: 60_000, handler: { initialization: { source: 'prod' } } });
  });

  it('registers a default-exported function under the file name', () => {
    expect((ws.handlers.get('pull')!.fn as HandlerFn)({ initialization: { source: 'x' } })).toEqual({ source: 'x' });
  });

  it('defaults the database to .stepwise/stepwise.db when there is no config', async () => {
    const ex = await loadWorkspace(examples);
    expect(ex.config.database).toBe(join(examples, '.stepwise/stepwise.db'));
  });
});

describe('loadWorkspace on the bundled examples', async () => {
  const ws = await loadWorkspace(examples);

  it('loads every example without a problem', () => {
    expect(ws.problems).toEqual([]);
    expect(ws.templates.map((t) => `${t.namespace}/${t.name}`).sort()).toEqual([
      'accounts/user_onboarding',
      'analytics/csv_import',
      'billing/invoice_sync',
      'demo/diamond',
      'demo/tree',
      'documents/document_approval',
      'ecommerce/order_fulfillment',
    ]);
  });

  it('the TypeScript flow carries its inline handlers and its source file', () => {
    const flow = ws.templates.find((t) => t.name === 'document_approval')!;
    expect(flow.source).toEqual({ kind: 'ts', file: join(examples, 'flows/document_approval.ts') });
    expect(Object.keys(flow.inlineHandlers ?? {})).toContain('interaction.approve');
  });
});

describe('loadWorkspace edge cases', () => {
  it('refuses a folder that does not exist with WORKSPACE_INVALID', async () => {
    await expect(loadWorkspace(join(fixtures, 'no-such-folder'))).rejects.toMatchObject({ code: 'WORKSPACE_INVALID' });
    await expect(loadWorkspace(join(fixtures, 'no-such-folder'))).rejects.toBeInstanceOf(StepwiseError);
  });

  it('reloads a handler module after it was edited', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-ws-'));
    temps.push(root);
    cpSync(join(fixtures, 'configured'), root, { recursive: true });
    const file = join(root, 'handlers/pull.ts');
    const first = await loadWorkspace(root);
    expect((first.handlers.get('pull')!.fn as HandlerFn)({ initialization: {} })).toEqual({ source: 'unknown' });
    writeFileSync(file, readFileSync(file, 'utf8').replace("'unknown'", "'edited'"));
    const second = await loadWorkspace(root);
    expect((second.handlers.get('pull')!.fn as HandlerFn)({ initialization: {} })).toEqual({ source: 'edited' });
  });

  it('an empty folder is a workspace with a warning, not an error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-empty-'));
    temps.push(root);
    const ws = await loadWorkspace(root);
    expect(ws.templates).toEqual([]);
    expect(ws.problems).toEqual([expect.objectContaining({ code: 'MISSING_FIELD', severity: 'warning' })]);
  });
});
