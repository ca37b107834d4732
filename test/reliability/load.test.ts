/**
 * Load: 100 tasks × 100 steps run by a real host while a workbench client (the renderer's tRPC
 * WebSocket client) follows the event log from seq 0 with `onEvents`. Midway the client's socket
 * is torn down (a network drop); the client reconnects and resumes from the last event id it
 * saw. It must receive every event exactly once and in order: seqs 1..N without a gap or a
 * repeat, the same events the log holds. RELIABILITY_SCALE=small: 20 tasks × 50 steps.
 */
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppRouter } from '../../core/host/router.js';
import type { StepwiseEvent } from '../../core/model/events.js';
import { startTestHost, type TestHost } from './fixtures/host.js';
import { scaled } from './scale.js';

const TASKS = scaled(100, 20);
const STEPS = scaled(100, 50);
let t: TestHost;

beforeAll(async () => {
  t = await startTestHost({ layers: [STEPS] });
});
afterAll(async () => t?.close());

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('load with a subscribed workbench client', () => {
  it(`delivers every event of ${TASKS} tasks × ${STEPS} steps exactly once, in order, across a forced reconnect`, async () => {
    let opens = 0;
    const wsClient = createWSClient({
      url: `${t.wsUrl}?token=${t.token}`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      retryDelayMs: () => 100,
      onOpen: () => void (opens += 1),
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const received: StepwiseEvent[] = [];
    const errors: unknown[] = [];
    const sub = client.onEvents.subscribe(
      { fromSeq: 0 },
      {
        onData: (d) => received.push(((d as { data?: StepwiseEvent }).data ?? d) as StepwiseEvent),
        onError: (err) => errors.push(err),
      },
    );
    try {
      const ref = `load/layers_${STEPS}@1.0.0`;
      for (let i = 0; i < TASKS; i++) await client.startTask.mutate({ ref, input: {} });

      // A network drop while the engine is busy: the socket dies without a close handshake.
      await waitUntil('the first step completions', () => received.filter((e) => e.type === 'step.completed').length >= (TASKS * STEPS) / 20, 300_000);
      const before = received.length;
      const droppedAt = received.at(-1)!.seq;
      const socket = wsClient.connection?.ws as unknown as WebSocket | undefined;
      expect(socket).toBeDefined();
      socket!.terminate();
      await waitUntil('the reconnect', () => opens >= 2, 30_000);

      const storage = t.host.services.storage;
      await waitUntil('every task complete', async () => (await storage.listTasks({ status: 'complete', limit: 1 })).total === TASKS, scaled(900_000, 300_000));
      const last = await storage.lastEventSeq();
      await waitUntil('the last event', () => (received.at(-1)?.seq ?? 0) >= last, 60_000);

      expect(errors).toEqual([]);
      // The engine kept working after the drop: the client got those events over the new socket.
      expect(last).toBeGreaterThan(droppedAt);
      expect(received.length).toBeGreaterThan(before);
      const seqs = received.map((e) => e.seq);
      // Exactly once, in order, nothing missing: 1..last.
      expect(seqs.length).toBe(last);
      for (let i = 0; i < seqs.length; i++) if (seqs[i] !== i + 1) expect.fail(`event #${i} has seq ${seqs[i]}, expected ${i + 1} (around the reconnect at #${before}?)`);
      // The same events the log holds.
      const log: StepwiseEvent[] = [];
      for (let after = 0; ; ) {
        const page = await storage.readEvents(after, 1000);
        if (page.length === 0) break;
        log.push(...page);
        after = page.at(-1)!.seq;
      }
      expect(received.map((e) => `${e.seq}:${e.type}:${e.taskId}:${e.stepName}`)).toEqual(log.map((e) => `${e.seq}:${e.type}:${e.taskId}:${e.stepName}`));
      expect(received.filter((e) => e.type === 'step.completed')).toHaveLength(TASKS * STEPS);
    } finally {
      sub.unsubscribe();
      await wsClient.close();
    }
  });
});
