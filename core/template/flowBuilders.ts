/**
 * The builders of `defineFlow`: `action`, `decision`, `waitUntil`, `result`, `interaction`.
 * Each returns a small typed description; `defineFlow` turns them into the model. Their state
 * name type parameter lets the compiler check `goTo` targets and `when` states against the
 * flow's `states` keys. Each records its call site (see definitionSites.ts) so a problem about
 * one state points at its line.
 */
import type { FlowContext, HandlerLog } from '../model/handlers.js';
import type { RetryPolicy } from '../model/template.js';
import type { Duration } from './defineCommon.js';
import { markBuilt } from './definitionSites.js';
import type { Infer, SchemaLike } from './schemaLike.js';

/**
 * Flow data as handlers see it. Loosely typed on purpose: the attribute schema may be zod or
 * JSON Schema, and handlers are often written apart from `defineFlow`; a handler may declare
 * its own data type (`(ctx: FlowContext<MyData>) => ...`) and still be accepted.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FlowData = any;
export type FlowFn = (ctx: FlowContext<FlowData>) => unknown;
export type ConditionFn = (ctx: FlowContext<FlowData>) => boolean | Promise<boolean>;
/** A handler given by name (looked up in handlers/) or inline. */
export type HandlerLike<F> = string | F;

export interface ActionDef<T extends string> {
  readonly type: 'action';
  readonly handler: HandlerLike<FlowFn>;
  readonly goTo: readonly T[];
  readonly description?: string;
  /** Abort the handler after this long (the attempt fails with TIMEOUT). */
  readonly timeout?: Duration;
  /** Retries of a failed attempt, over the workflow steps' defaults (3 attempts, exponential from 1 s). */
  readonly retry?: Partial<RetryPolicy>;
}

export interface BranchDef<T extends string> {
  /** The condition; absent = always (an `else`). */
  readonly when?: HandlerLike<ConditionFn>;
  readonly goTo: T;
  readonly label?: string;
}

export interface DecisionDef<T extends string> {
  readonly type: 'decision';
  /** `boolean` from condition/ifTrue/ifFalse, `ordered` from a conditions list. */
  readonly form: 'boolean' | 'ordered';
  /** Each branch is taken when its condition returns `expect`. */
  readonly branches: readonly (BranchDef<T> & { readonly expect: boolean })[];
  readonly description?: string;
}

export interface WaitDef<T extends string> {
  readonly type: 'wait';
  readonly branches: readonly BranchDef<T>[];
  readonly description?: string;
}

export interface ResultDef {
  readonly type: 'result';
  readonly description?: string;
}

export type StateDef<T extends string> = ActionDef<T> | DecisionDef<T> | WaitDef<T> | ResultDef;

/** Runs `handler`, then goes to `goTo` (with several targets, the handler returns the one to take). */
export function action<const T extends string = never>(
  handler: HandlerLike<FlowFn>,
  options: { goTo?: T | readonly T[]; description?: string; timeout?: Duration; retry?: Partial<RetryPolicy> } = {},
): ActionDef<T> {
  const goTo = options.goTo === undefined ? [] : typeof options.goTo === 'string' ? [options.goTo as T] : [...(options.goTo as readonly T[])];
  return markBuilt({
    type: 'action',
    handler,
    goTo,
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
  });
}

export type DecisionOptions<T extends string> =
  | { condition: HandlerLike<ConditionFn>; ifTrue?: T; ifFalse?: T; description?: string }
  | { conditions: readonly BranchDef<T>[]; description?: string };

/** `ifTrue`/`ifFalse` on one condition, or ordered `conditions` where the first match wins. */
export function decision<const T extends string>(options: DecisionOptions<T>): DecisionDef<T> {
  const description = options.description !== undefined ? { description: options.description } : {};
  if ('conditions' in options) {
    return markBuilt({ type: 'decision', form: 'ordered', branches: options.conditions.map((b) => ({ ...b, expect: true })), ...description });
  }
  const branches: (BranchDef<T> & { expect: boolean })[] = [];
  if (options.ifTrue !== undefined) branches.push({ when: options.condition, goTo: options.ifTrue, expect: true });
  if (options.ifFalse !== undefined) branches.push({ when: options.condition, goTo: options.ifFalse, expect: false });
  return markBuilt({ type: 'decision', form: 'boolean', branches, ...description });
}

/** Like an ordered decision, but when nothing matches the flow sleeps and checks again later. */
export function waitUntil<const T extends string>(
  options: { conditions: readonly BranchDef<T>[]; description?: string } | { condition: HandlerLike<ConditionFn>; goTo: T; description?: string },
): WaitDef<T> {
  const branches = 'conditions' in options ? [...options.conditions] : [{ when: options.condition, goTo: options.goTo }];
  return markBuilt({ type: 'wait', branches, ...(options.description !== undefined ? { description: options.description } : {}) });
}

/** A terminal state: reaching it completes the flow. */
export function result(description?: string): ResultDef {
  return markBuilt({ type: 'result', ...(description !== undefined ? { description } : {}) });
}

export type InteractionFn<P> = (ctx: FlowContext<FlowData>, params: P) => unknown;

export interface InteractionDefinition<T extends string> {
  readonly when: readonly T[];
  readonly params?: SchemaLike;
  readonly handler: HandlerLike<InteractionFn<never>>;
  readonly description?: string;
}

/**
 * An external call allowed only in its `when` states (none = any state). With a zod `params`
 * schema the handler's `params` argument is typed by it.
 */
export function interaction<const T extends string = never, P extends SchemaLike | undefined = undefined>(
  options: { when?: T | readonly T[]; params?: P; description?: string },
  handler: HandlerLike<InteractionFn<Infer<P>>>,
): InteractionDefinition<T> {
  const when = options.when === undefined ? [] : typeof options.when === 'string' ? [options.when as T] : [...(options.when as readonly T[])];
  return markBuilt({
    when,
    handler: handler as HandlerLike<InteractionFn<never>>,
    ...(options.params !== undefined ? { params: options.params } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
  });
}

export type { HandlerLog };
