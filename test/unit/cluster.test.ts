import { describe, expect, it } from 'vitest';
import { clusterView, engineStatus, MISSED_BEATS_GONE } from '../../core/model/cluster.js';
import type { Heartbeat, Holds } from '../../core/storage/storage.js';

const NOW = 1_000_000;
const beat = (owner: string, at: number, everyMs = 1000): Heartbeat => ({ owner, pid: 1, at, kind: 'runner', host: 'h', startedAt: 0, version: '1.0.0', everyMs });
const none: Holds = { steps: [], flows: [], reservations: [] };

describe('cluster view (pure)', () => {
  it('calls an engine gone once it missed MISSED_BEATS_GONE of its own beats', () => {
    expect(engineStatus(beat('a', NOW - MISSED_BEATS_GONE * 1000), NOW)).toBe('alive');
    expect(engineStatus(beat('a', NOW - MISSED_BEATS_GONE * 1000 - 1), NOW)).toBe('gone');
    expect(engineStatus(beat('slow', NOW - 50_000, 20_000), NOW)).toBe('alive');
    // A clock ahead of ours is alive, silent for 0 ms.
    expect(engineStatus(beat('ahead', NOW + 10_000), NOW)).toBe('alive');
    expect(clusterView([beat('ahead', NOW + 10_000)], none, NOW, 10).engines[0]!.silentMs).toBe(0);
  });

  it('gives each engine its holds, alive engines first, and lists owners without a heartbeat', () => {
    const holds: Holds = {
      steps: [
        { taskId: 't1', templateRef: 'w@1', stepName: 'a', owner: 'b-runner', leaseExpiresAt: NOW + 1 },
        { taskId: 't2', templateRef: 'w@1', stepName: 'a', owner: 'cli-run', leaseExpiresAt: NOW + 1 },
      ],
      flows: [{ taskId: 'f1', templateRef: 'f@1', state: 'send', owner: 'a-dead', leaseExpiresAt: NOW - 5 }],
      reservations: [{ taskId: 't1', templateRef: 'w@1', owner: 'b-runner', expiresAt: NOW + 10 }],
    };
    const view = clusterView([beat('a-dead', NOW - 60_000), beat('c-idle', NOW), beat('b-runner', NOW - 10)], holds, NOW, 10);
    expect(view.engines.map((e) => [e.heartbeat.owner, e.status, e.steps.length, e.flows.length, e.reservations.length])).toEqual([
      ['b-runner', 'alive', 1, 0, 1],
      ['c-idle', 'alive', 0, 0, 0],
      ['a-dead', 'gone', 0, 1, 0],
    ]);
    expect(view.engines[2]!.silentMs).toBe(60_000);
    expect(view.unannounced).toEqual([{ owner: 'cli-run', steps: [holds.steps[1]], flows: [], reservations: [] }]);
    expect(view.truncated).toBe(false);
    expect(clusterView([], holds, NOW, 2).truncated).toBe(true);
  });
});
