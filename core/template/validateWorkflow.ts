/** Semantic checks of a workflow template (the DAG), on the model: YAML and TypeScript alike. */
import type { Problem } from '../model/problem.js';
import type { StepTemplate, WorkflowTemplate } from '../model/template.js';
import { checkEnvironmentSteps } from './environments.js';
import { findCycles, type Edge } from './graph.js';
import { suggestion } from './problems.js';
import { validateBatches } from './validateBatches.js';
import { Findings, type ValidateOptions } from './validateCommon.js';

export function validateWorkflow(t: WorkflowTemplate, options: ValidateOptions = {}): Problem[] {
  const f = new Findings(t);
  const byName = new Map<string, StepTemplate>();
  for (const step of t.steps) {
    if (step.name === '') continue;
    f.name(step.name, 'step', f.where(step, 'name'));
    if (byName.has(step.name)) {
      const first = byName.get(step.name)!.loc?.line;
      f.add('DUPLICATE_NAME', `step \`${step.name}\` is declared twice${first ? ` (first at line ${first})` : ''}`, f.where(step, 'name'), { node: step.name });
    } else byName.set(step.name, step);
  }
  const names = [...byName.keys()];
  const edges: Edge[] = [];
  for (const step of t.steps) {
    step.dependsOn.forEach((dep, i) => {
      const at = f.where(step, `dependsOn.${i}`);
      if (dep === step.name) {
        f.add('SELF_DEPENDENCY', `step \`${step.name}\` depends on itself`, at, { node: step.name });
      } else if (!byName.has(dep)) {
        const near = suggestion(dep, names, 'declared steps');
        f.add('UNKNOWN_DEPENDENCY', `step \`${step.name}\` depends on \`${dep}\`, which is not a step of this workflow`, at, {
          node: step.name,
          ...(near ? { hint: near } : {}),
        });
      } else edges.push([dep, step.name]);
    });
  }
  for (const cycle of findCycles(names, edges)) reportCycle(f, cycle, byName);

  const dependents = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [dep, step] of edges) dependents.get(dep)!.push(step);
  for (const step of byName.values()) {
    if (step.type === 'decision' && dependents.get(step.name)!.length === 0) {
      f.add('DECISION_WITHOUT_DEPENDENTS', `decision step \`${step.name}\` has no steps that depend on it, so it has nothing to choose from`, f.where(step, 'type'), { node: step.name });
    }
    if (step.type === 'decision' && step.dependsOn.length === 0) {
      f.add('DECISION_WITHOUT_DEPENDENCY', `decision step \`${step.name}\` depends on no step; tasker-core requires a decision to have at least one dependency`, f.where(step, 'type'), {
        node: step.name,
      });
    }
    if (byName.size > 1 && step.dependsOn.length === 0 && dependents.get(step.name)!.length === 0) {
      f.add('ORPHAN_STEP', `step \`${step.name}\` depends on no step and no step depends on it`, f.where(step, 'name'), { node: step.name, severity: 'warning' });
    }
    if (step.handler?.callable === '') {
      f.add('EMPTY_CALLABLE', `step \`${step.name}\` has an empty handler callable`, f.where(step, 'handler'), { node: step.name });
    }
    if (step.type === 'batch_worker' && !step.dependsOn.some((d) => byName.get(d)?.type === 'batchable')) {
      f.add('BATCH_WORKER_WITHOUT_BATCHABLE', `batch_worker step \`${step.name}\` does not depend on a batchable step, so nothing creates its batches`, f.where(step, 'type'), {
        node: step.name,
      });
    }
    if (step.handler) {
      const method = { name: step.handler.method, at: f.where(step, step.handler.method !== undefined ? 'handler.method' : 'handler') };
      f.handler(step.handler.callable, `step \`${step.name}\``, f.where(step, 'handler'), options, step.name, method);
    }
    const validResultSchema = f.schema(step.resultSchema, `step \`${step.name}\`: result_schema`, f.where(step, 'resultSchema'));
    const resultType = step.resultSchema?.type;
    if (validResultSchema && resultType !== undefined && resultType !== 'object') {
      f.add('BAD_SCHEMA', `step \`${step.name}\`: result_schema has type \`${String(resultType)}\`; tasker-core expects an object`, f.where(step, 'resultSchema'), {
        node: step.name,
        severity: 'warning',
        hint: 'describe the results as `type: object` with properties (a handler returns an object of results)',
      });
    }
  }
  validateBatches(f, byName);
  f.identity({ maxNamespaceLength: 29 });
  f.schema(t.inputSchema, 'input_schema', f.where(undefined, 'inputSchema'));
  f.problems.push(...checkEnvironmentSteps(t));
  return f.problems;
}

/** A cycle a → b → c (each runs before the next) closes with c → a: report it where `a` depends on `c`. */
function reportCycle(f: Findings, cycle: string[], byName: Map<string, StepTemplate>): void {
  const first = cycle[0]!;
  const last = cycle[cycle.length - 1]!;
  const step = byName.get(first)!;
  const i = step.dependsOn.indexOf(last);
  f.add('CYCLE', `dependency cycle: ${[...cycle, first].join(' → ')}`, f.where(step, i >= 0 ? `dependsOn.${i}` : 'dependsOn'), {
    node: first,
    hint: `each step depends on the one before it, so none can start: remove one dependency, e.g. \`${last}\` from \`${first}\`'s depends_on`,
  });
}
