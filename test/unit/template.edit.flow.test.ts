import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addState,
  connect,
  disconnect,
  removeState,
  renameState,
  setStateProperty,
  TemplateEditError,
  type EditResult,
} from '../../core/template/edit/index.js';
import { readTemplateText } from '../../core/template/loadTemplate.js';
import type { FlowTemplate } from '../../core/model/template.js';

const FIXTURE = readFileSync(new URL('../fixtures/templates/edit/commented_flow.yaml', import.meta.url), 'utf8');
const comments = (text: string) => text.match(/#.*$/gm) ?? [];
const model = (r: EditResult) => readTemplateText(r.text, 'template.yaml').template as FlowTemplate;
const state = (r: EditResult, name: string) => model(r).states.find((s) => s.name === name);
const codes = (r: EditResult) => r.problems.map((p) => p.code);

describe('flow edits keep the file as written', () => {
  it('addState after a one-line state writes one aligned line', () => {
    const r = addState(FIXTURE, { name: 'notify', type: 'action', handler: 'notify', goTo: 'closed' }, { after: 'escalate' });
    expect(r.text).toBe(FIXTURE.replace('# pages someone\n', '# pages someone\n  notify:     { type: action, handler: notify, go_to: closed }\n'));
    expect(codes(r)).toEqual(['UNREACHABLE_STATE']);
    expect(comments(r.text)).toEqual(comments(FIXTURE));
  });

  it('addState after a block state writes a block', () => {
    const r = addState(FIXTURE, { name: 'archive', type: 'result', description: 'Kept for audits.' }, { after: 'work' });
    expect(r.text).toBe(FIXTURE.replace('    go_to: closed\n', '    go_to: closed\n  archive:\n    type: result\n    description: Kept for audits.\n'));
    expect(state(r, 'archive')).toMatchObject({ type: 'result', description: 'Kept for audits.' });
  });

  it('removeState drops it from target lists that keep another entry and leaves single references as problems', () => {
    const r = removeState(FIXTURE, 'work');
    expect(r.changed).toEqual(['escalate']);
    expect(r.text).toContain('go_to: [closed] }   # pages someone');
    expect(r.text).not.toMatch(/^ {2}work:/m);
    // The wait's condition still names it: the user decides what it should go to.
    expect(r.problems.map((p) => [p.code, p.node])).toEqual([['UNDECLARED_TARGET', 'queue']]);
    expect(comments(r.text)).toEqual(comments(FIXTURE).filter((c) => c !== '# the real work'));
  });

  it('removeState edits interactions’ when lists but never empties one (empty means every state)', () => {
    const r = removeState(FIXTURE, 'queue');
    expect(r.changed).toEqual(['pick']);
    expect(r.text).toContain('when: [escalate]   # humans pick tickets');
    const solo = FIXTURE.replace('when: [queue, escalate]', 'when: [queue]');
    expect(removeState(solo, 'queue').text).toContain('when: [queue]');
  });

  it('renameState renames every reference and keeps the column of aligned states', () => {
    const r = renameState(FIXTURE, 'escalate', 'page');
    expect(r.changed).toEqual(['classify', 'queue', 'pick']);
    expect(r.text).toBe(
      FIXTURE.replace('if_true: escalate', 'if_true: page')
        .replace('go_to: escalate }', 'go_to: page }')
        .replace('  escalate:   {', '  page:       {')
        .replace('when: [queue, escalate]', 'when: [queue, page]'),
    );
    expect(r.problems).toEqual([]);
    const closed = renameState(FIXTURE, 'closed', 'done');
    expect(model(closed)).toMatchObject({ onTimeout: 'done' });
    expect(closed.problems).toEqual([]);
  });

  it('connect adds a go_to target (a single go_to becomes a list); disconnect restores the text', () => {
    const r = connect(FIXTURE, 'work', 'escalate');
    expect(r.text).toBe(FIXTURE.replace('    go_to: closed\n', '    go_to: [closed, escalate]\n'));
    expect(state(r, 'work')).toMatchObject({ goTo: ['closed', 'escalate'] });
    expect(disconnect(r.text, 'work', 'escalate').text).toBe(FIXTURE.replace('    go_to: closed\n', '    go_to: [closed]\n'));
  });

  it('disconnect removes a decision branch or a condition entry', () => {
    const branch = disconnect(FIXTURE, 'classify', 'queue');
    expect(branch.text).toContain('{ type: decision, condition: is_urgent, if_true: escalate }');
    expect(codes(branch)).toContain('UNREACHABLE_STATE');
    const entry = disconnect(FIXTURE, 'queue', 'escalate');
    expect(entry.text).toContain('conditions: [ { condition: picked_up, go_to: work } ] }');
  });

  it('setStateProperty edits in place; a bare `done:` result state keeps being a result', () => {
    const h = setStateProperty(FIXTURE, 'work', 'handler', 'fix');
    expect(h.text).toBe(FIXTURE.replace('handler: resolve   #', 'handler: fix   #'));
    const d = setStateProperty(FIXTURE, 'closed', 'description', 'Done.');
    expect(d.text).toContain('  closed: { type: result, description: Done. }     # terminal\n');
    expect(d.problems).toEqual([]);
    expect(state(d, 'closed')).toMatchObject({ type: 'result', description: 'Done.' });
  });

  it('refuses what it cannot do, with typed errors', () => {
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err as TemplateEditError;
      }
      throw new Error('expected a refusal');
    };
    expect(refused(() => connect(FIXTURE, 'classify', 'work'))).toMatchObject({ reason: 'UNSUPPORTED_PROPERTY' });
    expect(refused(() => connect(FIXTURE, 'escalate', 'work'))).toMatchObject({ reason: 'EDGE_EXISTS' });
    expect(refused(() => disconnect(FIXTURE, 'work', 'queue'))).toMatchObject({ reason: 'UNKNOWN_EDGE' });
    expect(refused(() => addState(FIXTURE, { name: 'work', type: 'result' }))).toMatchObject({ reason: 'DUPLICATE_NAME' });
    expect(refused(() => renameState(FIXTURE, 'nope', 'x'))).toMatchObject({ reason: 'UNKNOWN_NODE' });
    expect(refused(() => setStateProperty(FIXTURE, 'work', 'name', 'x'))).toMatchObject({ reason: 'UNSUPPORTED_PROPERTY' });
    expect(refused(() => addState('name: w\nsteps: []\n', { name: 'x', type: 'result' }))).toMatchObject({ reason: 'WRONG_KIND' });
  });
});
