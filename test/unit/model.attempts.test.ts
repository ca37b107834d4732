/** Attempts past the allowed number are said in words, never "attempt 3 of 2" (core/model/attempts). */
import { describe, expect, it } from 'vitest';
import { attemptOfAllowed } from '../../core/model/attempts.js';

describe('attemptOfAllowed', () => {
  it('says "n of max" within the allowance and how far past it a retry by hand went', () => {
    expect(attemptOfAllowed(2, 2)).toBe('attempt 2 of 2');
    expect(attemptOfAllowed(3, 2)).toBe('attempt 3, 1 past the 2 allowed (a retry by hand)');
  });
});
