/**
 * The workbench's edit limit sits below the socket's message limit: an over-long template text is
 * refused with INPUT_INVALID naming the limit (the connection stays open), a text at the limit
 * in 3-byte characters still fits one message, and a template file over the limit opens read-only.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { systemClock } from '../../core/model/clock.js';
import { EDIT_TEXT_TOO_LONG, MAX_EDIT_TEXT_CHARS, MAX_MESSAGE_BYTES } from '../../core/host/limits.js';
import { appRouter } from '../../core/host/router.js';
import type { HostServer } from '../../core/host/server.js';
import type { HostServices } from '../../core/host/services.js';
import { createCallerFactory } from '../../core/host/trpc.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { connect, exchange, FIXTURE_WORKSPACE, query, startTestServer, TOKEN } from './host.fixtures.js';

const REF = 'testing/pipeline@1.0.0';
let server: HostServer;
let ws: WebSocket;

beforeAll(async () => {
  ({ server } = await startTestServer());
  ws = (await connect(`ws://127.0.0.1:${server.port}/trpc?token=${TOKEN}`)) as WebSocket;
});
afterAll(async () => {
  ws?.close();
  await server.close();
});

const frame = (id: number, method: 'query' | 'mutation', p: string, input: unknown) => JSON.stringify({ id, method, params: { path: p, input } });

describe('edit size limits', () => {
  it('refuses a text over the limit with INPUT_INVALID naming the limit, and keeps the connection', async () => {
    const over = frame(1, 'mutation', 'edit.perform', { ref: REF, text: 'a'.repeat(MAX_EDIT_TEXT_CHARS + 1), op: { kind: 'remove', name: 'audit' } });
    expect(Buffer.byteLength(over)).toBeLessThan(MAX_MESSAGE_BYTES);
    const answer = (await exchange(ws, over)) as { error?: { data: { stepwise: { code: string; issues: Array<{ message: string }> } } } };
    expect(answer.error?.data.stepwise.code).toBe('INPUT_INVALID');
    expect(answer.error?.data.stepwise.issues[0]!.message).toBe(EDIT_TEXT_TOO_LONG);
    expect(EDIT_TEXT_TOO_LONG).toMatch(/262,144 characters \(256 KiB\).*1 MiB/);
    expect((await query(ws, 2, 'templates')).result).toBeDefined();
  });

  it('accepts a text at the limit in 3-byte characters: it fits one socket message', async () => {
    const atLimit = frame(3, 'query', 'edit.check', { ref: REF, text: '€'.repeat(MAX_EDIT_TEXT_CHARS) });
    expect(Buffer.byteLength(atLimit)).toBeLessThan(MAX_MESSAGE_BYTES);
    const answer = (await exchange(ws, atLimit)) as { result?: { data: { text: string; graph: unknown } }; error?: unknown };
    expect(answer.error).toBeUndefined();
    expect(answer.result?.data.text).toHaveLength(MAX_EDIT_TEXT_CHARS);
    expect(answer.result?.data.graph).toBeNull();
  });

  it('opens a template file over the limit read-only, saying why', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-edit-limit-'));
    try {
      cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
      appendFileSync(path.join(dir, 'templates', 'pipeline.yaml'), `\n# ${'x'.repeat(MAX_EDIT_TEXT_CHARS)}\n`);
      const workspace = await loadWorkspace(dir);
      const storage = new MemoryStorage();
      const services: HostServices = {
        workspace: () => workspace,
        database: ':memory:',
        storage,
        clock: systemClock,
        startTask: () => Promise.reject(new Error('not used')),
        followEvents: () => () => undefined,
        onWorkspaceChanged: () => () => undefined,
        lastWorkspaceChange: () => null,
      };
      const opened = await createCallerFactory(appRouter)({ services }).edit.open({ ref: REF });
      expect(opened).toMatchObject({ editable: false, readOnlyReason: EDIT_TEXT_TOO_LONG, hash: null, text: '' });
      expect(opened.graph?.nodes.map((n) => n.id)).toEqual(['fetch', 'parse', 'audit', 'publish']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
