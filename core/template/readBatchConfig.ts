/**
 * tasker-core's `batch_config` (batch size, parallelism, cursor field, worker template, failure
 * strategy) with tasker-core's ranges and defaults. Where it may stand and which step it names is
 * checked on the model (validateBatches), so TypeScript definitions get the same checks.
 */
import { BATCH_FAILURE_STRATEGIES, DEFAULT_BATCH_CONFIG, type BatchConfig, type SourceLocation } from '../model/template.js';
import type { MapReader } from './mapReader.js';

const BATCH_FIELDS = ['batch_size', 'parallelism', 'cursor_field', 'worker_template', 'failure_strategy'];

export function readBatchConfig(s: MapReader, fieldLocs: Record<string, SourceLocation>): BatchConfig | undefined {
  const b = s.map('batch_config', '{ worker_template: process_batch, batch_size: 1000, parallelism: 10, cursor_field: id, failure_strategy: continue_on_failure }');
  if (!b) return undefined;
  fieldLocs.batchConfig = s.loc('batch_config');
  b.checkKeys(BATCH_FIELDS);
  const workerTemplate = b.string('worker_template', { required: true });
  if (b.has('worker_template')) fieldLocs['batchConfig.workerTemplate'] = b.loc('worker_template');
  const batchSize = b.number('batch_size', { integer: true, min: 1, max: 100_000, example: '1000' });
  const parallelism = b.number('parallelism', { integer: true, min: 1, max: 1000, example: '10' });
  const cursorField = b.string('cursor_field', { example: 'id' });
  if (cursorField === '' || (cursorField !== undefined && cursorField.length > 255)) {
    b.ctx.report('WRONG_TYPE', `${b.what}: \`cursor_field\` must be a field name of 1 to 255 characters`, b.loc('cursor_field'), { hint: 'for example cursor_field: id' });
  }
  const failureStrategy = b.oneOf('failure_strategy', BATCH_FAILURE_STRATEGIES);
  if (workerTemplate === undefined || workerTemplate === '') {
    if (workerTemplate === '') b.ctx.report('MISSING_FIELD', `${b.what}: \`worker_template\` is empty`, b.loc('worker_template'), { hint: 'name the batch_worker step the workers are created from' });
    return undefined;
  }
  return {
    workerTemplate,
    batchSize: batchSize ?? DEFAULT_BATCH_CONFIG.batchSize,
    parallelism: parallelism ?? DEFAULT_BATCH_CONFIG.parallelism,
    cursorField: cursorField || DEFAULT_BATCH_CONFIG.cursorField,
    failureStrategy: failureStrategy ?? DEFAULT_BATCH_CONFIG.failureStrategy,
  };
}
