/**
 * The desktop app's host child process (main/hostProcess.ts, no Electron needed): finding
 * `node`, waiting for the ready line, a clear error when the host never gets ready, and a
 * restart after a crash on the same port with the same token (so the window reconnects).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostProcess, findNode } from '../../main/hostProcess.js';

const FAKE = path.resolve(import.meta.dirname, '../fixtures/host/fakeServe.mjs');
const running: HostProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.stop();
  // After the hosts stopped: nothing writes the marker any more.
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.FAKE_MODE;
  delete process.env.FAKE_MARKER;
});

function host(extra: Partial<ConstructorParameters<typeof HostProcess>[0]> = {}): HostProcess {
  const h = new HostProcess({ nodePath: process.execPath, cliPath: FAKE, workspace: '/tmp', readyTimeoutMs: 10_000, ...extra });
  running.push(h);
  return h;
}

describe('findNode', () => {
  it('finds node on PATH, honours a configured path, and says null when there is none', () => {
    expect(findNode(undefined, path.dirname(process.execPath))).toBe(path.join(path.dirname(process.execPath), 'node'));
    expect(findNode(process.execPath, '')).toBe(process.execPath);
    expect(findNode('/no/such/node', path.dirname(process.execPath))).toBeNull();
    expect(findNode(undefined, '/nonexistent-dir')).toBeNull();
  });
});

describe('HostProcess', () => {
  it('resolves with the ready line and passes a token through the environment', async () => {
    process.env.FAKE_MODE = 'stay';
    const info = await host().start();
    expect(info.url).toBe('http://127.0.0.1:45678');
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('rejects with the host output when it exits before it is ready', async () => {
    process.env.FAKE_MODE = 'never-ready';
    await expect(host().start()).rejects.toThrow(/boom: cannot open the database/);
  });

  it('restarts a crashed host on the same port with the same token and tells the caller', async () => {
    process.env.FAKE_MODE = 'crash-once';
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-fake-'));
    dirs.push(dir);
    process.env.FAKE_MARKER = path.join(dir, 'marker');
    const crashes: Array<{ code: number | null; restarting: boolean }> = [];
    let restarted: (info: { port: number; token: string }) => void = () => undefined;
    const again = new Promise<{ port: number; token: string }>((resolve) => (restarted = resolve));
    const h = host({ onCrash: (c) => crashes.push({ code: c.code, restarting: c.restarting }), onRestarted: (info) => restarted(info) });
    const first = await h.start();
    const second = await again;
    expect(crashes).toEqual([{ code: 3, restarting: true }]);
    expect(second.port).toBe(first.port);
    expect(second.token).toBe(first.token);
  });
});
