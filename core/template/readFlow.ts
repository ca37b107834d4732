/**
 * YAML flow template → FlowTemplate. Conditions, actions and interaction bodies are handler
 * names; every edge is declared (`go_to`, `if_true`/`if_false`, `conditions`), so the drawn
 * flowchart is complete.
 */
import {
  DEFAULT_FLOW_DELAY_MS,
  DEFAULT_START_STATE,
  FLOW_STATE_TYPES,
  type ActionState,
  type FlowBranch,
  type FlowState,
  type FlowStateType,
  type FlowTemplate,
  type InteractionDef,
  type SourceLocation,
} from '../model/template.js';
import { assertNever } from '../model/errors.js';
import { MapReader } from './mapReader.js';
import { readRetry } from './readRetry.js';
import { suggestion } from './problems.js';
import type { TemplateHeader } from './readHeader.js';
import type { YEntry } from './yamlTree.js';

const FLOW_FIELDS = ['kind', 'name', 'namespace', 'namespace_name', 'version', 'description', 'attributes', 'starts_with', 'timeout', 'delay', 'delete_after', 'on_timeout', 'states', 'interactions', 'index'];
const STATE_FIELDS: Record<FlowStateType, string[]> = {
  action: ['type', 'description', 'handler', 'go_to', 'timeout', 'timeout_seconds', 'retry'],
  decision: ['type', 'description', 'condition', 'if_true', 'if_false', 'conditions'],
  wait: ['type', 'description', 'condition', 'go_to', 'conditions'],
  result: ['type', 'description'],
};
const INTERACTION_FIELDS = ['when', 'handler', 'params', 'description'];

export function readFlow(r: MapReader, header: TemplateHeader): FlowTemplate {
  r.checkKeys(FLOW_FIELDS);
  const fieldLocs = header.fieldLocs;
  const t: FlowTemplate = { kind: 'flow', ...header, startsWith: DEFAULT_START_STATE, delayMs: DEFAULT_FLOW_DELAY_MS, states: [], interactions: [] };
  const attributes = r.plainObject('attributes', '{ type: object, properties: { email: { type: string } } }');
  if (attributes) {
    t.attributesSchema = attributes;
    fieldLocs.attributesSchema = r.loc('attributes');
  }
  const startsWith = r.string('starts_with');
  if (startsWith !== undefined) {
    t.startsWith = startsWith;
    fieldLocs.startsWith = r.loc('starts_with');
  }
  for (const [key, field] of [['timeout', 'timeoutMs'], ['delay', 'delayMs']] as const) {
    const ms = r.duration(key);
    if (ms !== undefined) {
      t[field] = ms;
      fieldLocs[field] = r.loc(key);
    }
  }
  const onTimeout = r.string('on_timeout');
  if (onTimeout !== undefined) {
    t.onTimeout = onTimeout;
    fieldLocs.onTimeout = r.loc('on_timeout');
  }
  const index = r.stringList('index', '[user_id, document_ids]');
  if (index) t.index = index.values;

  const states = r.map('states', '{ start: { type: action, handler: start, go_to: done }, done: { type: result } }');
  if (states) {
    fieldLocs.states = r.loc('states');
    forEachNamed(states, 'state', (entry) => {
      const state = readState(states, entry);
      if (state) t.states.push(state);
    });
  } else if (!r.has('states')) {
    r.missing('states', `flow \`${header.name}\` has no states`, 'add `states:` mapping each state name to its definition');
  }
  const interactions = r.map('interactions', '{ provide_email: { when: [ask_for_email], handler: store_email } }');
  if (interactions) {
    fieldLocs.interactions = r.loc('interactions');
    forEachNamed(interactions, 'interaction', (entry) => {
      const def = readInteraction(interactions, entry);
      if (def) t.interactions.push(def);
    });
  }
  return t;
}

/** Calls `fn` once per name; a repeated name is a DUPLICATE_NAME problem at its second use. */
function forEachNamed(r: MapReader, noun: string, fn: (entry: YEntry) => void): void {
  const first = new Map<string, SourceLocation>();
  for (const entry of r.entries) {
    const seen = first.get(entry.key);
    if (seen) {
      r.ctx.report('DUPLICATE_NAME', `${noun} \`${entry.key}\` is declared twice (first at line ${seen.line})`, entry.keyLoc, { node: entry.key });
      continue;
    }
    first.set(entry.key, entry.keyLoc);
    fn(entry);
  }
}

