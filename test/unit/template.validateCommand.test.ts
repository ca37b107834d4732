import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../core/cli/io.js';
import { main } from '../../core/cli/main.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const invalid = 'test/fixtures/templates/invalid';
const workspaces = 'test/fixtures/templates/workspaces';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false };
  const previous = process.cwd();
  process.chdir(repo);
  try {
    const code = await main(['validate', ...argv], io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.chdir(previous);
  }
}

describe('stepwise validate', () => {
  it('exits 0 on the bundled examples', async () => {
    const r = await run('resources/examples');
    expect(r.code).toBe(0);
    expect(r.out).toBe('ok: 7 templates valid');
  });

  it('exits 1 and prints FILE:LINE:COL: CODE message with a hint, paths relative to the cwd', async () => {
    const r = await run(`${invalid}/cycle.yaml`, `${invalid}/unknown_dependency.yaml`);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`${invalid}/cycle.yaml:3:41: CYCLE dependency cycle: a → b → c → a`);
    expect(lines[1]).toMatch(/^ {4}hint: /);
    expect(lines).toContain(`${invalid}/unknown_dependency.yaml:6:25: UNKNOWN_DEPENDENCY step \`store\` depends on \`transfrom\`, which is not a step of this workflow`);
    expect(lines.at(-1)).toBe('2 errors, 0 warnings in 2 templates');
  });

  it('allows warnings', async () => {
    const r = await run(`${invalid}/unknown_field.yaml`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('UNKNOWN_FIELD');
    expect(r.out).toContain('ok: 1 template valid (1 warning)');
  });

  it('a YAML syntax error is reported, not thrown', async () => {
    const r = await run(`${invalid}/yaml_syntax.yaml`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/yaml_syntax\.yaml:6:3: YAML_SYNTAX /);
    expect(r.err).toBe('');
  });

  it('checks handler names against --workspace', async () => {
    const without = await run(`${workspaces}/broken/templates/greeting.yaml`);
    expect(without.code).toBe(0);
    const within = await run(`${workspaces}/broken/templates/greeting.yaml`, '--workspace', `${workspaces}/broken`);
    expect(within.code).toBe(1);
    expect(within.out).toContain(`${workspaces}/broken/templates/greeting.yaml:6:28: UNKNOWN_HANDLER`);
    // The handler module that failed to load is shown too: it explains the unknown handler.
    expect(within.out).toContain(`${workspaces}/broken/handlers/broken.ts:4:7: MODULE_LOAD_FAILED`);
  });

  it('validates the workspace of --workspace when no path is given', async () => {
    const r = await run('--workspace', `${workspaces}/broken`);
    expect(r.code).toBe(1);
    for (const code of ['WRONG_TYPE', 'MODULE_LOAD_FAILED', 'YAML_SYNTAX', 'BAD_DURATION', 'DUPLICATE_TEMPLATE', 'UNKNOWN_HANDLER']) expect(r.out).toContain(code);
  });

  it('checks a TypeScript template file', async () => {
    const r = await run('resources/examples/flows/document_approval.ts');
    expect(r.code).toBe(0);
    expect(r.out).toBe('ok: 1 template valid');
  });

  it('a missing path is an error', async () => {
    const r = await run('no/such/file.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toContain('no/such/file.yaml:1:1: MODULE_LOAD_FAILED no such file or folder');
  });

  it('--json prints { valid, templates, problems }', async () => {
    const r = await run(`${invalid}/self_dependency.yaml`, '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.valid).toBe(false);
    expect(json.templates).toEqual([{ ref: 'tests/self_dependency@1.0.0', kind: 'workflow', file: `${invalid}/self_dependency.yaml` }]);
    expect(json.problems).toEqual([expect.objectContaining({ code: 'SELF_DEPENDENCY', file: `${invalid}/self_dependency.yaml`, line: 5, col: 18 })]);
  });

  it('runs as a process: node bin/stepwise.mjs validate resources/examples exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/stepwise.mjs', 'validate', 'resources/examples'], { cwd: repo });
    expect(stdout.trim()).toBe('ok: 7 templates valid');
  });

  it('as a process, exits 1 on problems', async () => {
    const failed = await promisify(execFile)(process.execPath, ['bin/stepwise.mjs', 'validate', `${invalid}/cycle.yaml`], { cwd: repo }).catch((e: { code: number; stdout: string }) => e);
    expect('code' in failed && failed.code).toBe(1);
    expect(failed.stdout).toContain('CYCLE');
  });
});
