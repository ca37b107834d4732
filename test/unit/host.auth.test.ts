/** Who may talk to the host: token, Origin and Host checks as pure functions. */
import { describe, expect, it } from 'vitest';
import { authorize, generateToken, tokenFromRequest } from '../../core/host/auth.js';
import { parseReadyLine, formatReadyLine } from '../../core/host/ready.js';

const token = 'a'.repeat(43);
const facts = (over: Partial<Parameters<typeof authorize>[0]> = {}) => ({
  url: `/trpc?token=${token}`,
  origin: undefined,
  host: '127.0.0.1:4000',
  protocols: undefined,
  authorization: undefined,
  ...over,
});

describe('authorize', () => {
  it('accepts the token from the query, a subprotocol or a bearer header', () => {
    expect(authorize(facts(), token, 4000).ok).toBe(true);
    expect(authorize(facts({ url: '/trpc', protocols: `stepwise, stepwise.token.${token}` }), token, 4000).ok).toBe(true);
    expect(authorize(facts({ url: '/api/health', authorization: `Bearer ${token}` }), token, 4000).ok).toBe(true);
  });

  it('refuses a missing or wrong token with 401', () => {
    expect(authorize(facts({ url: '/trpc' }), token, 4000)).toMatchObject({ ok: false, status: 401 });
    expect(authorize(facts({ url: '/trpc?token=b' }), token, 4000)).toMatchObject({ ok: false, status: 401 });
  });

  it('accepts only the host’s own origins and loopback Host names', () => {
    expect(authorize(facts({ origin: 'http://127.0.0.1:4000' }), token, 4000).ok).toBe(true);
    expect(authorize(facts({ origin: 'http://localhost:4000', host: 'localhost:4000' }), token, 4000).ok).toBe(true);
    expect(authorize(facts({ origin: 'http://127.0.0.1:4001' }), token, 4000)).toMatchObject({ status: 403 });
    expect(authorize(facts({ origin: 'null' }), token, 4000)).toMatchObject({ status: 403 });
    expect(authorize(facts({ host: 'evil.example:4000' }), token, 4000)).toMatchObject({ status: 403 });
    expect(authorize(facts({ host: undefined }), token, 4000)).toMatchObject({ status: 403 });
  });

  it('generates long random tokens', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
    expect(tokenFromRequest({ url: '/', protocols: undefined, authorization: undefined })).toBeNull();
  });
});

describe('ready line', () => {
  it('round-trips and ignores other output', () => {
    const info = { url: 'http://127.0.0.1:1', port: 1, token: 't', openUrl: 'u', workspace: 'w', database: 'd', pid: 2 };
    expect(parseReadyLine(formatReadyLine(info))).toEqual(info);
    expect(parseReadyLine('hello')).toBeNull();
    expect(parseReadyLine('STEPWISE_READY {broken')).toBeNull();
  });
});
