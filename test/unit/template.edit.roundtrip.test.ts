/**
 * Every example template and tasker-core fixture survives the editor: saved without an edit it
 * is byte-identical, and each edit followed by its inverse gives back the very same bytes.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addState,
  addStep,
  connect,
  disconnect,
  readTemplateForEdit,
  removeState,
  removeStep,
  renameState,
  renameStep,
  saveTemplate,
} from '../../core/template/edit/index.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import type { Template } from '../../core/model/template.js';

const root = new URL('../../', import.meta.url).pathname;
const yamlUnder = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
const FILES = [
  ...yamlUnder('resources/examples/templates'),
  ...yamlUnder('test/fixtures/templates/tasker'),
  ...yamlUnder('test/fixtures/templates/twins'),
  ...yamlUnder('test/fixtures/templates/edit'),
  ...yamlUnder('test/fixtures/flows'),
];

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const read = (text: string) => readTemplateText(text, 'template.yaml').template as Template;
const names = (t: Template) => (t.kind === 'workflow' ? t.steps.map((s) => s.name) : t.states.map((s) => s.name));

describe.each(FILES)('%s', (file) => {
  const text = readFileSync(join(root, file), 'utf8');
  const template = read(text);

  it('saves byte-identical when nothing was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-edit-'));
    temps.push(dir);
    const copy = join(dir, 'template.yaml');
    cpSync(join(root, file), copy);
    const snap = await readTemplateForEdit(copy);
    await saveTemplate(copy, snap.text, { expectedHash: snap.hash });
    expect(readFileSync(copy, 'utf8')).toBe(text);
  });

  it('rename and rename back restores every byte, for every step or state', () => {
    for (const name of names(template)) {
      const rename = template.kind === 'workflow' ? renameStep : renameState;
      const there = rename(text, name, `${name}_renamed`);
      expect(names(read(there.text))).toContain(`${name}_renamed`);
      expect(rename(there.text, `${name}_renamed`, name).text).toBe(text);
    }
  });

  it('add then remove restores every byte, after every step or state', () => {
    for (const after of names(template)) {
      const added =
        template.kind === 'workflow'
          ? addStep(text, { name: 'zz_added', handler: 'zz_added', dependsOn: [after] }, { after })
          : addState(text, { name: 'zz_added', type: 'result' }, { after });
      const order = names(read(added.text));
      expect(order[order.indexOf(after) + 1]).toBe('zz_added');
      const removed = template.kind === 'workflow' ? removeStep(added.text, 'zz_added') : removeState(added.text, 'zz_added');
      expect(removed.text).toBe(text);
    }
  });

  it('connect then disconnect restores the bytes (a lone `go_to: x` comes back as `[x]`)', () => {
    const all = names(template);
    // Workflows: `to` depends on `from`. Flows: the action `from` goes to `to`.
    const targets = (t: Template, from: string, to: string): string[] => {
      if (t.kind === 'workflow') return t.steps.find((s) => s.name === to)!.dependsOn;
      const s = t.states.find((x) => x.name === from)!;
      return s.type === 'action' ? s.goTo : [];
    };
    let tried = 0;
    for (const from of all) {
      if (template.kind === 'flow' && template.states.find((s) => s.name === from)!.type !== 'action') continue;
      for (const to of all) {
        const member = template.kind === 'workflow' ? from : to;
        if (from === to || targets(template, from, to).includes(member)) continue;
        tried++;
        const linked = connect(text, from, to);
        expect(targets(read(linked.text), from, to)).toContain(member);
        const back = disconnect(linked.text, from, to).text;
        expect(targets(read(back), from, to)).toEqual(targets(template, from, to));
        if (back !== text) expect(loneNameBecameList(text, back)).toBe(true);
      }
    }
    if (template.kind === 'workflow') expect(tried).toBeGreaterThan(0);
  });
});

/** The only difference is one `key: name` written back as `key: [name]` (or `[ name ]`). */
function loneNameBecameList(before: string, after: string): boolean {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) return false;
  const diff = a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]!] as const]));
  // The list takes the file's bracket padding: `[x]` or `[ x ]`.
  return diff.length === 1 && diff[0]![1].replace(/\[ (\S+) \]/, '[$1]') === diff[0]![0].replace(/(go_to|depends_on|dependencies): ([^\s[\]{},#]+)/, '$1: [$2]');
}
