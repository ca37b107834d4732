/**
 * Who may talk to the host. Pure checks over request headers, so the security rules can be
 * tested without a socket:
 * - the host listens on loopback only, but any local program (or a web page in a browser, via
 *   DNS rebinding or a cross-site WebSocket) can reach a loopback port; so
 * - every API call and every WebSocket presents the per-launch token, and
 * - a request that carries an Origin must come from the host's own origin, and its Host header
 *   must name the loopback address (defeats DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Subprotocol prefix a client may use instead of the `token` query parameter. */
export const TOKEN_PROTOCOL_PREFIX = 'stepwise.token.';
/** The subprotocol the host answers with (never echoes the token back). */
export const APP_PROTOCOL = 'stepwise';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface RequestFacts {
  /** The request target, e.g. `/trpc?token=...`. */
  url: string | undefined;
  origin: string | undefined;
  host: string | undefined;
  /** `Sec-WebSocket-Protocol`, comma separated. */
  protocols: string | undefined;
  authorization: string | undefined;
}

export type AuthVerdict =
  | { ok: true }
  | { ok: false; status: 401 | 403; code: 'UNAUTHORIZED'; message: string };

/** The origins a browser page served by this host sends: the loopback names with this port. */
export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export function tokenFromRequest(facts: Pick<RequestFacts, 'url' | 'protocols' | 'authorization'>): string | null {
  const query = new URL(facts.url ?? '/', 'http://127.0.0.1').searchParams.get('token');
  if (query) return query;
  for (const p of (facts.protocols ?? '').split(',')) {
    const name = p.trim();
    if (name.startsWith(TOKEN_PROTOCOL_PREFIX)) return name.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(facts.authorization ?? '');
  return bearer ? bearer[1]! : null;
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host header must be a loopback name with our port: a rebound DNS name is refused. */
export function checkHostHeader(host: string | undefined, port: number): AuthVerdict {
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (host !== undefined && allowed.includes(host.toLowerCase())) return { ok: true };
  return {
    ok: false,
    status: 403,
    code: 'UNAUTHORIZED',
    message: `Host '${host ?? ''}' is not this workbench host; open http://127.0.0.1:${port}/ instead.`,
  };
}

/**
 * The full check for API calls and WebSocket upgrades. A request without an Origin header comes
 * from a program, not a browser page: it still needs the token.
 */
export function authorize(facts: RequestFacts, expectedToken: string, port: number): AuthVerdict {
  const host = checkHostHeader(facts.host, port);
  if (!host.ok) return host;
  if (facts.origin !== undefined && !allowedOrigins(port).includes(facts.origin)) {
    return {
      ok: false,
      status: 403,
      code: 'UNAUTHORIZED',
      message: `Origin '${facts.origin}' may not use this workbench host; only pages it serves may.`,
    };
  }
  const token = tokenFromRequest(facts);
  if (token === null || !tokensEqual(token, expectedToken)) {
    return {
      ok: false,
      status: 401,
      code: 'UNAUTHORIZED',
      message: token === null
        ? 'Missing token: open the URL the host printed (it ends with ?token=...).'
        : 'Wrong token: the host was restarted or the URL is from another launch; use the URL it printed last.',
    };
  }
  return { ok: true };
}
