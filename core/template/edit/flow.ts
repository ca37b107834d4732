/**
 * Edits of YAML flow templates: add, remove and rename states, connect and disconnect
 * transitions, set state properties. Same contract as the workflow edits (./workflow.ts).
 *
 * References to a removed state are dropped only from lists that keep another entry (an
 * action's `go_to` list, an interaction's `when`); single references (`starts_with`, `if_true`,
 * a lone `go_to`, a condition's `go_to`) stay and show up as UNDECLARED_TARGET problems, because
 * silently dropping them would change what the flow does.
 */
import { isMap, isScalar, isSeq, Scalar, type Node } from 'yaml';
import { TemplateEditError } from './errors.js';
import { TemplateDoc, type StateNode } from './document.js';
import { addName, namesOf, removeName, renameName } from './lists.js';
import { checkName } from './names.js';
import { placeAfter, setField } from './properties.js';
import { renderScalar } from './render.js';
import { finish, pass, type EditOptions, type EditResult } from './result.js';
import { keyOf, pairOf, type Splicer, type YMap, type YSeq } from './splice.js';
import { column, insertLines, lineEnd } from './text.js';

export const STATE_FIELD_ORDER = ['type', 'handler', 'condition', 'if_true', 'if_false', 'go_to', 'conditions', 'description'] as const;
export const STATE_PROPERTIES: readonly string[] = ['type', 'description', 'handler', 'go_to', 'condition', 'if_true', 'if_false', 'conditions'];

export interface NewState {
  name: string;
  type: 'action' | 'decision' | 'wait' | 'result';
  handler?: string;
  goTo?: string | string[];
  condition?: string;
  ifTrue?: string;
  ifFalse?: string;
  conditions?: Array<{ condition?: string; go_to: string; label?: string }>;
  description?: string;
}

function stateFields(state: NewState): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: state.type };
  const put = (key: string, v: unknown) => v !== undefined && (fields[key] = v);
  put('handler', state.handler);
  put('condition', state.condition);
  put('if_true', state.ifTrue);
  put('if_false', state.ifFalse);
  put('go_to', state.goTo);
  put('conditions', state.conditions);
  put('description', state.description);
  return fields;
}

export function addState(text: string, state: NewState, options: EditOptions & { after?: string } = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('flow', 'addState');
  const name = checkName(state.name, 'state');
  if (doc.states().some((s) => s.name === name)) throw new TemplateEditError('DUPLICATE_NAME', `There already is a state \`${name}\`; choose another name.`, { node: name });
  const states = doc.statesMap();
  const fields = stateFields(state);
  const s = doc.splicer();
  const all = doc.states();
  const ref = options.after !== undefined ? doc.state(options.after) : all[all.length - 1];
  if (states.flow || !ref) {
    if (!states.flow && !ref) s.setValue(doc.root, pairOf(doc.root, 'states')!, { [name]: fields });
    else s.insertPair(states, name, fields, ref?.pair);
    return finish(s, options);
  }
  const keyCol = column(text, s.start(states.items[0]!.key));
  const at = lineEnd(text, s.pairEnd(ref.pair));
  if (ref.map && !ref.map.flow) {
    // Block neighbour: write the new state as a block too, indented like it.
    const inner = ' '.repeat(column(text, s.start(ref.map.items[0]!.key)));
    s.edits.push(insertLines(text, at, [`${' '.repeat(keyCol)}${name}:`, ...Object.entries(fields).map(([k, v]) => `${inner}${k}: ${s.render(v, false)}`)]));
  } else {
    // One-line neighbour: align the value with the others when the file aligns its states.
    const target = alignedColumn(s, text, states);
    const pad = target !== undefined ? Math.max(1, target - (keyCol + name.length + 1)) : 1;
    s.edits.push(insertLines(text, at, [`${' '.repeat(keyCol)}${name}:${' '.repeat(pad)}${s.render(fields, false)}`]));
  }
  return finish(s, options);
}

