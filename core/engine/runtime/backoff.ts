/**
 * Retry delays as pure functions of the attempt number and the template's retry policy.
 * Randomness (jitter) is injected so tests can pin it.
 */
import type { BackoffKind, RetryPolicy } from '../../model/template.js';
import { assertNever } from '../../model/errors.js';

/** A source of numbers in [0, 1). */
export type Random = () => number;

/** The un-jittered, un-capped delay before attempt `attempt + 1`, after `attempt` failed (1-based). */
export function baseDelayMs(kind: BackoffKind, baseMs: number, attempt: number): number {
  const n = Math.max(1, attempt);
  switch (kind) {
    case 'exponential':
      return baseMs * 2 ** (n - 1);
    case 'linear':
      return baseMs * n;
    case 'fixed':
      return baseMs;
    case 'none':
      return 0;
    default:
      return assertNever(kind, 'backoff kind');
  }
}

/**
 * The delay before the next attempt. A server-requested delay (`RetryableError.retryAfterMs`)
 * wins over the policy, is not jittered, and is still capped by `maxBackoffMs`. Jitter keeps
 * between 50% and 100% of the computed delay, so retries of many steps spread out.
 */
export function retryDelayMs(
  policy: Pick<RetryPolicy, 'backoff' | 'backoffBaseMs' | 'maxBackoffMs' | 'jitter'>,
  attempt: number,
  options: { retryAfterMs?: number; random?: Random } = {},
): number {
  const cap = Math.max(0, policy.maxBackoffMs);
  if (options.retryAfterMs !== undefined && Number.isFinite(options.retryAfterMs)) {
    return Math.min(Math.max(0, Math.round(options.retryAfterMs)), cap);
  }
  const raw = Math.min(baseDelayMs(policy.backoff, policy.backoffBaseMs, attempt), cap);
  if (!policy.jitter || raw === 0) return Math.round(raw);
  const r = (options.random ?? Math.random)();
  return Math.round(raw * (0.5 + 0.5 * r));
}
