/**
 * `stepwise graph --task` on tasks the real engine ran into a SQLite file: the drawing shows the
 * dynamic batch workers and the state of every step, and the insights agree with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { createEngine } from '../../core/engine/engine.js';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { ManualClock } from '../../core/model/clock.js';
import { errorChains, blockingDependencies, criticalPath } from '../../core/insights/taskGraph.js';
import { checkDot } from '../../core/export/svg.js';

const WS = 'test/fixtures/export/workspace';
const tmp = mkdtempSync(join(tmpdir(), 'stepwise-graph-task-'));
const db = join(tmp, 'stepwise.db');
const ids: Record<string, string> = {};
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  const workspace = await loadWorkspace(WS);
  expect(workspace.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const storage = new SqliteStorage({ file: db });
  const engine = createEngine({
    storage,
    templates: createTemplateRegistry(workspace.templates),
    handlers: createHandlerRegistry(workspace.handlers),
    clock: new ManualClock(1_000),
    executor: 'inline',
  });
  for (const name of ['ecommerce/order_fulfillment', 'analytics/batch_import', 'accounts/user_onboarding']) {
    const task = await engine.start(name, {});
    await engine.runUntilIdle({ taskId: task.id });
    ids[name] = task.id;
  }
  await engine.close();
  await storage.close();
}, 60_000);

async function graph(...args: string[]) {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += s), err: (s) => void (err += s + '\n'), isTTY: false };
  const code = await main(['graph', '-w', WS, '--db', db, ...args], io);
  return { code, out, err };
}

describe('stepwise graph --task', () => {
  it('colours a finished order: the branch the decision skipped is marked skipped', async () => {
    const r = await graph('--task', ids['ecommerce/order_fulfillment']!);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect((await checkDot(r.out)).ok).toBe(true);
    expect(r.out).toContain('label="ship_standard\\n✓ complete"');
    expect(r.out).toContain('label="ship_express\\n⤼ skipped"');
    expect(r.out).toContain('label="notify\\n✓ complete"');
  });

  it('draws the batch workers the engine created, with the failed one in error', async () => {
    const r = await graph('--task', ids['analytics/batch_import']!, '--format', 'json');
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out) as { nodes: Array<{ id: string; state?: string; dynamic?: boolean; createdBy?: string }>; edges: Array<{ from: string; to: string }> };
    const workers = g.nodes.filter((n) => n.dynamic);
    expect(workers.length).toBe(3);
    expect(workers.every((w) => w.createdBy === 'split')).toBe(true);
    expect(workers.filter((w) => w.state === 'error')).toHaveLength(1);
    for (const w of workers) {
      expect(g.edges).toContainEqual(expect.objectContaining({ from: 'split', to: w.id }));
      expect(g.edges).toContainEqual(expect.objectContaining({ from: w.id, to: 'summarise' }));
    }
    const svg = await graph('--task', ids['analytics/batch_import']!, '--format', 'svg', '--out', join(tmp, 'batch.svg'));
    expect(svg.code).toBe(0);
  });

  it('highlights the state a flow waits in and the transition it took', async () => {
    const r = await graph('--task', ids['accounts/user_onboarding']!);
    expect(r.code).toBe(0);
    expect(r.out).toContain('label="ask_for_email\\n‖ waiting\\n(current)", penwidth="3"');
    expect(r.out).toContain('label="check_email\\n· visited"');
    expect(r.out).toContain('"check_email" -> "ask_for_email" [label="not has_email", penwidth="2"];');
    expect((await checkDot(r.out)).ok).toBe(true);
  });

  it('agrees with the insights over the same records', async () => {
    const storage = new SqliteStorage({ file: db });
    try {
      const taskId = ids['analytics/batch_import']!;
      const steps = await storage.getSteps(taskId);
      const attempts = await storage.listAttempts(taskId);
      const chains = errorChains(steps);
      expect(chains).toHaveLength(1);
      expect(chains[0]!.error?.message).toContain('row 3 is malformed');
      expect(chains[0]!.blocks).toEqual(['summarise']);
      expect(blockingDependencies(steps, 'summarise').root.map((b) => b.name)).toEqual([chains[0]!.step]);
      expect(criticalPath(steps, attempts).steps[0]!.name).toBe('split');
    } finally {
      await storage.close();
    }
  });
});