export function removeState(text: string, name: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('flow', 'removeState');
  doc.state(name);
  const listed = (names: string[]) => names.includes(name) && names.some((n) => n !== name);
  const fromStates = doc.states().filter((st) => st.name !== name && st.map && listed(namesOf(pairOf(st.map, 'go_to')))).map((st) => st.name);
  const fromInteractions = doc.interactions().filter((i) => listed(namesOf(pairOf(i.map, 'when')))).map((i) => i.name);
  let out = pass(text, (d, s) => {
    const states = d.statesMap();
    const st = d.state(name);
    if (states.items.length === 1 && !states.flow) s.replace(s.afterColon(pairOf(d.root, 'states')!), s.end(states), ' {}');
    else s.removePair(states, st.pair);
  });
  for (const other of fromStates) out = pass(out, (d, s) => void removeName(s, d.state(other).map!, pairOf(d.state(other).map!, 'go_to')!, name));
  for (const i of fromInteractions) {
    out = pass(out, (d, s) => {
      const map = d.interactions().find((x) => x.name === i)!.map;
      removeName(s, map, pairOf(map, 'when')!, name);
    });
  }
  return finish(out, options, [...fromStates, ...fromInteractions]);
}

/** Renames a state and every reference to it: starts_with, on_timeout, go_to, if_true/if_false, conditions, interactions' when. */
export function renameState(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('flow', 'renameState');
  const state = doc.state(from);
  const name = checkName(to, 'state');
  if (name === from) return finish(doc.splicer(), options);
  if (doc.states().some((x) => x.name === name)) throw new TemplateEditError('DUPLICATE_NAME', `There already is a state \`${name}\`; choose another name.`, { node: name });
  const s = doc.splicer();
  const states = doc.statesMap();
  renameKey(s, text, states, state, name);
  for (const key of ['starts_with', 'on_timeout']) renameName(s, doc.root, pairOf(doc.root, key), from, name);
  const changed: string[] = [];
  for (const st of doc.states()) {
    if (!st.map) continue;
    let hit = false;
    for (const key of ['go_to', 'if_true', 'if_false']) hit = renameName(s, st.map, pairOf(st.map, key), from, name) || hit;
    for (const c of conditionMaps(st.map)) hit = renameName(s, c, pairOf(c, 'go_to'), from, name) || hit;
    if (hit && st.name !== from) changed.push(st.name);
  }
  for (const i of doc.interactions()) if (renameName(s, i.map, pairOf(i.map, 'when'), from, name)) changed.push(i.name);
  return finish(s, options, changed);
}

/**
 * The column the one-line states' values are aligned at (`queue:      { ... }`), when the file
 * aligns them: the most common value column, shared by two states or more, one of them padded.
 */
function alignedColumn(s: Splicer, text: string, states: YMap, except?: string): number | undefined {
  const counts = new Map<number, { n: number; padded: boolean }>();
  for (const pair of states.items) {
    const value = pair.value as Node | null;
    if (keyOf(pair) === except || !value?.range || value.range[0] === value.range[1]) continue;
    const colon = s.afterColon(pair);
    const gap = text.slice(colon, value.range[0]);
    if (!/^ +$/.test(gap)) continue;
    const col = column(text, value.range[0]);
    const c = counts.get(col) ?? { n: 0, padded: false };
    counts.set(col, { n: c.n + 1, padded: c.padded || gap.length > 1 });
  }
  let best: [number, { n: number; padded: boolean }] | undefined;
  for (const entry of counts) if (!best || entry[1].n > best[1].n) best = entry;
  return best && best[1].n >= 2 && best[1].padded ? best[0] : undefined;
}

/** Renames a state's key; a value aligned with the other states' stays in their column. */
function renameKey(s: Splicer, text: string, states: YMap, state: StateNode, name: string): void {
  const key = state.pair.key as Scalar;
  const value = state.pair.value as Node | null;
  const like = key.type === Scalar.QUOTE_DOUBLE || key.type === Scalar.QUOTE_SINGLE ? key.type : undefined;
  const keyStart = s.start(key);
  const valueStart = value?.range && value.range[0] !== value.range[1] ? value.range[0] : undefined;
  const target = states.flow ? undefined : alignedColumn(s, text, states, state.name);
  if (valueStart !== undefined && target !== undefined && /^ +$/.test(text.slice(s.afterColon(state.pair), valueStart))) {
    const rendered = renderScalar(name, 'block', like);
    const pad = Math.max(1, target - column(text, keyStart) - rendered.length - 1);
    s.replace(keyStart, valueStart, `${rendered}:${' '.repeat(pad)}`);
    return;
  }
  s.replaceScalar(key, name, Boolean(states.flow));
}

