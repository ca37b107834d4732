/**
 * Server CPU of one-round-trip commits by part (`node --import tsx bench/pg/commitCost.ts`;
 * `ONLY_STEPS=1` for the step-patch rows alone): one connection commits claims of 10 steps of a
 * 6,000-step task (task patch, step patches, attempts, transitions, events), then a task patch
 * with one kind of row each, on a private PostgreSQL; prints the backend's CPU ms (Linux /proc,
 * 10 ms ticks) and wall ms per commit. Measured 2026-12-07 at load 18–20: 2.0–2.4 ms for a claim
 * of 10 steps, of which 0.4 the call itself (locks, event seqs), ~0.15 per step patch (the steps
 * table's indexes: a state change is never a HOT update), ~0.01–0.02 per event, transition or
 * attempt; reading the patch object as jsonb instead of json changed nothing measurable.
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
  const s = await PostgresStorage.open({ url, max: 1 } as never);
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
