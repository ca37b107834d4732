/**
 * The host's network surface refuses what it must: no token, a wrong token, another Origin,
 * a rebound Host name; it listens on loopback only; malformed and oversized messages get a
 * typed answer (or a typed close) and the host keeps serving.
 */
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HostServer } from '../../core/host/server.js';
import { connect, exchange, isRefusal, query, startTestServer, TOKEN } from './host.fixtures.js';

let server: HostServer;
let base: string;
let wsUrl: string;

beforeAll(async () => {
  ({ server } = await startTestServer());
  base = server.url;
  wsUrl = `ws://127.0.0.1:${server.port}/trpc`;
});
afterAll(async () => server.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listening address', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = tcpConnect({ host: address, port: server.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused, `reachable on ${address}`).toBe(true);
    }
  });
});

describe('WebSocket upgrade', () => {
  it('refuses a connection without a token (401)', async () => {
    const result = await connect(wsUrl);
    expect(isRefusal(result) && result.status).toBe(401);
    expect(isRefusal(result) && JSON.parse(result.body).code).toBe('UNAUTHORIZED');
  });

  it('refuses a wrong token (401)', async () => {
    const result = await connect(`${wsUrl}?token=not-the-token`);
    expect(isRefusal(result) && result.status).toBe(401);
  });

  it('refuses another Origin even with the right token (403)', async () => {
    const result = await connect(`${wsUrl}?token=${TOKEN}`, { Origin: 'http://evil.example' });
    expect(isRefusal(result) && result.status).toBe(403);
  });

  it('refuses a page served from another port of localhost (403)', async () => {
    const result = await connect(`${wsUrl}?token=${TOKEN}`, { Origin: `http://127.0.0.1:${server.port + 1}` });
    expect(isRefusal(result) && result.status).toBe(403);
  });

  it('refuses a rebound Host name (403)', async () => {
    const result = await connect(`${wsUrl}?token=${TOKEN}`, { Host: `attacker.example:${server.port}` });
    expect(isRefusal(result) && result.status).toBe(403);
  });

  it('accepts its own origin with the token in the query', async () => {
    const ws = await connect(`${wsUrl}?token=${TOKEN}`, { Origin: base });
    expect(isRefusal(ws)).toBe(false);
    const answer = await query(ws as WebSocket, 1, 'templates');
    expect((answer.result as { data: Array<{ ref: string }> }).data.map((t) => t.ref)).toEqual(['testing/pipeline@1.0.0']);
    (ws as WebSocket).close();
  });

  it('accepts the token as a subprotocol and never echoes it back', async () => {
    const ws = await connect(wsUrl, {}, ['stepwise', `stepwise.token.${TOKEN}`]);
    expect(isRefusal(ws)).toBe(false);
    expect((ws as WebSocket).protocol).toBe('stepwise');
    (ws as WebSocket).close();
  });
});

describe('HTTP', () => {
  it('guards the API with the token and origin', async () => {
    expect((await get('/api/health')).status).toBe(401);
    expect((await get('/api/health', { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get('/api/health', { Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example' })).status).toBe(403);
    const ok = await get(`/api/health?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, templates: 1 });
  });

  it('refuses a rebound Host name for static files too', async () => {
    expect((await get('/', { Host: `attacker.example:${server.port}` })).status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await get('/%2e%2e/package.json')).status).not.toBe(200);
    expect((await get('/..%2f..%2fpackage.json')).status).not.toBe(200);
  });
});

describe('bad messages', () => {
  let ws: WebSocket;
  beforeAll(async () => {
    ws = (await connect(`${wsUrl}?token=${TOKEN}`)) as WebSocket;
  });
  afterAll(() => ws.close());

  it('answers malformed JSON with a typed PARSE_ERROR and keeps the connection', async () => {
    const answer = await exchange(ws, '{"id": 1, "method": ');
    const error = answer.error as { data: { code: string; stepwise: { code: string } } };
    expect(error.data.code).toBe('PARSE_ERROR');
    expect(error.data.stepwise.code).toBe('PROTOCOL_ERROR');
    const ok = await query(ws, 2, 'templates');
    expect(ok.result).toBeDefined();
  });

  it('answers a message of the wrong shape with a typed error', async () => {
    const answer = await exchange(ws, JSON.stringify({ id: 3, method: 'explode', params: 42 }));
    expect(answer.error).toBeDefined();
    const again = await query(ws, 4, 'templates');
    expect(again.result).toBeDefined();
  });

  it('answers an unknown procedure with NOT_FOUND', async () => {
    const answer = await query(ws, 5, 'dropDatabase');
    expect((answer.error as { data: { code: string } }).data.code).toBe('NOT_FOUND');
  });

  it('answers input that fails validation with BAD_REQUEST / INPUT_INVALID and the issues', async () => {
    const answer = await query(ws, 6, 'tasks', { limit: -5, status: ['exploded'] });
    const error = answer.error as { data: { code: string; stepwise: { code: string; issues: unknown[] } } };
    expect(error.data.code).toBe('BAD_REQUEST');
    expect(error.data.stepwise.code).toBe('INPUT_INVALID');
    expect(error.data.stepwise.issues.length).toBeGreaterThanOrEqual(2);
  });

  it('answers a missing template with NOT_FOUND and the known templates', async () => {
    const answer = await query(ws, 7, 'templateGraph', { ref: 'nope/nothing@1' });
    const error = answer.error as { message: string; data: { code: string; stepwise: { code: string } } };
    expect(error.data.code).toBe('NOT_FOUND');
    expect(error.data.stepwise.code).toBe('NOT_FOUND');
    expect(error.message).toContain('testing/pipeline@1.0.0');
  });

  it('closes an oversized message with 1009 and still serves new connections', async () => {
    const big = (await connect(`${wsUrl}?token=${TOKEN}`)) as WebSocket;
    const code = await new Promise<number>((resolve) => {
      big.once('close', (c) => resolve(c));
      big.send('x'.repeat(2 * 1024 * 1024));
    });
    expect(code).toBe(1009);
    const fresh = (await connect(`${wsUrl}?token=${TOKEN}`)) as WebSocket;
    expect((await query(fresh, 1, 'templates')).result).toBeDefined();
    fresh.close();
  });
});
