/**
 * Shared helpers for host tests: a server over the fixture workspace with in-memory storage
 * (no engine), and raw WebSocket helpers that speak the tRPC wire format.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client';
import WebSocket from 'ws';
import { startHost, type Host } from '../../core/host/host.js';
import type { AppRouter } from '../../core/host/router.js';
import type { StepwiseEvent } from '../../core/model/events.js';
import { createEventBus } from '../../core/events/bus.js';
import { followEvents } from '../../core/events/log.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { startServer, type HostServer } from '../../core/host/server.js';
import type { HostServices } from '../../core/host/services.js';
import { systemClock } from '../../core/model/clock.js';
import { StepwiseError } from '../../core/model/errors.js';
import { silentLogger } from '../../core/model/logger.js';
import { testDatabase } from '../fixtures/storage/testStorage.js';

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

const REPO = path.resolve(import.meta.dirname, '../..');

export interface ExampleHost {
  host: Host;
  api: TRPCClient<AppRouter>;
  /** The copy of resources/examples the host runs (tests may change its files). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * A real host running an engine on a fresh copy of the example workspace, with a tRPC client: on
 * SQLite, or in the `postgres` vitest project on a database of its own (`stepwise serve --db
 * postgres://… --engine`).
 */
export async function startExampleHost(prefix: string): Promise<ExampleHost> {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const dir = path.join(root, 'examples');
  cpSync(path.join(REPO, 'resources/examples'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.stepwise`) });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  // The host opens its own storage on it; a PostgreSQL database is dropped when the host stops.
  const database = await testDatabase(path.join(root, 'db.sqlite'));
  const host = await startHost({ workspace: dir, db: database.db, runEngine: true, logger: silentLogger() });
  const ws = createWSClient({ url: `ws://127.0.0.1:${host.info.port}/trpc?token=${host.info.token}`, WebSocket: WebSocket as never });
  return {
    host,
    api: createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] }),
    dir,
    stop: async () => {
      ws.close();
      await host.close();
      await database.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Polls `read` until `ok` holds (or fails after `ms`). */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
