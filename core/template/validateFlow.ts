/** Semantic checks of a flow template (the state machine), on the model: YAML and TypeScript alike. */
import type { Problem } from '../model/problem.js';
import { DEFAULT_START_STATE, type FlowState, type FlowTemplate } from '../model/template.js';
import { assertNever } from '../model/errors.js';
import { statesWithoutPathToResult, terminalStates, unreachableStates } from './flowGraph.js';
import { suggestion } from './problems.js';
import { Findings, type ValidateOptions } from './validateCommon.js';

export function validateFlow(t: FlowTemplate, options: ValidateOptions = {}): Problem[] {
  const f = new Findings(t);
  const states = new Map<string, FlowState>();
  for (const s of t.states) {
    f.name(s.name, 'state', f.where(s, 'name'));
    if (states.has(s.name)) f.add('DUPLICATE_NAME', `state \`${s.name}\` is declared twice`, f.where(s, 'name'), { node: s.name });
    else states.set(s.name, s);
  }
  const names = [...states.keys()];
  const target = (to: string, from: string, at: ReturnType<Findings['where']>) => {
    if (states.has(to)) return;
    const near = suggestion(to, names, 'declared states');
    f.add('UNDECLARED_TARGET', `state \`${from}\` goes to \`${to}\`, which is not a declared state`, at, { node: from, ...(near ? { hint: near } : {}) });
  };

  let startKnown = false;
  const implicitStart = t.startsWith === DEFAULT_START_STATE && t.fieldLocs?.startsWith === undefined;
  if (t.startsWith === '' || (implicitStart && !states.has(t.startsWith))) {
    f.add('MISSING_STARTS_WITH', `flow \`${t.name}\` does not say where it starts: it has no starts_with and no state named \`${DEFAULT_START_STATE}\``, f.where(undefined), {
      hint: names[0] ? `add starts_with: ${names[0]} (or name the first state \`${DEFAULT_START_STATE}\`)` : `add a state named \`${DEFAULT_START_STATE}\``,
    });
  } else if (!states.has(t.startsWith)) {
    const near = suggestion(t.startsWith, names, 'declared states');
    f.add('UNDECLARED_TARGET', `starts_with names \`${t.startsWith}\`, which is not a declared state`, f.where(undefined, 'startsWith'), near ? { hint: near } : {});
  } else startKnown = true;

  for (const s of states.values()) checkState(f, s, target, options);

  if (t.onTimeout !== undefined && !states.has(t.onTimeout)) {
    // Not a state, so it must be a handler that decides what a timeout does.
    f.handler(t.onTimeout, 'on_timeout (not a state, so a handler)', f.where(undefined, 'onTimeout'), options);
  }
  for (const i of t.interactions) {
    f.name(i.name, 'interaction', f.where(i, 'name'));
    i.when.forEach((w, k) => {
      if (states.has(w)) return;
      const near = suggestion(w, names, 'declared states');
      f.add('UNKNOWN_INTERACTION_STATE', `interaction \`${i.name}\` may be called in \`${w}\`, which is not a declared state`, f.where(i, `when.${k}`), {
        node: i.name,
        ...(near ? { hint: near } : {}),
      });
    });
    f.handler(i.handler, `interaction \`${i.name}\``, f.where(i, 'handler'), options, i.name);
    f.schema(i.params, `interaction \`${i.name}\` params`, f.where(i, 'params'));
  }
  f.identity();
  f.schema(t.attributesSchema, 'attributes', f.where(undefined, 'attributesSchema'));

  if (startKnown) {
    const unreachable = new Set(unreachableStates(t));
    for (const name of unreachable) {
      f.add('UNREACHABLE_STATE', `state \`${name}\` cannot be reached from \`${t.startsWith}\``, f.where(states.get(name), 'name'), { node: name });
    }
    if (terminalStates(t).length === 0) {
      f.add('NO_RESULT_REACHABLE', `flow \`${t.name}\` has no result state, so it can never complete`, f.where(undefined, 'states'), {
        severity: 'warning',
        hint: 'add a state with type: result and a transition to it',
      });
    } else {
      for (const name of statesWithoutPathToResult(t)) {
        if (unreachable.has(name)) continue;
        f.add('NO_RESULT_REACHABLE', `from state \`${name}\` no path leads to a result state, so a flow there can never complete`, f.where(states.get(name), 'name'), {
          severity: 'warning',
          node: name,
        });
      }
    }
  }
  return f.problems;
}

function checkState(
  f: Findings,
  s: FlowState,
  target: (to: string, from: string, at: ReturnType<Findings['where']>) => void,
  options: ValidateOptions,
): void {
  switch (s.type) {
    case 'action':
      f.handler(s.handler, `state \`${s.name}\``, f.where(s, 'handler'), options, s.name);
      s.goTo.forEach((to, i) => target(to, s.name, f.where(s, `goTo.${i}`)));
      return;
    case 'decision':
    case 'wait':
      {
        const checked = new Set<string>();
        s.branches.forEach((b, i) => {
          target(b.goTo, s.name, f.where(s, `branches.${i}.goTo`));
          // A boolean decision's two branches share one condition: check it once.
          if (b.condition === null || checked.has(b.condition)) return;
          checked.add(b.condition);
          const at = s.fieldLocs?.[`branches.${i}.condition`] ?? s.fieldLocs?.condition ?? b.loc ?? f.where(s);
          f.handler(b.condition, `state \`${s.name}\` (condition)`, at, options, s.name);
        });
      }
      return;
    case 'result':
      return;
    default:
      assertNever(s, 'flow state');
  }
}
