/**
 * Batch checks tasker-core makes when a batchable step completes, made at load instead: every
 * batchable step has a batch_worker to create its workers from, and a `batch_config` sits on a
 * batch step and names the worker it configures.
 */
import type { StepTemplate } from '../model/template.js';
import { suggestion } from './problems.js';
import type { Findings } from './validateCommon.js';

export function validateBatches(f: Findings, byName: ReadonlyMap<string, StepTemplate>): void {
  const steps = [...byName.values()];
  const workersOf = (batchable: string) => steps.filter((s) => s.type === 'batch_worker' && s.dependsOn.includes(batchable));
  for (const step of steps) {
    if (step.type === 'batchable' && workersOf(step.name).length === 0) {
      f.add('BATCHABLE_WITHOUT_WORKER', `batchable step \`${step.name}\` has no batch_worker step depending on it, so its batches would have no worker`, f.where(step, 'type'), {
        node: step.name,
      });
    }
    if (step.batchConfig) checkBatchConfig(f, step, byName, workersOf);
  }
}

function checkBatchConfig(f: Findings, step: StepTemplate, byName: ReadonlyMap<string, StepTemplate>, workersOf: (batchable: string) => StepTemplate[]): void {
  const config = step.batchConfig!;
  const at = f.where(step, 'batchConfig.workerTemplate');
  const node = { node: step.name };
  if (step.type !== 'batchable' && step.type !== 'batch_worker') {
    f.add('BAD_BATCH_CONFIG', `step \`${step.name}\` is a ${step.type} step; only batchable and batch_worker steps take batch_config`, f.where(step, 'batchConfig'), node);
    return;
  }
  const worker = byName.get(config.workerTemplate);
  if (!worker) {
    const near = suggestion(config.workerTemplate, [...byName.values()].filter((s) => s.type === 'batch_worker').map((s) => s.name), 'batch_worker steps');
    f.add('BAD_BATCH_CONFIG', `step \`${step.name}\`: batch_config.worker_template \`${config.workerTemplate}\` is not a step of this workflow`, at, { ...node, ...(near ? { hint: near } : {}) });
  } else if (worker.type !== 'batch_worker') {
    f.add('BAD_BATCH_CONFIG', `step \`${step.name}\`: batch_config.worker_template \`${worker.name}\` is a ${worker.type} step, not a batch_worker`, at, node);
  } else if (step.type === 'batch_worker' && worker !== step) {
    f.add('BAD_BATCH_CONFIG', `batch_worker step \`${step.name}\`: its batch_config.worker_template names \`${worker.name}\`; on a batch_worker it names the step itself`, at, {
      ...node,
      hint: `write worker_template: ${step.name}, or move this batch_config to the batchable step`,
    });
  } else if (step.type === 'batchable' && !workersOf(step.name).includes(worker)) {
    f.add('BAD_BATCH_CONFIG', `batchable step \`${step.name}\`: batch_config.worker_template \`${worker.name}\` does not depend on it, so it is not one of its workers`, at, {
      ...node,
      hint: `add \`${step.name}\` to the dependencies of \`${worker.name}\``,
    });
  } else if (step.type === 'batchable' && worker.batchConfig) {
    f.add('BAD_BATCH_CONFIG', `batchable step \`${step.name}\` and its worker \`${worker.name}\` both have a batch_config; the worker's is used`, f.where(step, 'batchConfig'), {
      ...node,
      severity: 'warning',
      hint: 'keep one of them (tasker-core reads the worker\'s)',
    });
  }
}
