/**
 * The workbench's files over HTTP (sirv): the page with its CSP and never cached, hashed assets
 * cached for good, ETag/304, byte ranges, HEAD; nothing outside the folder, whatever the path;
 * only GET and HEAD; a clear 503 when the UI is not built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostServer } from '../../core/host/server.js';
import { startTestServer } from './host.fixtures.js';

let root: string;
let server: HostServer;
let bare: HostServer;
const JS = 'console.log("workbench");\n'.repeat(40);

/** A raw request: the path is sent exactly as given (fetch would normalise `..`). */
function get(srv: HostServer, rawPath: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path: rawPath, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${srv.port}`, ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'stepwise-static-'));
  const site = path.join(root, 'renderer');
  mkdirSync(path.join(site, 'assets'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc.js"></script>');
  writeFileSync(path.join(site, 'assets', 'index-abc.js'), JS);
  writeFileSync(path.join(site, '.secret'), 'hidden');
  writeFileSync(path.join(root, 'outside.txt'), 'outside the folder');
  server = (await startTestServer(site)).server;
  bare = (await startTestServer(null)).server;
});

afterAll(async () => {
  await server?.close();
  await bare?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the workbench files', () => {
  it('serves the page with its CSP, never cached', async () => {
    const page = await get(server, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('/assets/index-abc.js');
  });

  it('serves hashed assets cached for good, with an ETag that answers 304', async () => {
    const asset = await get(server, '/assets/index-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBeUndefined();
    const etag = asset.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await get(server, '/assets/index-abc.js', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers a byte range with 206 and HEAD without a body', async () => {
    const part = await get(server, '/assets/index-abc.js', { headers: { Range: 'bytes=0-6' } });
    expect(part.status).toBe(206);
    expect(part.body).toBe('console');
    expect(part.headers['content-range']).toBe(`bytes 0-6/${JS.length}`);
    const head = await get(server, '/assets/index-abc.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(JS.length);
    expect(head.body).toBe('');
  });

  it('serves nothing outside the folder, nor dotfiles, however the path is spelled', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/..%5coutside.txt', '/.secret', '/a%00b', '/%E0%A4%A', '//etc/passwd']) {
      const r = await get(server, p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('outside the folder');
      expect(r.body, p).not.toContain('hidden');
    }
  });

  it('refuses other methods with 405, and says the UI is not built with 503', async () => {
    const post = await get(server, '/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const missing = await get(bare, '/');
    expect(missing.status).toBe(503);
    expect(missing.body).toContain('The workbench UI is not built');
  });
});
