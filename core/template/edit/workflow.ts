/**
 * Edits of YAML workflow templates: add, remove and rename steps, connect and disconnect
 * dependencies, set step properties. Each takes the template text and returns the new text with
 * its problems (./result.ts); what the edit does not touch keeps its bytes.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import { parseDuration } from '../duration.js';
import { TemplateEditError } from './errors.js';
import { TemplateDoc, type StepNode } from './document.js';
import { addName, namesOf, removeName, renameName } from './lists.js';
import { checkName, checkString } from './names.js';
import { placeAfter, setField, setSubField } from './properties.js';
import { finish, pass, type EditOptions, type EditResult } from './result.js';
import { pairOf, type Splicer, type YMap, type YSeq } from './splice.js';
import { column, eolOf } from './text.js';

/** The order fields are written in when the editor adds them. */
export const STEP_FIELD_ORDER = ['name', 'description', 'type', 'step_type', 'handler', 'depends_on', 'dependencies', 'retry', 'timeout_seconds', 'timeout', 'concurrency', 'wait', 'subtask'] as const;
const SUB_FIELDS: Record<string, readonly string[]> = {
  handler: ['callable', 'initialization'],
  retry: ['retryable', 'max_attempts', 'backoff', 'backoff_base_ms', 'max_backoff_ms', 'jitter'],
  concurrency: ['key', 'limit'],
  wait: ['duration', 'timeout'],
  subtask: ['template', 'input'],
};

/** Every property path setStepProperty accepts. */
export const STEP_PROPERTIES: readonly string[] = [
  'description',
  'type',
  'handler',
  'timeout_seconds',
  'timeout',
  ...Object.entries(SUB_FIELDS).flatMap(([parent, children]) => [...(parent === 'handler' ? [] : [parent]), ...children.map((c) => `${parent}.${c}`)]),
];

export interface NewStep {
  name: string;
  type?: string;
  /** A handler name; written as `{ callable }` when the file writes handlers that way. */
  handler?: string | { callable: string; initialization?: Record<string, unknown> };
  dependsOn?: string[];
  description?: string;
  /** tasker-core retry fields: retryable, max_attempts, backoff, backoff_base_ms, max_backoff_ms, jitter. */
  retry?: Record<string, unknown>;
  timeoutSeconds?: number;
  concurrency?: { key: string; limit: number };
  wait?: { duration?: string | number; timeout?: string | number };
  subtask?: { template: string; input?: Record<string, unknown> };
}

export function addStep(text: string, step: NewStep, options: EditOptions & { after?: string } = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('workflow', 'addStep');
  const name = checkName(step.name, 'step');
  if (doc.steps().some((s) => s.name === name)) throw new TemplateEditError('DUPLICATE_NAME', `There already is a step \`${name}\`; choose another name.`, { node: name });
  const seq = doc.stepsSeq();
  const after = options.after !== undefined ? doc.step(options.after).index : seq.items.length - 1;
  const fields = stepFields(doc, step);
  const s = doc.splicer();
  const neighbour = seq.items[after] ?? seq.items[seq.items.length - 1];
  if (seq.items.length === 0) {
    // `steps: []`: start a block list under the key.
    const pair = pairOf(doc.root, 'steps')!;
    const indent = ' '.repeat(column(text, s.start(pair.key)) + 2);
    const lines = fields.map(([k, v], i) => `${i === 0 ? `${indent}- ` : `${indent}  `}${k}: ${s.render(v, false)}`);
    const eol = eolOf(text);
    s.replace(s.afterColon(pair), s.end(seq), `${eol}${lines.join(eol)}`);
  } else if (seq.flow || (isMap(neighbour) && neighbour.flow)) {
    s.insertItem(seq, Object.fromEntries(fields), after);
  } else {
    s.insertItem(seq, null, after, fields.map(([k, v]) => `${k}: ${s.render(v, false)}`));
  }
  return finish(s, options);
}

function stepFields(doc: TemplateDoc, step: NewStep): Array<[string, unknown]> {
  const fields: Array<[string, unknown]> = [['name', step.name]];
  if (step.description !== undefined) fields.push(['description', step.description]);
  if (step.type !== undefined) fields.push([doc.typeKey(undefined), checkString(step.type, 'type')]);
  if (step.handler !== undefined) {
    const h = step.handler;
    fields.push(['handler', typeof h === 'string' ? (doc.handlerObjects() ? { callable: checkString(h, 'handler') } : checkString(h, 'handler')) : h]);
  }
  if (step.dependsOn !== undefined && step.dependsOn.length > 0) {
    const key = doc.steps().length > 0 ? doc.depsKey(doc.steps()[0]!) : 'depends_on';
    fields.push([key, step.dependsOn.map((d) => checkName(d, 'step'))]);
  }
  if (step.retry !== undefined) fields.push(['retry', step.retry]);
  if (step.timeoutSeconds !== undefined) fields.push(['timeout_seconds', step.timeoutSeconds]);
  if (step.concurrency !== undefined) fields.push(['concurrency', step.concurrency]);
  if (step.wait !== undefined) fields.push(['wait', step.wait]);
  if (step.subtask !== undefined) fields.push(['subtask', step.subtask]);
  return fields;
}

