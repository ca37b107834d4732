/**
 * `defineFlow`: a flow template in TypeScript. Produces exactly the model a YAML flow produces;
 * functions given inline become `inlineHandlers` under generated names (`<state>`,
 * `<state>.condition.<i>`, `interaction.<name>`, `on_timeout`).
 */
import { DEFAULT_FLOW_DELAY_MS, DEFAULT_RETRY, DEFAULT_START_STATE, type RetryPolicy, type FlowBranch, type FlowState, type FlowTemplate, type InteractionDef } from '../model/template.js';
import { captureCallSite } from './callSite.js';
import { DefinitionBuilder, defined, type Duration } from './defineCommon.js';
import { builtAt, recordSites } from './definitionSites.js';
import type { BranchDef, FlowFn, InteractionDefinition, StateDef } from './flowBuilders.js';
import { DEFAULT_NAMESPACE, DEFAULT_VERSION } from './readHeader.js';
import { toJsonSchema, type SchemaLike } from './schemaLike.js';

export interface FlowDefinition<S extends string> {
  name: string;
  namespace?: string;
  version?: string;
  description?: string;
  /** The flow's data: a zod schema or a JSON Schema; defaults apply when a flow starts. */
  attributes?: SchemaLike;
  /** The first state (default `start`, as in the operations gem). */
  startsWith?: NoInfer<S>;
  /** How long a flow may live before `onTimeout` applies. */
  timeout?: Duration;
  /** How long a waiting flow sleeps before it is checked again (default 1m). */
  delay?: Duration;
  deleteAfter?: Duration;
  /** A declared state to go to on timeout, or a handler (function, or `{ handler: name }`). */
  onTimeout?: NoInfer<S> | FlowFn | { handler: string };
  states: { [K in S]: StateDef<NoInfer<S>> };
  interactions?: Record<string, InteractionDefinition<NoInfer<S>>>;
  /** Data fields naming outside records this flow concerns (participants). */
  index?: string[];
}

export function defineFlow<S extends string>(def: FlowDefinition<S>): FlowTemplate {
  const b = new DefinitionBuilder(`flow \`${String(def.name)}\``, captureCallSite());
  if (typeof def.name !== 'string' || def.name === '') b.fail('MISSING_FIELD', 'a flow needs a name');
  if (def.startsWith !== undefined && (typeof def.startsWith !== 'string' || def.startsWith === '')) b.fail('MISSING_STARTS_WITH', 'startsWith must name the first state');
  const stateDefs = b.entries<StateDef<string>>(def.states, 'states').filter(([name, s]) => b.isObject(s, `state \`${name}\``));
  const states = stateDefs.map(([name, s]) => b.within(name, builtAt(s), () => toState(b, name, s)));
  const interactionDefs = b
    .entries<InteractionDefinition<string>>(def.interactions, 'interactions')
    .filter(([name, i]) => b.isObject(i, `interaction \`${name}\``));
  const interactions = interactionDefs.map(([name, i]) => b.within(name, builtAt(i), () => toInteraction(b, name, i)));
  let onTimeout: string | undefined;
  if (typeof def.onTimeout === 'string') onTimeout = def.onTimeout;
  else if (typeof def.onTimeout === 'function') onTimeout = b.handler(def.onTimeout, 'on_timeout', 'onTimeout');
  else if (def.onTimeout !== undefined) onTimeout = def.onTimeout.handler;
  const template: FlowTemplate = {
    kind: 'flow',
    namespace: def.namespace ?? DEFAULT_NAMESPACE,
    name: def.name,
    version: def.version ?? DEFAULT_VERSION,
    source: { kind: 'ts' },
    startsWith: def.startsWith ?? DEFAULT_START_STATE,
    delayMs: b.duration(def.delay, 'delay') ?? DEFAULT_FLOW_DELAY_MS,
    states,
    interactions,
    ...defined({
      description: def.description,
      attributesSchema: def.attributes === undefined ? undefined : toJsonSchema(def.attributes),
      timeoutMs: b.duration(def.timeout, 'timeout'),
      deleteAfterMs: b.duration(def.deleteAfter, 'deleteAfter'),
      onTimeout,
      index: def.index ? [...def.index] : undefined,
    }),
    ...b.inline(),
  };
  b.finish();
  recordSites(template, {
    ...(b.site ? { template: b.site } : {}),
    nodes: stateDefs.map(([, s]) => builtAt(s)),
    interactions: interactionDefs.map(([, i]) => builtAt(i)),
  });
  return template;
}

/** The workflow steps' retry block over its defaults; max_attempts 0 reads as 1 (the first attempt always runs). */
function actionRetry(retry: Partial<RetryPolicy>): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...retry };
  if (typeof policy.maxAttempts === 'number' && policy.maxAttempts < 1) policy.maxAttempts = 1;
  return policy;
}

function toState(b: DefinitionBuilder, name: string, s: StateDef<string>): FlowState {
  const base = { name, ...defined({ description: s.description }) };
  switch (s.type) {
    case 'action':
      return {
        ...base,
        type: 'action',
        handler: b.handler(s.handler, name, `state \`${name}\``),
        goTo: b.names(s.goTo, `state \`${name}\` goTo`),
        ...defined({ timeoutMs: b.duration(s.timeout, `state \`${name}\` timeout`) }),
        ...(s.retry !== undefined ? { retry: actionRetry(s.retry) } : {}),
      };
    case 'decision':
      return { ...base, type: 'decision', form: s.form, branches: toBranches(b, name, b.list(s.branches, `state \`${name}\` branches`)) };
    case 'wait':
      return { ...base, type: 'wait', branches: toBranches(b, name, b.list<BranchDef<string>>(s.branches, `state \`${name}\` branches`).map((br) => ({ ...br, expect: true }))) };
    case 'result':
      return { ...base, type: 'result' };
    default:
      // Only reachable from JavaScript or a loaded module: report it like YAML's unknown type.
      b.fail('BAD_STEP_TYPE', `state \`${name}\`: unknown state type \`${String((s as { type?: unknown }).type)}\` (use action, decision, wait or result; the builders make them)`);
      return { ...base, type: 'result' };
  }
}

function toBranches(b: DefinitionBuilder, state: string, branches: readonly (BranchDef<string> & { expect: boolean })[]): FlowBranch[] {
  // The same function in several branches (a boolean decision's two) gets one name.
  const names = new Map<unknown, string>();
  return branches.filter((br, i) => b.isObject(br, `state \`${state}\` branch ${i + 1}`)).map((br, i) => {
    let condition: string | null = null;
    if (br.when !== undefined) {
      condition = names.get(br.when) ?? b.handler(br.when, `${state}.condition.${i}`, `state \`${state}\` condition ${i + 1}`);
      names.set(br.when, condition);
    }
    if (typeof br.goTo !== 'string') b.fail('WRONG_TYPE', `state \`${state}\` branch ${i + 1}: goTo must name a state`);
    return { condition, expect: br.expect, goTo: String(br.goTo), ...defined({ label: br.label }) };
  });
}

function toInteraction(b: DefinitionBuilder, name: string, i: InteractionDefinition<string>): InteractionDef {
  return {
    name,
    when: b.names(i.when, `interaction \`${name}\` when`),
    handler: b.handler(i.handler, `interaction.${name}`, `interaction \`${name}\``),
    ...defined({ params: i.params === undefined ? undefined : toJsonSchema(i.params), description: i.description }),
  };
}
