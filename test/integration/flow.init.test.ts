/**
 * `stepwise init` and `stepwise generate`: the workspace they write validates, type-checks and
 * passes its own tests (run here for real, in child processes, against this checkout's sources),
 * and nothing is overwritten. Installing the packed package and running the workspace's own
 * `npm test` is test/package/install.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

const REPO = join(import.meta.dirname, '..', '..');
let base: string;
let ws: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'stepwise-init-'));
  ws = join(base, 'my-app');
  const io = captureIO();
  expect(await main(['init', ws, '--no-install'], io)).toBe(0);
  for (const type of ['standard', 'api', 'decision', 'batchable']) {
    expect(await main(['generate', 'handler', `h_${type}`, '--type', type, '--workspace', ws], captureIO())).toBe(0);
  }
  expect(await main(['generate', 'handler', 'refund_handler', '--methods', 'validate,refund', '--workspace', ws], captureIO())).toBe(0);
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
    const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    // By version, never a link into this checkout; --no-install leaves node_modules alone.
    expect(pkg.dependencies).toEqual({ 'stepwise-workflows': `^${own.version}` });
    expect(pkg.devDependencies.vitest).toBe(own.devDependencies.vitest);
    expect(existsSync(join(ws, 'node_modules'))).toBe(false);
  });

  it('--from names a tarball or folder by its absolute path', async () => {
    const other = join(base, 'from-tarball');
    const tarball = join(base, 'stepwise-workflows-9.9.9.tgz');
    writeFileSync(tarball, '');
    expect(await main(['init', other, '--no-install', '--from', tarball], captureIO())).toBe(0);
    expect(JSON.parse(readFileSync(join(other, 'package.json'), 'utf8')).dependencies['stepwise-workflows']).toBe(`file:${tarball}`);
    const missing = captureIO();
    expect(await main(['init', join(base, 'from-missing'), '--no-install', '--from', 'file:/nowhere/x.tgz'], missing)).toBe(1);
    expect(missing.errors()).toContain('no such file or folder');
  });

  it('says what to do when npm install fails, with the files written', async () => {
    // npm "installs" a folder without a package.json as a link and exits 0: init must notice.
    const dir = join(base, 'unpublished');
    const notAPackage = join(base, 'not-a-package');
    mkdirSync(notAPackage);
    const io = captureIO();
    expect(await main(['init', dir, '--from', notAPackage], io)).toBe(1);
    expect(existsSync(join(dir, 'templates', 'hello_world.yaml'))).toBe(true);
    expect(io.errors()).toMatch(/INSTALL_FAILED: npm install failed in .*holds no stepwise-workflows package.*pass --from with a tarball made by `npm pack`/s);
  }, 120_000);

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

  it('gives a workspace whose own tests pass and whose code type-checks (against the sources)', () => {
    // The workspace's tools come from this checkout; its `stepwise-workflows` resolves to core/.
    mkdirSync(join(ws, 'node_modules', '@types'), { recursive: true });
    for (const dep of ['vitest', 'typescript', '@types/node']) symlinkSync(join(REPO, 'node_modules', dep), join(ws, 'node_modules', dep));
    const env = { ...process.env, VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined, NODE_OPTIONS: undefined, NO_COLOR: '1', FORCE_COLOR: '0' };
    const vitest = spawnSync(process.execPath, [join(REPO, 'test', 'fixtures', 'workspaceTests.mjs'), ws], { cwd: ws, env, encoding: 'utf8' });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    // 8 files: the examples, four handler kinds, the handler class (each method through handler.method), workflow, flow.
    expect(vitest.stdout).toMatch(/Test Files\s+8 passed/);
    const sources = (entry: string) => [join(REPO, 'core', entry)];
    const tsconfig = join(base, 'tsconfig.sources.json');
    writeFileSync(tsconfig, JSON.stringify({
      extends: join(ws, 'tsconfig.json'),
      compilerOptions: {
        typeRoots: [join(ws, 'node_modules', '@types')],
        paths: { 'stepwise-workflows': sources('index.ts'), 'stepwise-workflows/testing': sources('testing/index.ts'), 'stepwise-workflows/testing/setup': sources('testing/setup.ts') },
      },
    }));
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', tsconfig], { cwd: ws, env, encoding: 'utf8' });
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

  it('--methods writes a class the workspace registers under its file name, one method per step', async () => {
    const loaded = await loadWorkspace(ws);
    expect(loaded.handlers.get('refund_handler')?.file).toBe(join(ws, 'handlers', 'refund_handler.ts'));
    expect(readFileSync(join(ws, 'handlers', 'refund_handler.ts'), 'utf8')).toMatch(/export default class RefundHandler \{[\s\S]*async validate\(ctx[\s\S]*async refund\(ctx/);
    for (const [args, message] of [
      [['--methods', 'validate,validate'], "Method 'validate' is named twice"],
      [['--methods', 'constructor'], "Method name 'constructor' is taken"],
      [['--methods', 'bad-name'], "Method name 'bad-name' must be an identifier"],
      [['--methods', ' , '], '--methods needs at least one method name'],
      [['--methods', 'a', '--type', 'decision'], '--methods makes a class of standard step methods'],
      [['--methods', 'a', '--template', 'hello_world'], 'leave out --template'],
    ] as const) {
      const io = captureIO();
      expect(await main(['generate', 'handler', 'other_handler', ...args, '--workspace', ws], io)).toBe(1);
      expect(io.errors()).toContain(message);
    }
    expect(existsSync(join(ws, 'handlers', 'other_handler.ts'))).toBe(false);
  });

  it('with --template, requires the workflow to have a step using the handler', async () => {
    const io = captureIO();
    expect(await main(['generate', 'handler', 'missing_one', '--template', 'hello_world', '--workspace', ws], io)).toBe(1);
    expect(io.errors()).toContain("has no step with handler 'missing_one'");
  });
});
