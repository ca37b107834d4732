import { describe, expect, it } from 'vitest';
import { checkLeaseMs, LEASE_MS_MAX, LEASE_MS_MIN } from '../../core/cli/commands/runner.js';

describe('stepwise runner --lease-ms', () => {
  it('takes whole milliseconds within the bounds', () => {
    expect(checkLeaseMs('2000')).toBe(2000);
    expect(checkLeaseMs(String(LEASE_MS_MIN))).toBe(LEASE_MS_MIN);
    expect(checkLeaseMs(String(LEASE_MS_MAX))).toBe(LEASE_MS_MAX);
  });

  it('refuses anything else with USAGE naming the bounds and the value', () => {
    for (const bad of ['', ' ', '999', '3600001', '1.5e3x', '2000.5', 'NaN', 'Infinity', '-2000']) {
      let err: unknown;
      try {
        checkLeaseMs(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toMatchObject({ code: 'USAGE' });
      expect((err as Error).message).toContain(`got '${bad}'`);
      expect((err as Error).message).toContain('1000 to 3600000');
    }
  });
});