/** Removes a step and every dependency on it; `changed` names the steps that lost one. */
export function removeStep(text: string, name: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('workflow', 'removeStep');
  doc.step(name);
  const dependents = doc.steps().filter((o) => o.name !== name && namesOf(depsPair(o)).includes(name)).map((o) => o.name);
  let out = pass(text, (d, s) => {
    const seq = d.stepsSeq();
    const step = d.step(name);
    if (seq.items.length === 1) s.replace(s.afterColon(pairOf(d.root, 'steps')!), s.end(seq), ' []');
    else s.removeItem(seq, step.index);
  });
  const keepEmpty = doc.keepsEmptyDependencies();
  for (const dependent of dependents) {
    out = pass(out, (d, s) => {
      const other = d.step(dependent);
      removeName(s, other.map, depsPair(other)!, name, keepEmpty);
    });
  }
  // tasker-core environment overrides of the removed step go too (one per pass: they may be neighbours).
  for (;;) {
    const before = out;
    out = pass(out, (d, s) => {
      let done = false;
      forEachEnvironmentOverride(d, (list, i, item) => {
        if (done || d.scalarValue(item, 'name') !== name) return;
        done = true;
        if (list.items.length === 1) s.replace(s.start(list), s.end(list), '[]');
        else s.removeItem(list, i);
      });
    });
    if (out === before) break;
  }
  return finish(out, options, dependents);
}

function depsPair(step: StepNode) {
  return pairOf(step.map, 'depends_on') ?? pairOf(step.map, 'dependencies');
}

/** Renames a step, and every dependency on it and tasker-core environment override of it. */
export function renameStep(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('workflow', 'renameStep');
  const step = doc.step(from);
  const name = checkName(to, 'step');
  if (name === from) return finish(doc.splicer(), options);
  if (doc.steps().some((x) => x.name === name)) throw new TemplateEditError('DUPLICATE_NAME', `There already is a step \`${name}\`; choose another name.`, { node: name });
  const s = doc.splicer();
  s.replaceScalar(pairOf(step.map, 'name')!.value as never, name, Boolean(step.map.flow));
  const changed: string[] = [];
  for (const other of doc.steps()) {
    const deps = pairOf(other.map, 'depends_on') ?? pairOf(other.map, 'dependencies');
    if (renameName(s, other.map, deps, from, name) && other.index !== step.index) changed.push(other.name);
  }
  forEachEnvironmentOverride(doc, (_list, _i, item) => renameName(s, item, pairOf(item, 'name'), from, name));
  return finish(s, options, changed);
}

/** `to` depends on `from` from now on. A cycle is allowed here and reported as a CYCLE problem. */
export function connectSteps(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('workflow', 'connect');
  doc.step(from);
  const target = doc.step(to);
  const pair = pairOf(target.map, 'depends_on') ?? pairOf(target.map, 'dependencies');
  if (namesOf(pair).includes(from)) throw new TemplateEditError('EDGE_EXISTS', `\`${to}\` already depends on \`${from}\`.`, { from, to });
  const s = doc.splicer();
  const key = doc.depsKey(target);
  addName(s, target.map, key, from, placeAfter(target.map, key, STEP_FIELD_ORDER));
  return finish(s, options);
}

export function disconnectSteps(text: string, from: string, to: string, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('workflow', 'disconnect');
  doc.step(from);
  const target = doc.step(to);
  const pair = pairOf(target.map, 'depends_on') ?? pairOf(target.map, 'dependencies');
  const s = doc.splicer();
  if (!pair || !removeName(s, target.map, pair, from, doc.keepsEmptyDependencies())) throw new TemplateEditError('UNKNOWN_EDGE', `\`${to}\` does not depend on \`${from}\`.`, { from, to });
  return finish(s, options);
}