function conditionMaps(state: YMap): YMap[] {
  const list = pairOf(state, 'conditions')?.value;
  return isSeq(list) ? (list as YSeq).items.filter((i): i is YMap => isMap(i)) : [];
}

function stateType(doc: TemplateDoc, st: StateNode): string {
  if (!st.map) return 'result';
  const type = doc.scalarValue(st.map, 'type');
  if (typeof type === 'string') return type;
  if (pairOf(st.map, 'handler')) return 'action';
  if (pairOf(st.map, 'if_true') || pairOf(st.map, 'if_false')) return 'decision';
  return st.map.items.length === 0 ? 'result' : 'unknown';
}

/** Adds `to` to the `go_to` targets of the action state `from`. */
export function connectStates(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('flow', 'connect');
  const source = doc.state(from);
  doc.state(to);
  const type = stateType(doc, source);
  if (type !== 'action' || !source.map) {
    throw new TemplateEditError('UNSUPPORTED_PROPERTY', `connect adds a go_to target to an action state; \`${from}\` is a ${type} state. Set a decision's or wait's branches with setStateProperty (if_true, if_false, go_to, conditions).`, { from, to, type });
  }
  if (namesOf(pairOf(source.map, 'go_to')).includes(to)) throw new TemplateEditError('EDGE_EXISTS', `\`${from}\` already goes to \`${to}\`.`, { from, to });
  const s = doc.splicer();
  addName(s, source.map, 'go_to', to, placeAfter(source.map, 'go_to', STATE_FIELD_ORDER), 'single');
  return finish(s, options);
}

/** Removes every transition from `from` to `to`: a go_to target, an if_true/if_false, or conditions entries. */
export function disconnectStates(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('flow', 'disconnect');
  doc.state(from);
  doc.state(to);
  // One pass per reference: several may sit next to each other (if_true and if_false both `to`).
  const removeOne = (d: TemplateDoc, s: Splicer): void => {
    const map = d.state(from).map;
    if (!map) return;
    for (const key of ['go_to', 'if_true', 'if_false']) {
      const pair = pairOf(map, key);
      if (pair && namesOf(pair).includes(to)) {
        if (isScalar(pair.value)) s.removePair(map, pair);
        else removeName(s, map, pair, to);
        return;
      }
    }
    const list = pairOf(map, 'conditions');
    const items = isSeq(list?.value) ? (list!.value as YSeq).items : [];
    const i = items.findIndex((c) => isMap(c) && d.scalarValue(c as YMap, 'go_to') === to);
    if (i < 0) return;
    if (items.length === 1) s.removePair(map, list!);
    else s.removeItem(list!.value as YSeq, i);
  };
  let out = text;
  for (;;) {
    const next = pass(out, removeOne);
    if (next === out) break;
    out = next;
  }
  if (out === text) throw new TemplateEditError('UNKNOWN_EDGE', `\`${from}\` has no transition to \`${to}\`.`, { from, to });
  return finish(out, options);
}

/** Sets one field of a state (`undefined` removes it): STATE_PROPERTIES. Names have renameState. */
export function setStateProperty(text: string, name: string, path: string, value: unknown, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('flow', 'setStateProperty');
  if (!STATE_PROPERTIES.includes(path)) {
    throw new TemplateEditError('UNSUPPORTED_PROPERTY', `setStateProperty cannot set \`${path}\`.${path === 'name' ? ' Use renameState.' : ''} Properties: ${STATE_PROPERTIES.join(', ')}.`, { path });
  }
  const state = doc.state(name);
  const s = doc.splicer();
  if (state.map) setField(s, state.map, path, value, STATE_FIELD_ORDER);
  // `done:` with nothing after it is a result state: keep saying so once it has fields.
  else if (value !== undefined) s.setValue(doc.statesMap(), state.pair, path === 'type' ? { type: value } : { type: 'result', [path]: value });
  return finish(s, options);
}
