/**
 * Serves the built renderer (out/renderer) read-only, with sirv: ETag and 304, byte ranges, HEAD,
 * content types. sirv lists the folder once at start and serves only the files it found, so no
 * path (`..`, encoded or not) reaches outside it. Static files hold no secrets and need no token
 * (the page reads the token from its own URL); the caller has checked the Host header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { contentSecurityPolicy } from './csp.js';

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => void;

const text = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) =>
  void res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(body);

/** The handler for the workbench's files under `root` (null: not built), for a host on `port()`. */
export function createStaticHandler(root: string | null, port: () => number): StaticHandler {
  const serve =
    root === null
      ? null
      : sirv(root, {
          etag: true,
          dotfiles: false,
          setHeaders(res, pathname) {
            res.setHeader('X-Content-Type-Options', 'nosniff');
            res.setHeader('Referrer-Policy', 'no-referrer');
            // Hashed asset names change with every build; the page itself must not be cached.
            res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store');
            if (pathname.endsWith('.html') || pathname === '/' || !pathname.includes('.')) res.setHeader('Content-Security-Policy', contentSecurityPolicy(port()));
          },
        });
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
    if (serve === null) return text(res, 503, 'The workbench UI is not built. Run `npm run build`, then restart `stepwise serve`.\n');
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    serve(req, res, () => text(res, 404, `Not found: ${pathname}\n`));
  };
}
