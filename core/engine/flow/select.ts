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

export type ConditionEvaluator = (condition: string) => Promise<boolean>;

/** The first branch whose condition evaluates to its `expect` (null condition: always). */
export async function firstMatchingBranch(
  branches: readonly FlowBranch[],
  evaluate: ConditionEvaluator,
): Promise<BranchChoice> {
  const evaluated: Record<string, boolean> = {};
  for (const branch of branches) {
    if (branch.condition === null) return { branch, evaluated };
    if (!(branch.condition in evaluated)) evaluated[branch.condition] = Boolean(await evaluate(branch.condition));
    if (evaluated[branch.condition] === branch.expect) return { branch, evaluated };
  }
  return { branch: null, evaluated };
}

/**
 * A decision's branch. The boolean form (if_true/if_false) fails with NO_DECISION naming the
 * missing branch; the ordered form fails when no condition matched.
 */
export async function decisionBranch(state: DecisionState, evaluate: ConditionEvaluator): Promise<FlowBranch> {
  const { branch, evaluated } = await firstMatchingBranch(state.branches, evaluate);
  if (branch) return branch;
  const first = state.branches[0]?.condition;
  if (state.form === 'boolean' && first) {
    const value = evaluated[first];
    throw noDecision(state.name, `condition ${first} was ${String(value)} and ${state.name} declares no ${value ? 'if_true' : 'if_false'} branch`);
  }
  throw noDecision(state.name);
}

/** A wait's branch, or null when nothing matched (the flow sleeps). */
export async function waitBranch(state: WaitState, evaluate: ConditionEvaluator): Promise<FlowBranch | null> {
  return (await firstMatchingBranch(state.branches, evaluate)).branch;
}

export function branchReason(stateName: string, branch: FlowBranch): string {
  if (branch.label) return `${stateName}: ${branch.label}`;
  if (branch.condition === null) return `${stateName}: always`;
  return `${stateName}: ${branch.condition} is ${branch.expect}`;
}
