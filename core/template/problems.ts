/**
 * Building validation problems. Every code has a default hint (how to fix it); a call may give a
 * more specific one. Problems are collected into lists, never thrown one by one.
 */
import type { Problem, ProblemCode, Severity } from '../model/problem.js';
import type { SourceLocation } from '../model/template.js';
import { DURATION_HINT } from './duration.js';

export const DEFAULT_HINTS: Record<ProblemCode, string> = {
  YAML_SYNTAX: 'fix the YAML at this position (indentation, an unclosed bracket or quote, a tab instead of spaces)',
  YAML_TOO_LARGE: 'split the template, or write out what the aliases (*name) repeat instead of nesting them; a template this large is refused so no command stalls on it',
  WRONG_TYPE: 'give the field a value of the type shown in docs/templates.md',
  MISSING_FIELD: 'add the field',
  UNKNOWN_FIELD: 'remove the field or fix its spelling; docs/templates.md lists the fields',
  UNKNOWN_DEPENDENCY: 'depend only on steps declared in this template, or add the missing step',
  SELF_DEPENDENCY: 'remove the step from its own depends_on list',
  CYCLE: 'remove one dependency of the cycle: a workflow is a DAG',
  DUPLICATE_NAME: 'give each step, state or interaction a unique name',
  RESERVED_NAME: 'rename it: names such as constructor, toString or __proto__ are members of every JavaScript object',
  DUPLICATE_TEMPLATE: 'change the name, namespace or version of one of them',
  UNKNOWN_HANDLER: 'export a function under this name from a module in handlers/, or fix the name',
  UNREACHABLE_STATE: 'add a transition (go_to, if_true, if_false, conditions) that leads to it, or remove the state',
  UNDECLARED_TARGET: 'point to a state declared under states:',
  MISSING_STARTS_WITH: 'add starts_with: <state> naming the first state of the flow, or name that state `start`',
  UNKNOWN_INTERACTION_STATE: 'list only states declared under states: in `when`',
  DECISION_WITHOUT_DEPENDENTS: 'a decision chooses among the steps that depend on it: add them, or make the step standard',
  BATCH_WORKER_WITHOUT_BATCHABLE: 'make the batch_worker depend on a step with type: batchable, whose handler returns the batches',
  BAD_DURATION: DURATION_HINT,
  BAD_SCHEMA: 'fix the JSON Schema (draft 2020-12 / draft-07 keywords; `type` is one of string, number, integer, boolean, object, array, null)',
  BAD_STEP_TYPE: 'use one of the listed types',
  NO_RESULT_REACHABLE: 'add a transition that eventually leads to a state with type: result',
  MODULE_LOAD_FAILED: 'fix the error in the module; it is reported with the file that failed to load',
  UNKNOWN_TEMPLATE: 'name a template of this workspace (namespace/name, namespace/name@version or name), or add the missing template',
  EMPTY_CALLABLE: 'name the handler: `handler: { callable: <handler name> }`',
  DECISION_WITHOUT_DEPENDENCY: 'make the decision depend on the step whose results it decides on (tasker-core refuses a decision without a dependency)',
  BAD_VERSION: 'write the version as MAJOR.MINOR.PATCH, e.g. 1.0.0 (tasker-core refuses other versions)',
  BAD_NAMESPACE: 'use letters, digits and underscores, starting with a letter or underscore, at most 29 characters (tasker-core names its queues after the namespace)',
  ORPHAN_STEP: 'connect the step to the others with depends_on, or move it to a workflow of its own',
  UNSUPPORTED_FEATURE: 'replace the feature with a handler: export a function and name it in `handler.callable`',
  MISSING_METHOD: 'add the method to the handler object or class, or fix `handler.method` (the default is `call`)',
  BAD_BATCH_CONFIG: 'put batch_config on the batch_worker step (or its batchable step) and name that batch_worker step in worker_template',
  UNKNOWN_STEP: 'name a step of this workflow, or ALL for every step',
  BATCHABLE_WITHOUT_WORKER: 'add a step with type: batch_worker that depends on the batchable step; the engine creates one copy of it per batch',
};

export interface ProblemOptions {
  severity?: Severity;
  hint?: string;
  node?: string;
  template?: string;
}

export function makeProblem(
  code: ProblemCode,
  message: string,
  at: Partial<SourceLocation> | undefined,
  options: ProblemOptions = {},
): Problem {
  const p: Problem = { code, severity: options.severity ?? 'error', message, hint: options.hint ?? DEFAULT_HINTS[code] };
  if (at?.file !== undefined) p.file = at.file;
  if (at?.line !== undefined) p.line = at.line;
  if (at?.col !== undefined) p.col = at.col;
  if (options.node !== undefined) p.node = options.node;
  if (options.template !== undefined) p.template = options.template;
  return p;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Problems ordered by file, line, column (stable for equal positions), for printing. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0),
  );
}

/** The closest of `candidates` to `word` (edit distance ≤ 2, or ≤ a third of its length), for "did you mean". */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** "did you mean `x`?" or a list of the known names. */
export function suggestion(word: string, known: readonly string[], noun = 'known'): string {
  const near = closest(word, known);
  if (near) return `did you mean \`${near}\`?`;
  return known.length > 0 ? `${noun}: ${known.join(', ')}` : '';
}
