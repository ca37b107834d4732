/**
 * Server CPU of one-round-trip commits by part (`node --import tsx bench/pg/commitCost.ts`;
 * `ONLY_STEPS=1` for the step-patch rows alone): one connection commits claims of 10 steps of a
 * 6,000-step task (task patch, step patches, attempts, transitions, events), then a task patch
 * with one kind of row each, on a private PostgreSQL; prints the backend's CPU ms (Linux /proc,
 * 10 ms ticks) and wall ms per commit. `PG_COMMIT_BODY=11` puts the commit functions back as
 * migration 11 left them. Measured 2026-12-07 20:42 at load 7–8, migration 11 → 13: a claim of
 * 10 steps 5.67 → 2.07 ms, the call with a task patch alone 0.90 → 0.53, ten step patches on top
 * of it 3.5 → 0.47 (each patch parsed its json two dozen times and every commit hash-joined over
 * all steps; see migration 13), ten events, transitions or attempts 0.15–0.35.
 */
import { readFileSync } from 'node:fs';
import { BEFORE_MIGRATION_13 } from './before13.js';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import type { ChangeSet } from '../../core/storage/storage.js';
import { createDatabase, startPostgres } from '../../test/fixtures/postgres/server.js';
import { attempt, completedEvent, readyEvent, step, task, transition, T0 } from '../../test/fixtures/storage/records.js';

const server = await startPostgres({ durability: 'commit' });
try {
  const url = await createDatabase(server.url, 'commit_cost');
  // One connection, so the backend whose CPU is read is the one every commit runs on.
  const s = await PostgresStorage.open({ url, maxConnections: 1 });
  // PG_COMMIT_BODY=11: the commit functions as migration 11 left them (before/after comparisons).
  if (process.env.PG_COMMIT_BODY === '11') await s.connections.query(BEFORE_MIGRATION_13);
  const N = 6000;
  await s.commit({ insertTasks: [task('t', { status: 'running' })], insertSteps: Array.from({ length: N }, (_, i) => step('t', `s${i}`, { state: 'ready', results: null })) });
  const pid = Number((await s.connections.query('SELECT pg_backend_pid() AS p')).rows[0].p);
  const cpu = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  let version = (await s.getTask('t'))!.version;
  const stepVersion = new Map<string, number>();
  let next = 0;
  const parts = (n: number): Record<string, ChangeSet> => {
    const claims = Array.from({ length: n }, () => `s${next++}`);
    const sv = (id: string) => stepVersion.get(id) ?? 1;
    return {
      all: {
        updateTasks: [{ id: 't', expectedVersion: version, set: { updatedAt: T0 + next } }],
        updateSteps: claims.map((name) => ({ id: `t:${name}`, expectedVersion: sv(`t:${name}`), set: { state: 'running' as const, leaseOwner: 'e', leaseExpiresAt: T0 + 30_000, attempts: 1 } })),
        insertAttempts: claims.map((name) => attempt('t', name, 1)),
        transitions: claims.map((name) => transition('t', name, 'ready', 'running')),
        events: claims.map((name) => readyEvent('t', name)),
      },
    };
  };
  const run = async (label: string, make: () => ChangeSet, commits: number) => {
    const c0 = cpu();
    const t0 = performance.now();
    for (let i = 0; i < commits; i++) {
      const c = make();
      await s.commit(c);
      version += 1;
      for (const p of c.updateSteps ?? []) stepVersion.set(p.id, p.expectedVersion + 1);
    }
    const ms = performance.now() - t0;
    // Let the stat catch up (ticks).
    await new Promise((r) => setTimeout(r, 50));
    process.stdout.write(`${label}: server CPU ${((cpu() - c0) / commits).toFixed(2)} ms, wall ${(ms / commits).toFixed(2)} ms per commit (${JSON.stringify(s.commitStats)})\n`);
  };
  await run('claims of 10 steps (task patch, 10 step patches, 10 attempts, 10 transitions, 10 events)', () => parts(10).all!, 150);
  if (process.env.ONLY_STEPS) { await run('task patch + 10 step patches', () => { const c = parts(10).all!; return { updateTasks: c.updateTasks, updateSteps: c.updateSteps }; }, 100); } else {
  await run('task patch only', () => ({ updateTasks: [{ id: 't', expectedVersion: version, set: { updatedAt: T0 } }] }), 300);
  await run('task patch + 10 events', () => ({ updateTasks: [{ id: 't', expectedVersion: version, set: { updatedAt: T0 } }], events: Array.from({ length: 10 }, () => completedEvent('t', 's0')) }), 300);
  await run('task patch + 10 transitions', () => ({ updateTasks: [{ id: 't', expectedVersion: version, set: { updatedAt: T0 } }], transitions: Array.from({ length: 10 }, () => transition('t', 's0', 'a', 'b')) }), 300);
  await run('task patch + 10 attempts', () => { const base = next; next += 10; return { updateTasks: [{ id: 't', expectedVersion: version, set: { updatedAt: T0 } }], insertAttempts: Array.from({ length: 10 }, (_, i) => attempt('t', `x${base + i}`, 1)) }; }, 150);
  await run('task patch + 10 step patches', () => { const c = parts(10).all!; return { updateTasks: c.updateTasks, updateSteps: c.updateSteps }; }, 50);
  }
  await s.close();
} finally {
  await server.stop();
}
