/**
 * The host takes time only from its injected clock: reload times, the debugger's "now" and the
 * tasks its engine creates all read the ManualClock, never the wall clock.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/model/clock.js';
import { startHost, type Host } from '../../core/host/host.js';
import { appRouter } from '../../core/host/router.js';
import { createCallerFactory } from '../../core/host/trpc.js';
import { FIXTURE_WORKSPACE } from './host.fixtures.js';
import { silentLogger } from '../../core/model/logger.js';

const T0 = Date.UTC(2001, 1, 3, 4, 5, 6);
const clock = new ManualClock(T0);
let dir: string;
let host: Host;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stepwise-host-clock-'));
  cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  host = await startHost({ workspace: dir, clock, watch: false, runEngine: false, logger: silentLogger() });
});

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the host clock', () => {
  it('stamps reloads, tasks and the debugger controls with the injected clock', async () => {
    const caller = createCallerFactory(appRouter)({ services: host.services });
    expect(host.services.clock).toBe(clock);

    clock.advance(1_000);
    const change = await host.reload();
    expect(change.at).toBe(T0 + 1_000);
    expect((await caller.workspace()).lastChange?.at).toBe(T0 + 1_000);

    const task = await host.services.startTask('testing/pipeline@1.0.0', { source: 'clock' });
    expect(task.createdAt).toBe(T0 + 1_000);

    clock.advance(59_000);
    const controls = await caller.inspect.controls({ taskId: task.id });
    expect(controls.now).toBe(T0 + 60_000);
  });
});
