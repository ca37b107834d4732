/**
 * Problems in TypeScript templates carry `FILE:LINE:COL` like YAML ones: the call sites of
 * defineWorkflow/defineFlow and of the flow builders, recorded when jiti runs the module, placed in
 * the file's text by the loader. Expected positions are computed from the fixture text.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../core/cli/io.js';
import { main } from '../../core/cli/main.js';
import type { Problem } from '../../core/model/problem.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { sitesOf } from '../../core/template/definitionSites.js';
import { result } from '../../core/template/flowBuilders.js';
import { placeTsTemplate, SourceText } from '../../core/template/placeTs.js';
import { validateTemplate } from '../../core/template/validate.js';
import { loadWorkspace } from '../../core/template/workspace.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const rel = 'test/fixtures/templates/workspaces/ts_positions';
const root = join(repo, rel);

/** 1-based line and column of the `nth` occurrence of `needle` in `file` (relative to the workspace). */
function position(file: string, needle: string, nth = 0): { line: number; col: number } {
  const text = readFileSync(join(root, file), 'utf8');
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} (#${nth}) not in ${file}`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

const placed = (problems: Problem[], file: string, code: string) =>
  problems.filter((p) => p.file === join(root, file) && p.code === code).map((p) => ({ line: p.line, col: p.col }));

describe('loadWorkspace places TypeScript template problems in their file', async () => {
  const ws = await loadWorkspace(root);

  it('a dependency on a missing step points at the misspelt name', () => {
    expect(placed(ws.problems, 'templates/missing_dependency.ts', 'UNKNOWN_DEPENDENCY')).toEqual([position('templates/missing_dependency.ts', "'transfrom'")]);
  });

  it('a duplicate step points at the second name and says where the first is', () => {
    const file = 'templates/duplicate_step.ts';
    expect(placed(ws.problems, file, 'DUPLICATE_NAME')).toEqual([position(file, "'charge'", 1)]);
    const problem = ws.problems.find((p) => p.file === join(root, file) && p.code === 'DUPLICATE_NAME')!;
    expect(problem.message).toContain(`(first at line ${position(file, "'charge'").line})`);
  });

  it('a state written twice in `states` (JavaScript keeps the last) is a duplicate at the second key', () => {
    const file = 'flows/duplicate_state.ts';
    expect(placed(ws.problems, file, 'DUPLICATE_NAME')).toEqual([position(file, 'notify:', 1)]);
    const problem = ws.problems.find((p) => p.file === join(root, file) && p.code === 'DUPLICATE_NAME')!;
    expect(problem).toMatchObject({ template: 'default/ts_duplicate_state@0.0.0', node: 'notify' });
    expect(problem.message).toContain(`(first at line ${position(file, 'notify:').line})`);
  });

  it('a wrong goTo target, decision branch and interaction state point at the value', () => {
    const file = 'flows/wrong_targets.ts';
    expect(placed(ws.problems, file, 'UNDECLARED_TARGET')).toEqual([position(file, "'chek'"), position(file, "'rejectd'")]);
    expect(placed(ws.problems, file, 'UNKNOWN_INTERACTION_STATE')).toEqual([position(file, "'reveiw'")]);
  });

  it('a state-level problem points at the state', () => {
    const file = 'flows/wrong_targets.ts';
    const unreachable = ws.problems.filter((p) => p.code === 'UNREACHABLE_STATE' && p.node === 'check');
    expect(unreachable.map((p) => ({ line: p.line, col: p.col }))).toEqual([position(file, 'check:')]);
  });

  it('templates carry the defineX call and each state its builder call', () => {
    const flow = ws.templates.find((t) => t.name === 'ts_wrong_targets')!;
    expect(flow.loc).toEqual({ file: join(root, 'flows/wrong_targets.ts'), ...position('flows/wrong_targets.ts', 'defineFlow({') });
    expect(flow.kind === 'flow' && flow.states.map((s) => s.loc!.line)).toEqual(
      ['action(', 'decision(', 'waitUntil(', 'result('].map((call) => position('flows/wrong_targets.ts', call).line),
    );
    const workflow = ws.templates.find((t) => t.name === 'ts_duplicate_step')!;
    expect(workflow.loc).toEqual({ file: join(root, 'templates/duplicate_step.ts'), ...position('templates/duplicate_step.ts', 'defineWorkflow(') });
  });
});

describe('a definition refused by defineFlow', () => {
  it('points at the defineFlow call, not at line 1', async () => {
    const broken = join(repo, 'test/fixtures/templates/workspaces/broken');
    const ws = await loadWorkspace(broken);
    const text = readFileSync(join(broken, 'templates/bad_definition.ts'), 'utf8');
    const before = text.slice(0, text.indexOf('defineFlow({')).split('\n');
    const problem = ws.problems.find((p) => p.code === 'BAD_DURATION')!;
    expect({ line: problem.line, col: problem.col }).toEqual({ line: before.length, col: before.at(-1)!.length + 1 });
  });
});

describe('definitions refused by defineWorkflow/defineFlow point at the node', async () => {
  const ws = await loadWorkspace(root);

  it('a workflow step at its name', () => {
    expect(placed(ws.problems, 'templates/refused_step.ts', 'BAD_DURATION')).toEqual([position('templates/refused_step.ts', "'settle'")]);
    expect(ws.problems.find((p) => p.code === 'BAD_DURATION')).toMatchObject({ node: 'settle' });
  });

  it('a flow state at its builder call', () => {
    expect(placed(ws.problems, 'flows/refused_state.ts', 'WRONG_TYPE')).toEqual([position('flows/refused_state.ts', 'action(42')]);
  });
});

describe('call sites and fallbacks', () => {
  it('defineFlow records the line of its caller', () => {
    const flow = defineFlow({ name: 'here', startsWith: 'done', states: { done: result() } }); // <- this line
    const me = fileURLToPath(import.meta.url);
    const line = readFileSync(me, 'utf8').split('\n').findIndex((l) => l.includes('// <- this line')) + 1;
    expect(sitesOf(flow)!.template).toMatchObject({ file: me, line });
    expect(sitesOf(flow)!.nodes[0]).toMatchObject({ file: me, line });
  });

  it('without recorded sites a problem falls back to the file', () => {
    const flow = { ...defineFlow({ name: 'nowhere', startsWith: 'done', states: { done: result() } }), startsWith: 'gone' };
    const file = '/tmp/stepwise-no-such-template.ts';
    const where = placeTsTemplate(flow, new SourceText(file, ''));
    expect(where.loc).toBeUndefined();
    const problems = validateTemplate({ ...where, source: { kind: 'ts', file } });
    const problem = problems.find((p) => p.code === 'UNDECLARED_TARGET')!;
    expect([problem.file, problem.line]).toEqual([file, undefined]);
  });
});

describe('stepwise validate on TypeScript templates', () => {
  async function run(...argv: string[]) {
    const out: string[] = [];
    const io: CliIO = { out: (t) => void out.push(t), err: () => undefined, isTTY: false };
    const previous = process.cwd();
    process.chdir(repo);
    try {
      return { code: await main(['validate', ...argv], io), out: out.join('\n') };
    } finally {
      process.chdir(previous);
    }
  }
  const line = (file: string, needle: string, code: string, nth = 0) => {
    const p = position(file, needle, nth);
    return `${rel}/${file}:${p.line}:${p.col}: ${code} `;
  };

  it('prints FILE:LINE:COL for a workspace', async () => {
    const r = await run(rel);
    expect(r.code).toBe(1);
    expect(r.out).toContain(line('templates/missing_dependency.ts', "'transfrom'", 'UNKNOWN_DEPENDENCY'));
    expect(r.out).toContain(line('templates/duplicate_step.ts', "'charge'", 'DUPLICATE_NAME', 1));
    expect(r.out).toContain(line('flows/wrong_targets.ts', "'chek'", 'UNDECLARED_TARGET'));
    expect(r.out).toContain(line('flows/duplicate_state.ts', 'notify:', 'DUPLICATE_NAME', 1));
  });

  it('prints FILE:LINE:COL for a single TypeScript file', async () => {
    const r = await run(`${rel}/flows/wrong_targets.ts`);
    expect(r.code).toBe(1);
    expect(r.out).toContain(line('flows/wrong_targets.ts', "'rejectd'", 'UNDECLARED_TARGET'));
    expect(r.out).toContain(line('flows/wrong_targets.ts', "'reveiw'", 'UNKNOWN_INTERACTION_STATE'));
  });

  it('as a process (bin/stepwise.mjs, under tsx) the positions are the same', async () => {
    const failed = await promisify(execFile)(process.execPath, ['bin/stepwise.mjs', 'validate', `${rel}/templates/missing_dependency.ts`], { cwd: repo }).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect('code' in failed && failed.code).toBe(1);
    expect(failed.stdout).toContain(line('templates/missing_dependency.ts', "'transfrom'", 'UNKNOWN_DEPENDENCY'));
  });
});
