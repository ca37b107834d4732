import type { StepRecord } from '../../model/runtime.js';
import type { StepTemplate, WorkflowTemplate } from '../../model/template.js';
import { batchConfigOf } from './batches.js';

/**
 * Concurrency keys: `{{ input.customer_id }}`-style templates rendered once per step when the
 * task is created. Steps sharing a rendered key run at most `limit` at a time across all tasks.
 */
const PLACEHOLDER = /\{\{\s*([\w$.-]+)\s*\}\}/g;

function lookup(path: string, scope: unknown): unknown {
  let value: unknown = scope;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Render a key template; a missing value renders as an empty string. */
export function renderKey(template: string, scope: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_, path: string) => {
    const value = lookup(path, scope);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/**
 * The limit a step's claims respect: its template's `concurrency`, or for the workers of a batch
 * whose worker template has a batch_config, its `parallelism` (the key ./batches.ts gave them).
 */
export function concurrencyLimitOf(
  template: WorkflowTemplate,
  step: Pick<StepRecord, 'concurrencyKey' | 'dynamic'>,
  stepT: StepTemplate | undefined,
): { key: string; limit: number } | null {
  if (step.concurrencyKey === null || !stepT) return null;
  if (stepT.concurrency) return { key: step.concurrencyKey, limit: stepT.concurrency.limit };
  const config = step.dynamic ? batchConfigOf(template, stepT) : undefined;
  return config ? { key: step.concurrencyKey, limit: config.parallelism } : null;
}
