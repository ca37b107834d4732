/** scripts/testDeps.mjs (npm test's pretest): what is missing is named in one line, with what to run. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'testDeps.mjs');

describe('testDeps --check', () => {
  it('names a missing Chromium and the apt command in one line, exit 1', () => {
    const r = spawnSync(process.execPath, [script, '--check'], { env: { ...process.env, STEPWISE_CHROMIUM: '/nowhere/chromium' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^The tests need Chromium \(\/nowhere\/chromium\).*sudo apt-get install -y chromium\b.*then run npm test again\.$/);
  });
});
