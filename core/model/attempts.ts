/**
 * An attempt number against the attempts a step is allowed, in words for transition reasons and
 * the CLI. A retry by hand runs a step past its budget, and "attempt 3 of 2" reads as a bug:
 * say "attempt 3, 1 past the 2 allowed (a retry by hand)". PURE.
 */
export function attemptOfAllowed(attempt: number, allowed: number): string {
  if (attempt <= allowed) return `attempt ${attempt} of ${allowed}`;
  return `attempt ${attempt}, ${attempt - allowed} past the ${allowed} allowed (a retry by hand)`;
}
