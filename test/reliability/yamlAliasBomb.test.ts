/**
 * Attack (issue 12): a YAML alias bomb. Nested aliases in a few hundred bytes expanded to millions
 * of values (434 bytes: 14 s and 1 GB in `stepwise validate`, and in every command that loads the
 * workspace). Reading is now on a budget (file bytes, expanded values, expanded text): over it,
 * the file is refused with YAML_TOO_LARGE at the alias that blew it, in the reader, the workspace
 * loader, `stepwise validate` and the editor's check alike.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import { addStep, templateProblems } from '../../core/template/edit/index.js';
import { TemplateEditError } from '../../core/template/edit/errors.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { parseYamlTree } from '../../core/template/yamlTree.js';
import { scaled } from './scale.js';

/** Nine copies per level: `levels` levels expand to 9^(levels+1) scalars. */
function bomb(levels: number): string {
  const lines = ['name: bomb', 'namespace: x', 'version: 1.0.0', 'x0: &a0 [l, l, l, l, l, l, l, l, l]'];
  for (let i = 1; i <= levels; i++) lines.push(`x${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  lines.push('steps:', '  - { name: s, handler: s }', '');
  return lines.join('\n');
}

// Full scale: the 434-byte file of the report (9^7 ≈ 4.8 million values). Small: 9^6.
const LEVELS = scaled(6, 5);

describe('a YAML alias bomb is refused on a budget', () => {
  const text = bomb(LEVELS);

  it('the reader refuses it with YAML_TOO_LARGE at an alias, naming it', () => {
    expect(text.length).toBeLessThan(450);
    const r = readTemplateText(text, 'bomb.yaml');
    expect(r.template).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0]!;
    expect(p.code).toBe('YAML_TOO_LARGE');
    expect(p.file).toBe('bomb.yaml');
    expect(p.line).toBeGreaterThanOrEqual(5);
    expect(p.message).toMatch(/more than [\d,]+ YAML values once its aliases are expanded \(`\*a\d`/);
  });

  it('a template that uses a few aliases still reads', () => {
    const ok = 'name: w\nx: &r { retryable: true, max_attempts: 3 }\nsteps:\n  - { name: a, handler: a, retry: *r }\n  - { name: b, handler: b, retry: *r, depends_on: [a] }\n';
    const r = readTemplateText(ok, 'ok.yaml');
    expect(r.template?.kind).toBe('workflow');
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('the byte, value and text budgets each hold', () => {
    const big = `name: w\nsteps: []\nd: "${'x'.repeat(3000)}"\n`;
    expect(parseYamlTree(big, 'f.yaml', { maxBytes: 1000, maxNodes: 1e6, maxScalarChars: 1e9 }).problems[0]).toMatchObject({ code: 'YAML_TOO_LARGE', line: 1 });
    expect(parseYamlTree(big, 'f.yaml', { maxBytes: 1e9, maxNodes: 3, maxScalarChars: 1e9 }).problems[0]?.code).toBe('YAML_TOO_LARGE');
    const repeated = 'a: &s "' + 'y'.repeat(1000) + '"\nb: [*s, *s, *s, *s, *s]\n';
    const p = parseYamlTree(repeated, 'f.yaml', { maxBytes: 1e9, maxNodes: 1e6, maxScalarChars: 4000 }).problems[0];
    expect(p).toMatchObject({ code: 'YAML_TOO_LARGE', line: 2 });
    expect(p?.message).toContain('characters of text');
  });

  it('the workspace loader and `stepwise validate` report it as a template problem', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-bomb-'));
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'templates', 'bomb.yaml'), text);
    const ws = await loadWorkspace(root);
    expect(ws.problems.map((q) => q.code)).toContain('YAML_TOO_LARGE');
    const out: string[] = [];
    const code = await main(['validate', join(root, 'templates', 'bomb.yaml')], { out: (t) => void out.push(t), err: (t) => void out.push(t), isTTY: false });
    expect(code).toBe(1);
    expect(out.join('\n')).toMatch(/bomb\.yaml:\d+:\d+: YAML_TOO_LARGE /);
  });

  it("the editor's check and its edits go through the same budget", () => {
    expect(templateProblems(text).map((q) => q.code)).toEqual(['YAML_TOO_LARGE']);
    expect(addStep(text, { name: 't', handler: 't' }).problems.map((q) => q.code)).toEqual(['YAML_TOO_LARGE']);
    const huge = `name: w\nsteps: []\nd: "${'x'.repeat(5 * 1024 * 1024)}"\n`;
    expect(() => addStep(huge, { name: 't', handler: 't' })).toThrow(TemplateEditError);
  });
});
