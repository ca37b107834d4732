/**
 * `stepwise init` and `stepwise generate`: the workspace they write validates, type-checks and
 * passes its own tests (run here for real, in a child process), and nothing is overwritten.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { loadWorkspace } from '../../core/template/workspace.js';

function captureIO(): CliIO & { text(): string; errors(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, text: () => out.join('\n'), errors: () => err.join('\n') };
}

let base: string;
let ws: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'stepwise-init-'));
  ws = join(base, 'my-app');
  const io = captureIO();
  expect(await main(['init', ws], io)).toBe(0);
  for (const type of ['standard', 'api', 'decision', 'batchable']) {
    expect(await main(['generate', 'handler', `h_${type}`, '--type', type, '--workspace', ws], captureIO())).toBe(0);
  }
  expect(await main(['generate', 'workflow', 'invoices', '--workspace', ws], captureIO())).toBe(0);
  expect(await main(['generate', 'flow', 'onboarding', '--workspace', ws], captureIO())).toBe(0);
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('stepwise init', () => {
  it('writes config, folders, examples, a test and a .gitignore for the database', () => {
    for (const f of ['package.json', 'tsconfig.json', 'stepwise.config.json', 'vitest.config.ts', 'templates/hello_world.yaml', 'flows/approval.yaml', 'handlers/hello_world.ts', 'test/examples.test.ts']) {
      expect(existsSync(join(ws, f)), f).toBe(true);
    }
    expect(readFileSync(join(ws, '.gitignore'), 'utf8')).toContain('.stepwise/');
    const pkg = JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8'));
    expect(pkg.dependencies['stepwise-workflows']).toMatch(/^file:/);
    expect(existsSync(join(ws, 'node_modules', 'stepwise-workflows', 'core', 'testing', 'index.ts'))).toBe(true);
  });

  it('refuses to overwrite an existing workspace', async () => {
    const io = captureIO();
    expect(await main(['init', ws], io)).toBe(1);
    expect(io.errors()).toContain('already has package.json');
  });

  it('gives a workspace (with everything generated) that validates without problems', async () => {
    const loaded = await loadWorkspace(ws);
    expect(loaded.problems).toEqual([]);
    expect(loaded.templates.map((t) => t.name).sort()).toEqual(['approval', 'hello_world', 'invoices', 'onboarding']);
  });

  it('gives a workspace whose own tests pass and whose code type-checks', () => {
    const env = { ...process.env, VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined, NODE_OPTIONS: undefined, NO_COLOR: '1', FORCE_COLOR: '0' };
    const vitest = spawnSync(process.execPath, [join(ws, 'node_modules', '.bin', 'vitest'), 'run'], { cwd: ws, env, encoding: 'utf8' });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/Test Files\s+7 passed/);
    const tsc = spawnSync(process.execPath, [join(ws, 'node_modules', '.bin', 'tsc'), '--noEmit', '-p', ws], { cwd: ws, env, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  }, 180_000);
});

describe('stepwise generate', () => {
  it('never overwrites without --force, and checks names', async () => {
    const io = captureIO();
    expect(await main(['generate', 'handler', 'h_standard', '--workspace', ws], io)).toBe(1);
    expect(io.errors()).toContain('Not overwriting handlers/h_standard.ts');
    const bad = captureIO();
    expect(await main(['generate', 'flow', 'my-flow', '--workspace', ws], bad)).toBe(1);
    expect(bad.errors()).toContain("name 'my-flow' must be an identifier");
  });

  it('with --template, requires the workflow to have a step using the handler', async () => {
    const io = captureIO();
    expect(await main(['generate', 'handler', 'missing_one', '--template', 'hello_world', '--workspace', ws], io)).toBe(1);
    expect(io.errors()).toContain("has no step with handler 'missing_one'");
  });
});
