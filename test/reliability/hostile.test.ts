/**
 * The workbench host under attack (a real host: engine loop, SQLite, protocol server):
 * - bad RPC messages (fast-check): raw strings, JSON of any shape, tRPC-shaped requests with
 *   arbitrary ids, methods, paths and inputs. Every answer is JSON; every error carries a
 *   Stepwise code; a refused startTask stores nothing; the host keeps serving;
 * - connections without the token, with a wrong token or Origin: refused (401/403) with a code;
 * - oversized messages: the connection is closed with 1009, the host serves the next one;
 * - floods of subscriptions from many connections: the legitimate client is still served (its
 *   query answered, its task run and its events delivered), and when the flooders leave every
 *   event follower they opened is stopped.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StepwiseEvent } from '../../core/model/events.js';
import { inbox, isRefused, open, startTestHost, type TestHost } from './fixtures/host.js';
import { scaled, SEED } from './scale.js';

let t: TestHost;
const followers = { opened: 0, stopped: 0 };

beforeAll(async () => {
  t = await startTestHost();
  // Count the event followers the protocol opens (the router calls services.followEvents).
  const original = t.host.services.followEvents;
  t.host.services.followEvents = (from, onEvent) => {
    followers.opened += 1;
    const stop = original(from, onEvent);
    let stopped = false;
    return () => {
      if (!stopped) followers.stopped += 1;
      stopped = true;
      stop();
    };
  };
});
afterAll(async () => t.close());

const authed = () => `${t.wsUrl}?token=${t.token}`;

async function legit(): Promise<WebSocket> {
  const ws = await open(authed());
  if (isRefused(ws)) throw new Error(`legitimate client refused: ${ws.status} ${ws.body}`);
  return ws;
}

/** The legitimate client: a query answered with the templates. */
async function servesLegitimateClient(): Promise<void> {
  const ws = await legit();
  const box = inbox(ws);
  ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'templates' } }));
  const answer = await box.waitFor((m) => m.id === 1, 10_000);
  expect(answer && Array.isArray((answer.result as { data?: unknown } | undefined)?.data)).toBe(true);
  ws.close();
}

const PATHS = ['workspace', 'templates', 'templateGraph', 'tasks', 'task', 'runtimeGraph', 'stepDetail', 'eventCursor', 'events', 'startTask', 'onEvents', 'onWorkspaceChanged', 'nope', '', '__proto__', 'startTask.x'];

const frame = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record({
      id: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.string({ maxLength: 6 }), fc.constant(null)),
      jsonrpc: fc.option(fc.constantFrom('2.0', '1.0', 3), { nil: undefined }),
      method: fc.oneof(fc.constantFrom('query', 'mutation', 'subscription', 'subscription.stop'), fc.string({ maxLength: 8 }), fc.integer()),
      params: fc.oneof(
        fc.record({ path: fc.oneof(fc.constantFrom(...PATHS), fc.string({ maxLength: 10 })), input: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)), lastEventId: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }) }, { requiredKeys: ['path'] }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    }, { requiredKeys: ['id', 'method'] })
    .map((v) => JSON.stringify(v)),
);

describe('bad RPC messages', () => {
  it('get typed answers, store nothing when refused, and never take the host down', async () => {
    const ws = await legit();
    const box = inbox(ws);
    const storage = t.host.services.storage;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        const before = { tasks: (await storage.listTasks({ limit: 1 })).total };
        const start = box.messages.length;
        ws.send(text);
        let parsedId: unknown;
        try {
          parsedId = (JSON.parse(text) as { id?: unknown })?.id;
        } catch {
          parsedId = undefined;
        }
        const waitId = typeof parsedId === 'number' || typeof parsedId === 'string' ? parsedId : undefined;
        await box.waitFor((m) => box.messages.indexOf(m) >= start && (waitId === undefined || m.id === waitId), waitId === undefined ? 100 : 500);
        for (const m of box.messages.slice(start)) {
          if (!m.error) continue;
          errors += 1;
          const data = (m.error as { data?: { stepwise?: { code?: unknown } } }).data;
          expect(typeof data?.stepwise?.code, JSON.stringify(m)).toBe('string');
          // A refused startTask stored nothing.
          if (text.includes('startTask')) expect((await storage.listTasks({ limit: 1 })).total).toBe(before.tasks);
        }
        // Stop any subscription the frame may have started, so the next frames stay independent.
        if (waitId !== undefined) ws.send(JSON.stringify({ id: waitId, method: 'subscription.stop' }));
      }),
      { seed: SEED, numRuns: scaled(400, 100) },
    );
    expect(errors).toBeGreaterThan(0);
    ws.close();
    await servesLegitimateClient();
  });
});

