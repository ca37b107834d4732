/**
 * A TypeScript flow's `states` is an object literal, so a state written twice is not an error at
 * run time: JavaScript keeps the last key and the first state silently disappears (the compiler
 * refuses it, but jiti does not type-check). YAML reports DUPLICATE_NAME for the same mistake, so
 * the loader looks for it in the source text: a state key given to a builder call twice within
 * one `defineFlow(...)`.
 */
import type { Problem } from '../model/problem.js';
import { templateRef, type FlowTemplate } from '../model/template.js';
import type { SourceText } from './placeTs.js';
import { makeProblem } from './problems.js';

const STATE_BUILDER = /(?:^|[\s,{])(?<q>['"]?)(?<name>[A-Za-z_$][\w$]*)\k<q>\s*:\s*(?:action|decision|waitUntil|result)\s*(?:<[^()]*>)?\s*\(/dg;

/** `flow` must be placed (its `loc` and `fieldLocs.states` found in `source`). */
export function duplicateStateKeys(flow: FlowTemplate, source: SourceText): Problem[] {
  const statesAt = flow.fieldLocs?.states;
  if (!flow.loc || flow.loc.file !== source.file || !statesAt || statesAt.file !== source.file) return [];
  const start = source.offset(statesAt);
  // The flow's text ends where the next definition of the file begins.
  const next = /\bdefine(?:Flow|Workflow)\s*(?:<[^()]*>)?\s*\(/g;
  next.lastIndex = source.offset(flow.loc) + 1;
  const end = next.exec(source.text)?.index ?? source.text.length;
  const declared = new Set(flow.states.map((s) => s.name));
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  for (const m of source.text.slice(start, end).matchAll(STATE_BUILDER)) {
    const name = m.groups!.name!;
    if (!declared.has(name)) continue;
    // Where the key begins (its opening quote, if any).
    const offset = start + m.indices!.groups!.q![0];
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, offset);
      continue;
    }
    problems.push(
      makeProblem('DUPLICATE_NAME', `state \`${name}\` is declared twice (first at line ${source.at(first).line}); JavaScript keeps only the last one`, source.at(offset), {
        template: templateRef(flow),
        node: name,
      }),
    );
  }
  return problems;
}
