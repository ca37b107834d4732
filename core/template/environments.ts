/**
 * tasker-core `environments:` overrides: per environment, a list of step overrides (by step name,
 * or `ALL`) of `timeout_seconds`, `retry` fields and `handler.initialization`. Applied to the model
 * when a workspace chooses an environment (stepwise.config `environment`).
 */
import type { Problem } from '../model/problem.js';
import type { BackoffKind, WorkflowTemplate } from '../model/template.js';
import { makeProblem } from './problems.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `template` with the overrides of `environment` applied; an unknown environment changes nothing. */
export function applyEnvironment(template: WorkflowTemplate, environment: string, problems: Problem[] = []): WorkflowTemplate {
  const env = template.environments?.[environment];
  if (env === undefined) return template;
  const at = template.fieldLocs?.environments ?? template.loc;
  const complain = (message: string) =>
    problems.push(makeProblem('WRONG_TYPE', `environments.${environment}: ${message}`, at, { template: `${template.namespace}/${template.name}@${template.version}` }));
  if (!isObj(env) || (env.steps !== undefined && !Array.isArray(env.steps))) {
    complain('must be a map with a `steps:` list of overrides');
    return template;
  }
  const steps = template.steps.map((s) => ({ ...s, retry: { ...s.retry }, ...(s.handler ? { handler: { ...s.handler } } : {}) }));
  for (const override of (env.steps as unknown[] | undefined) ?? []) {
    if (!isObj(override) || typeof override.name !== 'string') {
      complain('every step override needs a `name` (a step name or ALL)');
      continue;
    }
    const targets = override.name === 'ALL' ? steps : steps.filter((s) => s.name === override.name);
    if (targets.length === 0) complain(`override for unknown step \`${override.name}\``);
    for (const step of targets) {
      if (typeof override.timeout_seconds === 'number') step.timeoutMs = Math.round(override.timeout_seconds * 1000);
      if (isObj(override.retry)) {
        const r = override.retry;
        if (typeof r.retryable === 'boolean') step.retry.retryable = r.retryable;
        if (typeof r.max_attempts === 'number') step.retry.maxAttempts = r.max_attempts;
        if (typeof r.backoff === 'string' && ['exponential', 'linear', 'fixed', 'none'].includes(r.backoff)) step.retry.backoff = r.backoff as BackoffKind;
        if (typeof r.backoff_base_ms === 'number') step.retry.backoffBaseMs = r.backoff_base_ms;
        if (typeof r.max_backoff_ms === 'number') step.retry.maxBackoffMs = r.max_backoff_ms;
      }
      const init = isObj(override.handler) ? override.handler.initialization : undefined;
      if (isObj(init) && step.handler) step.handler.initialization = { ...step.handler.initialization, ...init };
    }
  }
  return { ...template, steps };
}