describe('hostile connections', () => {
  it('refuses missing or wrong tokens and foreign origins, with a code', async () => {
    const attempts = await Promise.all([
      ...Array.from({ length: 20 }, () => open(t.wsUrl)),
      ...Array.from({ length: 20 }, (_, i) => open(`${t.wsUrl}?token=wrong-${i}`)),
      ...Array.from({ length: 20 }, () => open(authed(), { Origin: 'http://evil.example' })),
    ]);
    const statuses = attempts.map((a) => (isRefused(a) ? a.status : 'accepted'));
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(40).every((s) => s === 403)).toBe(true);
    for (const a of attempts) if (isRefused(a)) expect(JSON.parse(a.body).code).toBe('UNAUTHORIZED');
    await servesLegitimateClient();
  });

  it('closes oversized messages with 1009 and keeps serving', async () => {
    const codes = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const ws = await legit();
        return new Promise<number>((resolve) => {
          ws.once('close', (code) => resolve(code));
          ws.send(Buffer.alloc(2 * 1024 * 1024, 'x'));
        });
      }),
    );
    expect(codes).toEqual([1009, 1009, 1009, 1009, 1009]);
    await servesLegitimateClient();
  });

  it('survives a flood of subscriptions and releases them when the flooders leave', async () => {
    const clients = scaled(20, 8);
    const perClient = scaled(250, 100);
    const openedBefore = followers.opened;
    const flooders = await Promise.all(Array.from({ length: clients }, () => legit()));
    for (const ws of flooders) {
      for (let i = 0; i < perClient; i++) ws.send(JSON.stringify({ id: i + 1, method: 'subscription', params: { path: 'onEvents', input: { fromSeq: 0 } } }));
    }
    // The legitimate client meanwhile: a query, a task started and all its events received.
    const ws = await legit();
    const box = inbox(ws);
    ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'eventCursor' } }));
    const cursorAnswer = await box.waitFor((m) => m.id === 1, 20_000);
    const cursor = (cursorAnswer?.result as { data: { seq: number } }).data.seq;
    ws.send(JSON.stringify({ id: 2, method: 'subscription', params: { path: 'onEvents', input: { fromSeq: cursor } } }));
    ws.send(JSON.stringify({ id: 3, method: 'mutation', params: { path: 'startTask', input: { ref: 'testing/pipeline@1.0.0', input: { source: 'flood' } } } }));
    const started = await box.waitFor((m) => m.id === 3, 30_000);
    const taskId = ((started?.result as { data: { id: string } }).data).id;
    const completed = await box.waitFor(
      (m) => m.id === 2 && ((m.result as { data?: { data?: StepwiseEvent } } | undefined)?.data?.data?.type === 'task.completed'),
      60_000,
    );
    expect((completed?.result as { data: { data: StepwiseEvent } }).data.data.taskId).toBe(taskId);
    ws.close();

    await Promise.all(flooders.map((f) => new Promise((resolve) => (f.once('close', resolve), f.terminate()))));
    const deadline = Date.now() + 20_000;
    while (followers.opened !== followers.stopped && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(followers.opened - openedBefore).toBeGreaterThanOrEqual(clients * perClient);
    expect(followers.opened - followers.stopped).toBe(0);
    await servesLegitimateClient();
  });
});
