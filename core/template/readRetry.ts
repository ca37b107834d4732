/**
 * tasker-core's `retry` block, read over its defaults (retryable, 3 attempts, exponential 1 s up
 * to 30 s). Used by steps and by environment overrides, which replace a step's whole block.
 */
import { DEFAULT_RETRY, type BackoffKind, type RetryPolicy } from '../model/template.js';
import type { MapReader } from './mapReader.js';

const RETRY_FIELDS = ['retryable', 'max_attempts', 'limit', 'backoff', 'backoff_base_ms', 'max_backoff_ms', 'jitter'];
const BACKOFFS: readonly BackoffKind[] = ['exponential', 'linear', 'fixed', 'none'];

export function readRetry(s: MapReader): RetryPolicy | undefined {
  const r = s.map('retry', '{ retryable: true, max_attempts: 3, backoff: exponential }');
  if (!r) return undefined;
  r.checkKeys(RETRY_FIELDS);
  const retry: RetryPolicy = { ...DEFAULT_RETRY };
  const retryable = r.boolean('retryable');
  if (retryable !== undefined) retry.retryable = retryable;
  // `limit` is the Ruby worker's name for max_attempts. tasker-core always runs the first attempt
  // and retries while attempts < max_attempts, so 0 means what 1 means: one attempt, no retry.
  const attemptsKey = r.pick('max_attempts', 'limit') ?? 'max_attempts';
  const maxAttempts = r.number(attemptsKey, { integer: true, min: 0, example: '3' });
  if (maxAttempts !== undefined) retry.maxAttempts = Math.max(1, maxAttempts);
  if (r.has('backoff') && r.string('backoff') === 'fibonacci') {
    // tasker-core knows fibonacci backoff; Stepwise approximates it, and says so.
    r.ctx.report('WRONG_TYPE', `${s.what}: backoff \`fibonacci\` is not supported; exponential is used instead`, r.loc('backoff'), {
      severity: 'warning',
      hint: `use one of ${BACKOFFS.join(', ')}`,
    });
    retry.backoff = 'exponential';
  } else {
    const backoff = r.oneOf('backoff', BACKOFFS);
    if (backoff !== undefined) retry.backoff = backoff;
  }
  const base = r.number('backoff_base_ms', { min: 0, example: '1000' });
  if (base !== undefined) retry.backoffBaseMs = base;
  const max = r.number('max_backoff_ms', { min: 0, example: '30000' });
  if (max !== undefined) retry.maxBackoffMs = max;
  const jitter = r.boolean('jitter');
  if (jitter !== undefined) retry.jitter = jitter;
  return retry;
}
