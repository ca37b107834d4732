/**
 * The package as users get it (`npm run test:package`; CI runs it after `npm test`): `npm pack`
 * builds and packs it; publint and @arethetypeswrong/cli check the tarball; it installs into a
 * fresh folder outside the repository, where plain `node` (no TypeScript loader) imports it from
 * .mjs and requires it from .cjs, `stepwise --version` answers, `stepwise init` makes a workspace
 * (in another folder) whose own `npm test` passes and which runs the README's "Using it from
 * code" as written, and `stepwise serve` answers with the built workbench.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReadyLine } from '../../core/host/ready.js';

const REPO = join(import.meta.dirname, '..', '..');
const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };

/** The environment of a user's shell: none of npm's, vitest's or a loader's variables from this run. */
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|NODE_OPTIONS$|NODE_PATH$|TSX_|INIT_CWD$)/i.test(k)),
);
userEnv.NO_COLOR = '1';

function run(cmd: string, args: string[], cwd: string, timeout = 600_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: userEnv, encoding: 'utf8', timeout });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  expect(result.status, `${what}\n${result.stdout}\n${result.stderr}\n${result.error ?? ''}`).toBe(0);
  return result.stdout;
}

let scratch: string;
let tarball: string;
let consumer: string;
let workspace: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'stepwise-package-'));
  // prepack builds dist/ (and the workbench when it is stale).
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as { filename: string }[];
  tarball = join(scratch, packed[0]!.filename);
  consumer = join(scratch, 'consumer');
  workspace = join(scratch, 'workspace');
}, 600_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships dist, bin and the built workbench, and nothing from test/ or the sources', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.filter((f) => /^package\/(test|core|renderer|main|bench|scripts|resources)\//.test(f))).toEqual([]);
    for (const f of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/testing/index.js', 'package/dist/testing/setup.d.ts', 'package/bin/stepwise.mjs', 'package/out/renderer/index.html']) {
      expect(files, f).toContain(f);
    }
  });

  it('passes publint (strict)', () => {
    ok(run(join(REPO, 'node_modules', '.bin', 'publint'), ['--strict', tarball], REPO), 'publint');
  });

  it('passes @arethetypeswrong/cli (require of ESM is served by Node 20.19+, proven below)', () => {
    ok(run(join(REPO, 'node_modules', '.bin', 'attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--no-color'], REPO), 'attw');
  });
});

describe('installed in a fresh folder', () => {
  beforeAll(() => {
    run('mkdir', ['-p', consumer], scratch);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    ok(run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], consumer), 'npm install of the tarball');
  }, 900_000);

  // elkjs is not in this list: the host lays graphs out (core/host/layoutService.ts), so it is a
  // runtime dependency; the page's React stack, the forms, Electron and tsx are not.
  it('brings no renderer libraries and no TypeScript loader', () => {
    for (const dep of ['tsx', 'react', 'react-dom', '@xyflow/react', '@rjsf/core', 'electron']) {
      expect(existsSync(join(consumer, 'node_modules', dep)), dep).toBe(false);
    }
  });

  it('imports from an ES module with plain node', () => {
    writeFileSync(
      join(consumer, 'esm.mjs'),
      `import { createEngine, defineWorkflow, PermanentError, openStorage } from '${own.name}';
import { runStep, createFlowTestEnv } from '${own.name}/testing';
const storage = await openStorage({ kind: 'memory' });
console.log(typeof createEngine, typeof defineWorkflow, new PermanentError('x').code, typeof runStep, typeof createFlowTestEnv, typeof storage.commit);`,
    );
    expect(ok(run(process.execPath, ['esm.mjs'], consumer), 'esm.mjs').trim()).toBe('function function PERMANENT function function function');
  });

  it('requires from CommonJS with plain node (require of ESM)', () => {
    writeFileSync(
      join(consumer, 'cjs.cjs'),
      `const { createEngine, PermanentError } = require('${own.name}');
const { runStep } = require('${own.name}/testing');
console.log(typeof createEngine, new PermanentError('x') instanceof Error, typeof runStep, require('${own.name}/package.json').version);`,
    );
    expect(ok(run(process.execPath, ['cjs.cjs'], consumer), 'cjs.cjs').trim()).toBe(`function true function ${own.version}`);
  });

  it('answers stepwise --version with the package version', () => {
    expect(ok(run(join(consumer, 'node_modules', '.bin', 'stepwise'), ['--version'], consumer), 'stepwise --version').trim()).toBe(own.version);
  });

  it('stepwise init makes a workspace elsewhere whose own npm test passes and which type-checks strictly', () => {
    const out = ok(run(join(consumer, 'node_modules', '.bin', 'stepwise'), ['init', workspace, '--from', tarball], scratch), 'stepwise init');
    expect(out).toContain('installing dependencies');
    const pkg = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies[own.name]).toBe(`file:${tarball}`);
    const test = run('npm', ['test'], workspace);
    ok(test, 'npm test in the new workspace');
    expect(test.stdout).toMatch(/Test Files\s+1 passed/);
    // The package's .d.ts hold under options stricter than its own (skipLibCheck does not hide .ts sources).
    ok(run(join(workspace, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', '.', '--exactOptionalPropertyTypes'], workspace), 'tsc --exactOptionalPropertyTypes');
  }, 900_000);

  it('runs the README\'s "Using it from code" as written, in a plain .mjs file', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using it from code'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    writeFileSync(join(workspace, 'run.mjs'), code!);
    expect(ok(run(process.execPath, ['run.mjs'], workspace), 'README example').trim()).toBe("complete { shouted: 'HELLO, ADA!' }");
  });

  it('stepwise serve answers with the built workbench', async () => {
    const child = spawn(join(consumer, 'node_modules', '.bin', 'stepwise'), ['serve', '--workspace', workspace, '--port', '0'], { cwd: workspace, env: userEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
    try {
      const info = await new Promise<NonNullable<ReturnType<typeof parseReadyLine>>>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (l) => {
          log.push(l);
          const ready = parseReadyLine(l);
          if (ready) resolve(ready);
        });
        child.once('exit', (code) => reject(new Error(`stepwise serve exited with ${code}:\n${log.join('\n')}`)));
      });
      expect(log.join('\n')).not.toContain('not built');
      const page = await fetch(`${info.url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const asset = await fetch(new URL(script!, info.url));
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
