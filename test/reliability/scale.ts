/** How big the reliability runs are: RELIABILITY_SCALE=small for CI, full (issue 8's sizes) otherwise. */
export const SMALL = process.env.RELIABILITY_SCALE === 'small';

/** `full` normally, `small` under RELIABILITY_SCALE=small. */
export function scaled<T>(full: T, small: T): T {
  return SMALL ? small : full;
}

/** A deterministic seed (RELIABILITY_SEED overrides it), printed by the tests that use it. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20260801);