/** An action's `timeout` (or tasker-core's `timeout_seconds`) and `retry` block, as workflow steps have them. */
function readActionLimits(s: MapReader, action: ActionState, fieldLocs: Record<string, SourceLocation>): void {
  const retry = readRetry(s);
  if (retry) {
    action.retry = retry;
    fieldLocs.retry = s.loc('retry');
  }
  const seconds = s.number('timeout_seconds', { min: 0, example: '30' });
  const timeout = s.duration('timeout');
  if (seconds !== undefined) {
    action.timeoutMs = Math.round(seconds * 1000);
    fieldLocs.timeoutMs = s.loc('timeout_seconds');
  } else if (timeout !== undefined) {
    action.timeoutMs = timeout;
    fieldLocs.timeoutMs = s.loc('timeout');
  }
}

function inferType(s: MapReader): FlowStateType | undefined {
  if (s.has('handler')) return 'action';
  if (s.has('if_true') || s.has('if_false')) return 'decision';
  if (s.entries.length === 0) return 'result';
  return undefined;
}

function readState(parent: MapReader, entry: YEntry): FlowState | undefined {
  const name = entry.key;
  const what = `state \`${name}\``;
  // `done:` with nothing after it is a result state.
  if (entry.value.kind === 'scalar' && entry.value.value === null) return { name, type: 'result', loc: entry.keyLoc, fieldLocs: {} };
  const s = MapReader.of(parent.ctx, entry.value, what, '{ type: action, handler: <name>, go_to: <state> }');
  if (!s) return undefined;
  const fieldLocs: Record<string, SourceLocation> = { name: entry.keyLoc };
  const base = { name, loc: entry.keyLoc, fieldLocs };
  const typeName = s.string('type');
  let type: FlowStateType | undefined;
  if (typeName === undefined) {
    type = inferType(s);
    if (!type && !s.has('type')) {
      s.missing('type', `${what} has no type`, `add \`type:\` (one of ${FLOW_STATE_TYPES.join(', ')})`);
    }
  } else if ((FLOW_STATE_TYPES as readonly string[]).includes(typeName)) {
    type = typeName as FlowStateType;
    fieldLocs.type = s.loc('type');
  } else {
    const near = suggestion(typeName, FLOW_STATE_TYPES);
    s.ctx.report('BAD_STEP_TYPE', `${what}: unknown state type \`${typeName}\``, s.loc('type'), {
      hint: `use one of ${FLOW_STATE_TYPES.join(', ')}${near.startsWith('did') ? ` (${near})` : ''}`,
      node: name,
    });
  }
  if (!type) return undefined;
  s.checkKeys(STATE_FIELDS[type]);
  const description = s.string('description');
  const withDescription = description !== undefined ? { ...base, description } : base;
  switch (type) {
    case 'action': {
      const handler = s.string('handler', { required: true }) ?? '';
      if (s.has('handler')) fieldLocs.handler = s.loc('handler');
      const goTo = s.stringList('go_to', '[next_state]');
      goTo?.locs.forEach((loc, i) => (fieldLocs[`goTo.${i}`] = loc));
      if (!goTo) {
        s.ctx.report('MISSING_FIELD', `${what} is an action without \`go_to\`: reaching it fails the flow`, s.node.loc, {
          severity: 'warning',
          hint: 'add `go_to: <state>` (or a list of the states its handler may choose)',
          node: name,
        });
      }
      const action: ActionState = { ...withDescription, type, handler, goTo: goTo?.values ?? [] };
      readActionLimits(s, action, fieldLocs);
      return action;
    }
    case 'decision': {
      if (s.has('conditions')) return { ...withDescription, type, form: 'ordered', branches: readBranches(s, fieldLocs) };
      return { ...withDescription, type, form: 'boolean', branches: readBooleanBranches(s, fieldLocs) };
    }
    case 'wait': {
      if (s.has('conditions')) return { ...withDescription, type, branches: readBranches(s, fieldLocs) };
      return { ...withDescription, type, branches: readSingleWaitBranch(s, fieldLocs) };
    }
    case 'result':
      return { ...withDescription, type };
    default:
      return assertNever(type, 'state type');
  }
}

