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
    expect(view.totals).toEqual({ alive: 2, gone: 1 });
    expect(view.owners).toEqual(['a-dead', 'b-runner', 'c-idle']);
  });

  it('shows only the engines the filter asks for, with totals and owners of the whole cluster', () => {
    const holds: Holds = {
      steps: [{ taskId: 't1', templateRef: 'w@1', stepName: 'a', owner: 'b-runner', leaseExpiresAt: NOW + 1 }],
      flows: [],
      reservations: [],
    };
    const beats = [beat('a-dead', NOW - 60_000), beat('c-idle', NOW), beat('b-runner', NOW - 10)];
    const owners = (f: Parameters<typeof clusterView>[4]) => {
      const v = clusterView(beats, holds, NOW, 10, f);
      return [...v.engines.map((e) => e.heartbeat.owner), ...v.unannounced.map((u) => `? ${u.owner}`)];
    };
    const orphan: Holds = { ...holds, steps: [...holds.steps, { taskId: 't9', templateRef: 'w@1', stepName: 'a', owner: 'cli-run', leaseExpiresAt: NOW }] };
    expect(owners({ status: 'alive' })).toEqual(['b-runner', 'c-idle']);
    expect(owners({ status: 'gone' })).toEqual(['a-dead']);
    expect(owners({ owner: 'c-idle' })).toEqual(['c-idle']);
    // A task search (the storage filtered the holds already) shows only engines holding a match.
    expect(owners({ taskId: 't1' })).toEqual(['b-runner']);
    expect(clusterView(beats, orphan, NOW, 10, { status: 'alive' }).unannounced).toEqual([]);
    expect(clusterView(beats, orphan, NOW, 10, {}).unannounced.map((u) => u.owner)).toEqual(['cli-run']);
    const filtered = clusterView(beats, holds, NOW, 10, { status: 'gone' });
    expect(filtered.totals).toEqual({ alive: 2, gone: 1 });
    expect(filtered.owners).toEqual(['a-dead', 'b-runner', 'c-idle']);
  });
});
