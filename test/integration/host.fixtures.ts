/**
 * Shared helpers for host tests: a server over the fixture workspace with in-memory storage
 * (no engine), and raw WebSocket helpers that speak the tRPC wire format.
 */
import path from 'node:path';
import WebSocket from 'ws';
import type { StepwiseEvent } from '../../core/model/events.js';
import { createEventBus } from '../../core/events/bus.js';
import { followEvents } from '../../core/events/log.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { startServer, type HostServer } from '../../core/host/server.js';
import type { HostServices } from '../../core/host/services.js';
import { systemClock } from '../../core/model/clock.js';
import { StepwiseError } from '../../core/model/errors.js';

export const FIXTURE_WORKSPACE = path.resolve(import.meta.dirname, '../fixtures/host/workspace');
export const TOKEN = 'test-token-0123456789abcdef';

export async function startTestServer(staticDir: string | null = null): Promise<{ server: HostServer; services: HostServices; bus: ReturnType<typeof createEventBus>; storage: MemoryStorage }> {
  const workspace = await loadWorkspace(FIXTURE_WORKSPACE);
  const storage = new MemoryStorage();
  const bus = createEventBus();
  const services: HostServices = {
    workspace: () => workspace,
    database: ':memory:',
    storage,
    clock: systemClock,
    startTask: async () => {
      throw new StepwiseError('INVALID_STATE', 'no engine in this test');
    },
    followEvents: (from, onEvent: (e: StepwiseEvent) => void) => followEvents(storage, bus, from, onEvent),
    onWorkspaceChanged: () => () => undefined,
    lastWorkspaceChange: () => null,
  };
  const server = await startServer({ services, token: TOKEN, staticDir });
  return { server, services, bus, storage };
}

export interface Refusal {
  status: number;
  body: string;
}

/** Opens a WebSocket; resolves with it when accepted, or with the HTTP refusal. */
export function connect(url: string, headers: Record<string, string> = {}, protocols?: string[]): Promise<WebSocket | Refusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (err) => reject(err));
  });
}

export function isRefusal(x: WebSocket | Refusal): x is Refusal {
  return !(x instanceof WebSocket);
}

/** Sends a raw frame and resolves with the next JSON message the server sends. */
export function exchange(ws: WebSocket, frame: string | Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (text === 'PING' || text === 'PONG') return;
      ws.off('message', onMessage);
      resolve(JSON.parse(text) as Record<string, unknown>);
    };
    ws.on('message', onMessage);
    ws.send(frame);
  });
}

export function query(ws: WebSocket, id: number, path: string, input?: unknown): Promise<Record<string, unknown>> {
  return exchange(ws, JSON.stringify({ id, method: 'query', params: { path, input } }));
}
