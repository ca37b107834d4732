/**
 * Choosing where a state goes. Action targets are pure; branch selection evaluates conditions
 * lazily, in order, each named condition at most once per check, and stops at the first match.
 */
import type { ActionState, DecisionState, FlowBranch, WaitState } from '../../model/template.js';
import { noDecision, undeclaredTarget } from './errors.js';

/**
 * The target of an action given its handler's return value: a returned string must be one of the
 * declared targets; anything else (undefined, an object) means "the only declared target".
 */
export function actionTarget(state: ActionState, returned: unknown): string {
  if (typeof returned === 'string') {
    if (state.goTo.includes(returned)) return returned;
    throw undeclaredTarget(state.name, state.goTo, returned);
  }
  if (state.goTo.length === 1) return state.goTo[0]!;
  throw undeclaredTarget(state.name, state.goTo, returned);
}

export interface BranchChoice {
  /** The winning branch, or null when no condition matched. */
  branch: FlowBranch | null;
  /** Condition results evaluated on the way, by condition name. */
  evaluated: Record<string, boolean>;
}

/** A condition's answer: synchronous when the condition's code is (the usual case), else a promise. */
export type ConditionEvaluator = (condition: string) => boolean | Promise<boolean>;

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === 'function';

/**
 * The first branch whose condition evaluates to its `expect` (null condition: always). Answers
 * synchronously while every condition it evaluates does; from the first asynchronous one on, a
 * promise (no promise, microtask or hook timer for the synchronous conditions most flows have).
 */
export function firstMatchingBranch(branches: readonly FlowBranch[], evaluate: ConditionEvaluator): BranchChoice | Promise<BranchChoice> {
  const evaluated: Record<string, boolean> = {};
  for (let i = 0; i < branches.length; i++) {
    const branch = branches[i]!;
    if (branch.condition === null) return { branch, evaluated };
    if (!(branch.condition in evaluated)) {
      const answer = evaluate(branch.condition);
      if (isThenable(answer)) return restAsync(branches, i, answer, evaluated, evaluate);
      evaluated[branch.condition] = Boolean(answer);
    }
    if (evaluated[branch.condition] === branch.expect) return { branch, evaluated };
  }
  return { branch: null, evaluated };
}

/** `firstMatchingBranch` from branch `from`, whose condition answered with a promise. */
async function restAsync(branches: readonly FlowBranch[], from: number, answer: PromiseLike<unknown>, evaluated: Record<string, boolean>, evaluate: ConditionEvaluator): Promise<BranchChoice> {
  evaluated[branches[from]!.condition!] = Boolean(await answer);
  for (let i = from; i < branches.length; i++) {
    const branch = branches[i]!;
    if (branch.condition === null) return { branch, evaluated };
    if (!(branch.condition in evaluated)) evaluated[branch.condition] = Boolean(await evaluate(branch.condition));
    if (evaluated[branch.condition] === branch.expect) return { branch, evaluated };
  }
  return { branch: null, evaluated };
}

/** `f` applied to `v`, or to what `v` resolves to. */
function then<T, U>(v: T | Promise<T>, f: (x: T) => U): U | Promise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/**
 * A decision's branch. The boolean form (if_true/if_false) fails with NO_DECISION naming the
 * missing branch; the ordered form fails when no condition matched.
 */
export function decisionBranch(state: DecisionState, evaluate: ConditionEvaluator): FlowBranch | Promise<FlowBranch> {
  return then(firstMatchingBranch(state.branches, evaluate), ({ branch, evaluated }) => {
    if (branch) return branch;
    const first = state.branches[0]?.condition;
    if (state.form === 'boolean' && first) {
      const value = evaluated[first];
      throw noDecision(state.name, `condition ${first} was ${String(value)} and ${state.name} declares no ${value ? 'if_true' : 'if_false'} branch`);
    }
    throw noDecision(state.name);
  });
}

/** A wait's branch, or null when nothing matched (the flow sleeps). */
export function waitBranch(state: WaitState, evaluate: ConditionEvaluator): FlowBranch | null | Promise<FlowBranch | null> {
  return then(firstMatchingBranch(state.branches, evaluate), (c) => c.branch);
}

export function branchReason(stateName: string, branch: FlowBranch): string {
  if (branch.label) return `${stateName}: ${branch.label}`;
  if (branch.condition === null) return `${stateName}: always`;
  return `${stateName}: ${branch.condition} is ${branch.expect}`;
}
