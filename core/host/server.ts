/**
 * The host's network surface: one HTTP server on 127.0.0.1 that serves the renderer build,
 * a small token-guarded HTTP API (/api/...) and the tRPC WebSocket (/trpc). Every upgrade is
 * checked (Host, Origin, token) before the WebSocket handshake completes; a refused upgrade
 * gets a plain HTTP 401/403 and the socket is closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { APP_PROTOCOL, authorize, checkHostHeader, type AuthVerdict, type RequestFacts } from './auth.js';
import { MAX_MESSAGE_BYTES } from './limits.js';
import { appRouter } from './router.js';
import type { HostServices } from './services.js';
import { createStaticHandler } from './static.js';
import { summarizeTemplates } from './summaries.js';
import { StepwiseError } from '../model/errors.js';

export const LOOPBACK = '127.0.0.1';
export { MAX_MESSAGE_BYTES };
export const TRPC_PATH = '/trpc';

export interface HostServer {
  port: number;
  url: string;
  /** Closes every WebSocket and stops listening. */
  close(): Promise<void>;
  /** Asks connected clients to reconnect (before a planned restart). */
  broadcastReconnect(): void;
}

export interface ServerOptions {
  services: HostServices;
  token: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Built renderer folder, or null when there is none. */
  staticDir: string | null;
  /** Called with errors that reached no client (logged by the host). */
  onError?: (err: unknown) => void;
}

function factsOf(req: IncomingMessage): RequestFacts {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    url: req.url,
    origin: header('origin'),
    host: header('host'),
    protocols: header('sec-websocket-protocol'),
    authorization: header('authorization'),
  };
}

function refuseUpgrade(socket: Duplex, verdict: Extract<AuthVerdict, { ok: false }>): void {
  const reason = verdict.status === 401 ? 'Unauthorized' : 'Forbidden';
  const body = JSON.stringify({ code: verdict.code, message: verdict.message });
  socket.end(
    `HTTP/1.1 ${verdict.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(JSON.stringify(value));
}

export async function startServer(options: ServerOptions): Promise<HostServer> {
  const { services, token } = options;
  let port = 0;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Never echo the token subprotocol back; answer with the application protocol.
    handleProtocols: (protocols) => (protocols.has(APP_PROTOCOL) ? APP_PROTOCOL : false),
  });
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: () => ({ services }),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    maxBatchSize: 50,
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') options.onError?.(new Error(`${path ?? 'request'}: ${error.message}`, { cause: error.cause }));
    },
  });
  wss.on('connection', (socket) => socket.on('error', (err) => options.onError?.(err)));

  const serveStatic = createStaticHandler(options.staticDir, () => port);
  const server: Server = createServer((req, res) => {
    void handleHttp(req, res).catch((err) => {
      options.onError?.(err);
      if (!res.headersSent) sendJson(res, 500, { code: 'PROTOCOL_ERROR', message: 'Internal error; see the host log.' });
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const facts = factsOf(req);
    const hostOk = checkHostHeader(facts.host, port);
    if (!hostOk.ok) return sendJson(res, hostOk.status, { code: hostOk.code, message: hostOk.message });
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname.startsWith('/api/')) {
      const verdict = authorize(facts, token, port);
      if (!verdict.ok) return sendJson(res, verdict.status, { code: verdict.code, message: verdict.message });
      if (pathname === '/api/health' && req.method === 'GET') {
        const ws = services.workspace();
        return sendJson(res, 200, { ok: true, workspace: ws.root, templates: ws.templates.length, pid: process.pid });
      }
      if (pathname === '/api/templates' && req.method === 'GET') return sendJson(res, 200, summarizeTemplates(services.workspace()));
      return sendJson(res, 404, { code: 'NOT_FOUND', message: `No API endpoint ${req.method} ${pathname}.` });
    }
    if (pathname === TRPC_PATH) return sendJson(res, 426, { code: 'PROTOCOL_ERROR', message: 'Connect with a WebSocket.' });
    serveStatic(req, res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname !== TRPC_PATH) {
      refuseUpgrade(socket, { ok: false, status: 403, code: 'UNAUTHORIZED', message: `No WebSocket endpoint at ${pathname}.` });
      return;
    }
    const verdict = authorize(factsOf(req), token, port);
    if (!verdict.ok) return refuseUpgrade(socket, verdict);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, options.port ?? 0)));
    // Loopback only, always: the host must never be reachable from another machine.
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://${LOOPBACK}:${port}`,
    broadcastReconnect: () => handler.broadcastReconnectNotification(),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Why the host could not listen, as one line that says what to do (not a raw EADDRINUSE stack). */
function listenError(err: Error, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new StepwiseError('USAGE', `Port ${port} on ${LOOPBACK} is already in use (another workbench or program listens there). Pick another with --port N, or leave --port out for a free one.`, { port });
  }
  if (code === 'EACCES') {
    return new StepwiseError('USAGE', `This user may not listen on port ${port} of ${LOOPBACK} (ports below 1024 need privileges). Pick a port from 1024 up with --port N, or leave --port out for a free one.`, { port });
  }
  return err;
}