/**
 * Sets one property of a step (`undefined` removes it). Paths: STEP_PROPERTIES — `handler`,
 * `type`, `description`, `timeout_seconds` / `timeout`, `retry` and `retry.<field>`,
 * `concurrency[.key|.limit]`, `wait[.duration|.timeout]`, `subtask[.template|.input]`,
 * `handler.callable`, `handler.initialization`. Names and dependencies have their own edits.
 */
export function setStepProperty(text: string, name: string, path: string, value: unknown, options: EditOptions = {}): EditResult {
  const doc = new TemplateDoc(text);
  doc.expect('workflow', 'setStepProperty');
  if (!STEP_PROPERTIES.includes(path)) {
    const hint = path === 'name' ? ' Use renameStep.' : path === 'depends_on' || path === 'dependencies' ? ' Use connect / disconnect.' : '';
    throw new TemplateEditError('UNSUPPORTED_PROPERTY', `setStepProperty cannot set \`${path}\`.${hint} Properties: ${STEP_PROPERTIES.join(', ')}.`, { path });
  }
  const step = doc.step(name);
  const [top, sub] = path.split('.') as [string, string | undefined];
  if (top === 'timeout_seconds' || top === 'timeout') return finish(setTimeout(text, name, top, value), options);
  const s = doc.splicer();
  if (top === 'handler' && sub === undefined) setHandler(s, step, value);
  else if (top === 'type') setField(s, step.map, doc.typeKey(step), value === undefined ? undefined : checkString(value, 'type'), STEP_FIELD_ORDER);
  else if (sub === undefined) setField(s, step.map, top, value, STEP_FIELD_ORDER);
  else {
    const promote = top === 'handler' ? (callable: unknown) => ({ callable }) : undefined;
    setSubField(s, step.map, top, sub, value, { parent: STEP_FIELD_ORDER, child: SUB_FIELDS[top]! }, promote);
  }
  return finish(s, options);
}

/** A handler name set on a `{ callable }` handler changes the callable and keeps the rest. */
function setHandler(s: Splicer, step: StepNode, value: unknown): void {
  const current = pairOf(step.map, 'handler')?.value;
  if (typeof value === 'string' && isMap(current)) {
    setField(s, current as YMap, 'callable', checkString(value, 'handler'), SUB_FIELDS.handler!);
    return;
  }
  if (value !== undefined && typeof value !== 'string' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new TemplateEditError('BAD_VALUE', `handler must be a handler name or { callable, initialization }; got ${JSON.stringify(value)}.`);
  }
  setField(s, step.map, 'handler', value, STEP_FIELD_ORDER);
}

/** `timeout_seconds: 30` and `timeout: 30s` are one property: write the spelling the step uses. */
function setTimeout(text: string, name: string, path: 'timeout_seconds' | 'timeout', value: unknown): string {
  if (value === undefined) {
    // Both spellings may be present: remove them in two passes (they may be neighbours).
    let out = text;
    for (const key of ['timeout_seconds', 'timeout']) out = pass(out, (d, s) => setField(s, d.step(name).map, key, undefined, STEP_FIELD_ORDER));
    return out;
  }
  let ms: number;
  if (path === 'timeout_seconds') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TemplateEditError('BAD_VALUE', `timeout_seconds must be a number of seconds ≥ 0; got ${JSON.stringify(value)}.`);
    ms = value * 1000;
  } else {
    const parsed = parseDuration(value);
    if (!parsed.ok) throw new TemplateEditError('BAD_VALUE', `timeout: ${parsed.message}.`);
    ms = parsed.ms;
  }
  return pass(text, (d, s) => {
    const step = d.step(name);
    const key = pairOf(step.map, 'timeout_seconds') ? 'timeout_seconds' : pairOf(step.map, 'timeout') ? 'timeout' : path;
    const written = key === 'timeout_seconds' ? ms / 1000 : path === 'timeout' ? value : `${value as number}s`;
    setField(s, step.map, key, written, STEP_FIELD_ORDER);
  });
}

/** tasker-core `environments: { <env>: { steps: [ { name, ... } ] } }` overrides, by step name. */
function forEachEnvironmentOverride(doc: TemplateDoc, fn: (list: YSeq, index: number, item: YMap) => void): void {
  const envs = pairOf(doc.root, 'environments')?.value;
  if (!isMap(envs)) return;
  for (const env of (envs as YMap).items) {
    const list = isMap(env.value) ? pairOf(env.value as YMap, 'steps')?.value : undefined;
    if (!isSeq(list)) continue;
    (list as YSeq).items.forEach((item, i) => {
      if (isMap(item) && isScalar(pairOf(item as YMap, 'name')?.value)) fn(list as YSeq, i, item as YMap);
    });
  }
}