function readBooleanBranches(s: MapReader, fieldLocs: Record<string, SourceLocation>): FlowBranch[] {
  const condition = s.string('condition', { required: true });
  if (s.has('condition')) fieldLocs.condition = s.loc('condition');
  const branches: FlowBranch[] = [];
  for (const [key, expect] of [['if_true', true], ['if_false', false]] as const) {
    const goTo = s.string(key);
    if (goTo === undefined) continue;
    fieldLocs[`branches.${branches.length}.goTo`] = s.loc(key);
    branches.push({ condition: condition ?? '', expect, goTo, loc: s.loc(key) });
  }
  if (branches.length === 0 && !s.has('if_true') && !s.has('if_false')) {
    s.missing('if_true', `${s.what} is a decision without \`if_true\`/\`if_false\` or \`conditions\``, 'add `if_true: <state>` and `if_false: <state>`, or a `conditions:` list');
  }
  return branches;
}

function readSingleWaitBranch(s: MapReader, fieldLocs: Record<string, SourceLocation>): FlowBranch[] {
  const condition = s.string('condition', { required: true });
  const goTo = s.string('go_to', { required: true });
  if (condition === undefined || goTo === undefined) return [];
  fieldLocs.condition = s.loc('condition');
  fieldLocs['branches.0.goTo'] = s.loc('go_to');
  return [{ condition, expect: true, goTo, loc: s.node.loc }];
}

/** `conditions: [{ condition, go_to, label }]`: the first match wins; no `condition` = always. */
function readBranches(s: MapReader, fieldLocs: Record<string, SourceLocation>): FlowBranch[] {
  const list = s.value('conditions')!;
  if (list.kind !== 'seq') {
    s.wrongType('conditions', 'a list of { condition, go_to }', '[ { condition: is_vip, go_to: fast_lane } ]');
    return [];
  }
  const branches: FlowBranch[] = [];
  list.items.forEach((item, i) => {
    const b = MapReader.of(s.ctx, item, `${s.what}: condition ${i + 1}`, '{ condition: is_vip, go_to: fast_lane }');
    if (!b) return;
    b.checkKeys(['condition', 'go_to', 'label']);
    const condition = b.string('condition') ?? null;
    const goTo = b.string('go_to', { required: true });
    const label = b.string('label');
    if (goTo === undefined) return;
    fieldLocs[`branches.${branches.length}.goTo`] = b.loc('go_to');
    if (condition !== null) fieldLocs[`branches.${branches.length}.condition`] = b.loc('condition');
    const branch: FlowBranch = { condition, expect: true, goTo, loc: b.node.loc };
    if (label !== undefined) branch.label = label;
    branches.push(branch);
  });
  return branches;
}

function readInteraction(parent: MapReader, entry: YEntry): InteractionDef | undefined {
  const name = entry.key;
  const r = MapReader.of(parent.ctx, entry.value, `interaction \`${name}\``, '{ when: [state], handler: <name>, params: {...} }');
  if (!r) return undefined;
  r.checkKeys(INTERACTION_FIELDS);
  const fieldLocs: Record<string, SourceLocation> = { name: entry.keyLoc };
  const handler = r.string('handler', { required: true }) ?? '';
  if (r.has('handler')) fieldLocs.handler = r.loc('handler');
  const when = r.stringList('when', '[ask_for_email]');
  when?.locs.forEach((loc, i) => (fieldLocs[`when.${i}`] = loc));
  const def: InteractionDef = { name, when: when?.values ?? [], handler, loc: entry.keyLoc, fieldLocs };
  const params = r.plainObject('params', '{ type: object, required: [email] }');
  if (params) {
    def.params = params;
    fieldLocs.params = r.loc('params');
  }
  const description = r.string('description');
  if (description !== undefined) def.description = description;
  return def;
}
