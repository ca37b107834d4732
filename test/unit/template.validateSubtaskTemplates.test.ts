import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import { validateSubtaskTemplates } from '../../core/template/validateWorkspace.js';
import { loadWorkspace } from '../../core/template/workspace.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PARENT = `name: parent
namespace: shop
version: 1.0.0
steps:
  - name: bill
    subtask:
      template: billing/invoce_sync
  - name: ok
    subtask: { template: billing/invoice_sync }
    depends_on: [bill]
`;
const CHILD = `name: invoice_sync
namespace: billing
version: 2.0.0
steps:
  - { name: push, handler: push }
`;

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-subtask-'));
  temps.push(dir);
  mkdirSync(join(dir, 'templates'));
  mkdirSync(join(dir, 'handlers'));
  writeFileSync(join(dir, 'handlers', 'all.ts'), 'export const push = () => 1;\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'templates', name), text);
  return dir;
}

describe('UNKNOWN_TEMPLATE: a subtask naming a template the workspace lacks', () => {
  it('is a workspace problem at the position of the `template:` value, with a did-you-mean', async () => {
    const dir = workspace({ 'parent.yaml': PARENT, 'child.yaml': CHILD });
    const ws = await loadWorkspace(dir);
    const found = ws.problems.filter((p) => p.code === 'UNKNOWN_TEMPLATE');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      severity: 'error',
      file: join(dir, 'templates', 'parent.yaml'),
      line: 7,
      col: 17,
      node: 'bill',
      template: 'shop/parent@1.0.0',
      hint: 'did you mean `billing/invoice_sync`?',
    });
    expect(found[0]!.message).toContain('billing/invoce_sync');
  });

  it('accepts every reference form the engine resolves (namespace/name@version, namespace/name, name)', () => {
    const child = readTemplateText(CHILD, '/w/templates/child.yaml').template!;
    for (const ref of ['billing/invoice_sync@2.0.0', 'billing/invoice_sync', 'invoice_sync']) {
      const parent = readTemplateText(PARENT.replace('billing/invoce_sync', ref), '/w/templates/parent.yaml').template!;
      expect(validateSubtaskTemplates([parent, child], '/w')).toEqual([]);
    }
    const wrongVersion = readTemplateText(PARENT.replace('billing/invoce_sync', 'billing/invoice_sync@9.9.9'), '/w/templates/parent.yaml').template!;
    expect(validateSubtaskTemplates([wrongVersion, child], '/w').map((p) => p.code)).toEqual(['UNKNOWN_TEMPLATE']);
  });

  it('reports an ambiguous bare name as such', () => {
    const child = readTemplateText(CHILD, '/w/a.yaml').template!;
    const other = readTemplateText(CHILD.replace('namespace: billing', 'namespace: ops'), '/w/b.yaml').template!;
    const parent = readTemplateText(PARENT.replace('billing/invoce_sync', 'invoice_sync').replace('billing/invoice_sync', 'ops/invoice_sync'), '/w/p.yaml').template!;
    const problems = validateSubtaskTemplates([parent, child, other], '/w');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('ambiguous');
  });

  it('adds nothing for the example workspace', async () => {
    const ws = await loadWorkspace('resources/examples');
    expect(ws.problems.filter((p) => p.code === 'UNKNOWN_TEMPLATE')).toEqual([]);
  });
});
