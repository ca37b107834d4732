/**
 * A validation problem found while loading or checking templates. Problems are collected, never
 * thrown one at a time: a user sees every problem of a workspace at once, each as
 * `FILE:LINE:COL: CODE message` with a hint saying how to fix it.
 */
export type ProblemCode =
  | 'YAML_SYNTAX'
  /** The file, or what its aliases expand to, is over the reading budget. */
  | 'YAML_TOO_LARGE'
  | 'WRONG_TYPE'
  | 'MISSING_FIELD'
  | 'UNKNOWN_FIELD'
  | 'UNKNOWN_DEPENDENCY'
  | 'SELF_DEPENDENCY'
  | 'CYCLE'
  | 'DUPLICATE_NAME'
  /** A step, state or interaction named like a member of Object.prototype (`constructor`, `__proto__`). */
  | 'RESERVED_NAME'
  | 'DUPLICATE_TEMPLATE'
  | 'UNKNOWN_HANDLER'
  | 'UNREACHABLE_STATE'
  | 'UNDECLARED_TARGET'
  | 'MISSING_STARTS_WITH'
  | 'UNKNOWN_INTERACTION_STATE'
  | 'DECISION_WITHOUT_DEPENDENTS'
  | 'BATCH_WORKER_WITHOUT_BATCHABLE'
  | 'BAD_DURATION'
  | 'BAD_SCHEMA'
  | 'BAD_STEP_TYPE'
  | 'NO_RESULT_REACHABLE'
  | 'MODULE_LOAD_FAILED'
  /** A `subtask` step names a template the workspace does not have. */
  | 'UNKNOWN_TEMPLATE'
  // tasker-core's own checks (its sdk validator, registration and batch processing):
  /** `handler.callable` is empty (tasker: EMPTY_CALLABLE). */
  | 'EMPTY_CALLABLE'
  /** A decision step with no dependency (tasker: "must have at least one dependency"). */
  | 'DECISION_WITHOUT_DEPENDENCY'
  /** A version that is not `MAJOR.MINOR.PATCH`. */
  | 'BAD_VERSION'
  /** A namespace tasker-core refuses (characters, first character) or warns about (length). */
  | 'BAD_NAMESPACE'
  /** A step with no dependency that nothing depends on, in a workflow of several steps (tasker: ORPHAN_STEP). */
  | 'ORPHAN_STEP'
  /** A tasker-core feature Stepwise does not run (`composition`): refused rather than silently ignored. */
  | 'UNSUPPORTED_FEATURE'
  /** `handler.method` names a method the handler does not have. */
  | 'MISSING_METHOD'
  /** `batch_config` on the wrong step, or naming a worker template that does not fit. */
  | 'BAD_BATCH_CONFIG'
  /** An environment override names no step of the workflow (tasker-core ignores it silently). */
  | 'UNKNOWN_STEP'
  /** A batchable step that no batch_worker step depends on: its batches would have no worker. */
  | 'BATCHABLE_WITHOUT_WORKER';

export type Severity = 'error' | 'warning';

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  col?: number;
  /** Template reference or file-relative identity this problem belongs to. */
  template?: string;
  /** Step or state name, when the problem concerns one. */
  node?: string;
}

export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}:${p.line ?? 1}:${p.col ?? 1}: ` : '';
  const hint = p.hint ? `\n    hint: ${p.hint}` : '';
  return `${where}${p.code} ${p.message}${hint}`;
}
