/** core/export/fileName.ts: the one naming rule for exported graphs (host route and desktop menu). */
import { describe, expect, it } from 'vitest';
import { exportFileName } from '../../core/export/fileName.js';
import { contentSecurityPolicy, LOCKED_DOWN_POLICY } from '../../core/host/csp.js';

describe('exportFileName', () => {
  it('names a template graph by its ref with a safe character set and the format extension', () => {
    expect(exportFileName({ id: 'demo/diamond@1.0.0' }, 'dot')).toBe('demo_diamond_1.0.0.dot');
    expect(exportFileName({ id: 'demo/diamond@1.0.0' }, 'mermaid')).toBe('demo_diamond_1.0.0.mmd');
    expect(exportFileName({ id: '../../etc/passwd' }, 'svg')).toBe('.._.._etc_passwd.svg');
    expect(exportFileName({ id: 'a b/c' }, 'json')).not.toMatch(/[ /]/);
  });

  it('adds the first 8 characters of the task id for a runtime graph', () => {
    expect(exportFileName({ id: 'demo/diamond@1.0.0', taskId: '0123456789abcdef' }, 'svg')).toBe('demo_diamond_1.0.0-01234567.svg');
  });
});

describe('contentSecurityPolicy', () => {
  it('allows WebSockets only to the host port and scripts only from the page origin', () => {
    const csp = contentSecurityPolicy(4321);
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:4321 ws:\/\/localhost:4321(;|$)/);
    expect(csp).toMatch(/script-src 'self' 'unsafe-eval'(;|$)/);
    expect(csp).not.toMatch(/\*/);
    expect(LOCKED_DOWN_POLICY).toMatch(/^default-src 'none'/);
  });
});
