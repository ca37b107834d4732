/**
 * Vitest setup entry: add `'stepwise-workflows/testing/setup'` to `test.setupFiles` and the Stepwise
 * matchers are available in every test file (types included).
 */
import { expect } from 'vitest';
import { stepwiseMatchers } from './matchers.js';

expect.extend(stepwiseMatchers);
