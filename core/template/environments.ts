/**
 * tasker-core `environments:` overrides: per environment, a list of step overrides (by step name,
 * or `ALL`) of `timeout_seconds`, `retry` and `handler.initialization`, read (and checked, with
 * positions) with the template and applied when a workspace chooses an environment (stepwise.config
 * `environment`). Semantics are tasker-core's `apply_step_override`: `retry` replaces the step's
 * whole block (fields it does not give take the defaults, as in a step's own block),
 * `timeout_seconds` replaces the step's, and `initialization` is merged over the step's.
 */
import type { Problem } from '../model/problem.js';
import { templateRef, type SourceLocation, type StepOverride, type WorkflowTemplate } from '../model/template.js';
import { MapReader } from './mapReader.js';
import { makeProblem, suggestion } from './problems.js';
import { readRetry } from './readRetry.js';

const OVERRIDE_FIELDS = ['name', 'handler', 'timeout_seconds', 'retry'];

/** The `environments:` block, every problem reported where it is. */
export function readEnvironments(r: MapReader): Record<string, StepOverride[]> | undefined {
  const envs = r.map('environments', '{ test: { steps: [ { name: ALL, timeout_seconds: 5 } ] } }');
  if (!envs) return undefined;
  const out: Record<string, StepOverride[]> = {};
  for (const entry of envs.entries) {
    const env = MapReader.of(r.ctx, entry.value, `environments.${entry.key}`, '{ steps: [ { name: ALL, timeout_seconds: 5 } ] }');
    if (!env) continue;
    env.checkKeys(['steps']);
    const steps = env.value('steps');
    const overrides: StepOverride[] = [];
    if (steps && steps.kind !== 'seq') env.wrongType('steps', 'a list of step overrides', '[ { name: ALL, timeout_seconds: 5 } ]');
    else if (steps) {
      steps.items.forEach((item, i) => {
        const o = MapReader.of(r.ctx, item, `environments.${entry.key} step override ${i + 1}`, '{ name: validate_order, timeout_seconds: 5 }');
        const override = o ? readOverride(o) : undefined;
        if (override) overrides.push(override);
      });
    }
    out[entry.key] = overrides;
  }
  return out;
}

function readOverride(o: MapReader): StepOverride | undefined {
  o.checkKeys(OVERRIDE_FIELDS);
  const name = o.string('name', { required: true });
  const timeout = o.number('timeout_seconds', { min: 0, example: '30' });
  const retry = readRetry(o);
  const handler = o.map('handler', '{ initialization: { api_url: http://localhost:3000 } }');
  handler?.checkKeys(['initialization']);
  const initialization = handler?.plainObject('initialization', '{ api_url: http://localhost:3000 }');
  if (name === undefined) return undefined;
  const override: StepOverride = { name, loc: o.loc('name') };
  if (timeout !== undefined) override.timeoutMs = Math.round(timeout * 1000);
  if (retry) override.retry = retry;
  if (initialization) override.initialization = initialization;
  return override;
}

/** Overrides naming a step the template does not have (tasker-core skips them silently; Stepwise says so). */
export function checkEnvironmentSteps(template: WorkflowTemplate): Problem[] {
  const names = template.steps.map((s) => s.name);
  const problems: Problem[] = [];
  for (const [env, overrides] of Object.entries(template.environments ?? {})) {
    for (const o of overrides) {
      if (o.name === 'ALL' || names.includes(o.name)) continue;
      problems.push(
        makeProblem('UNKNOWN_STEP', `environments.${env}: override for \`${o.name}\`, which is not a step of this workflow`, at(template, o.loc), {
          severity: 'warning',
          template: templateRef(template),
          hint: suggestion(o.name, names, 'declared steps') || 'name a step of this workflow, or ALL',
        }),
      );
    }
  }
  return problems;
}

/** A copy of `template` with the overrides of `environment` applied; an unknown environment changes nothing. */
export function applyEnvironment(template: WorkflowTemplate, environment: string): WorkflowTemplate {
  const overrides = template.environments?.[environment];
  if (overrides === undefined) return template;
  const steps = template.steps.map((s) => ({ ...s, retry: { ...s.retry }, ...(s.handler ? { handler: { ...s.handler } } : {}) }));
  for (const o of overrides) {
    for (const step of o.name === 'ALL' ? steps : steps.filter((s) => s.name === o.name)) {
      if (o.timeoutMs !== undefined) step.timeoutMs = o.timeoutMs;
      if (o.retry) step.retry = { ...o.retry };
      if (o.initialization && step.handler) step.handler.initialization = { ...step.handler.initialization, ...o.initialization };
    }
  }
  return { ...template, steps };
}

function at(template: WorkflowTemplate, loc: SourceLocation | undefined): Partial<SourceLocation> | undefined {
  return loc ?? template.fieldLocs?.environments ?? template.loc;
}
