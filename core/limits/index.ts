/**
 * Size limits on everything a task stores (inputs, params, results, failures, logs), in one
 * place: the engine resolves a `Limits` once (engine options, workspace config) and calls these
 * where values enter — task creation, interactions, an attempt's outcome and its log.
 */
export { DEFAULT_LIMITS, LIMIT_NAMES, formatSize, resolveLimits, type Limits } from './limits.js';
export { jsonBytes, jsonViolations, unstorableParts, type JsonViolation } from './json.js';
export { boundError, summarizeFailure, FAILURE_SUMMARY_CHARS } from './failure.js';
export { attemptLogSink, type LogSink } from './logs.js';
export { boundOutcome } from './outcome.js';
export { assertStorable } from './input.js';
