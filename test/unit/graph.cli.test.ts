import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { SqliteStorage } from '../../core/storage/sqlite.js';
import type { TaskRecord } from '../../core/model/runtime.js';
import { checkDot } from '../../core/export/svg.js';
import { stepRecord } from '../fixtures/export/records.js';

const WS = 'test/fixtures/export/workspace';
const tmp = mkdtempSync(join(tmpdir(), 'stepwise-graph-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += s.endsWith('\n') ? s : s + '\n'), err: (s) => void (err += s + '\n'), isTTY: false };
  const code = await main(['graph', ...args], io);
  return { code, out, err };
}

describe('stepwise graph', () => {
  it('writes an SVG of a workspace template to a file', async () => {
    const file = join(tmp, 'o.svg');
    const r = await run('order_fulfillment', '--workspace', WS, '--format', 'svg', '--out', file);
    expect(r.err).toContain(`wrote svg of ecommerce/order_fulfillment@1.0.0 to ${file}`);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    for (const name of ['validate_order', 'choose_shipping', 'notify']) expect(svg).toContain(`>${name}</text>`);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });

  it('prints the workbench layout through the cache next to the database, which a second run reads', async () => {
    const db = join(tmp, 'layout', 'stepwise.db');
    const first = await run('order_fulfillment', '-w', WS, '--format', 'layout', '--direction', 'LR', '--db', db);
    expect(first.code, first.err).toBe(0);
    const a = JSON.parse(first.out);
    expect(a).toMatchObject({ graph: 'ecommerce/order_fulfillment@1.0.0', direction: 'RIGHT', source: 'computed', layout: { engine: 'elk' } });
    expect(Object.keys(a.layout.positions).sort()).toEqual(['charge_payment', 'choose_shipping', 'notify', 'ship_express', 'ship_standard', 'validate_order']);
    expect(existsSync(join(tmp, 'layout', 'layouts', `${a.key}.json`))).toBe(true);
    const b = JSON.parse((await run('order_fulfillment', '-w', WS, '--format', 'layout', '--direction', 'LR', '--db', db)).out);
    expect(b.source).toBe('disk');
    expect(b.layout).toEqual(a.layout);
  });

  it('prints valid DOT by namespace/name, and the same bytes twice', async () => {
    const a = await run('ecommerce/order_fulfillment', '-w', WS);
    const b = await run('ecommerce/order_fulfillment', '-w', WS, '--format', 'dot');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect((await checkDot(a.out)).ok).toBe(true);
  });

  it('prints Mermaid and JSON of a flow', async () => {
    const m = await run('user_onboarding', '-w', WS, '--format', 'mermaid', '--direction', 'LR');
    expect(m.out).toContain('flowchart LR');
    expect(m.out).toContain('n0 -->|"not has_email"| n1');
    const j = await run('user_onboarding', '-w', WS, '--format', 'json');
    const graph = JSON.parse(j.out);
    expect(graph.kind).toBe('flow');
    expect(graph.nodes.map((n: { id: string }) => n.id)).toContain('interaction:provide_email');
  });

  it('reads a template file without a workspace', async () => {
    const r = await run(`${WS}/templates/user_onboarding.yaml`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('digraph "accounts/user_onboarding@1.0.0"');
  });

  it('exits 1 for an unknown template, listing the ones it knows', async () => {
    const r = await run('nope', '--workspace', WS);
    expect(r.code).toBe(1);
    expect(r.err).toContain('TEMPLATE_NOT_FOUND');
    expect(r.err).toContain('accounts/user_onboarding@1.0.0, analytics/batch_import@1.0.0, ecommerce/order_fulfillment@1.0.0');
  });

  it('says so, and leaves nothing behind, when the output cannot be written', async () => {
    const r = await run('order_fulfillment', '-w', WS, '--out', join(tmp, 'no-such-dir', 'o.dot'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('USAGE: Cannot write');
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });

  it('refuses an unknown format and a missing template argument', async () => {
    expect((await run('order_fulfillment', '-w', WS, '--format', 'png')).code).not.toBe(0);
    const r = await run('-w', WS);
    expect(r.code).toBe(1);
    expect(r.err).toContain('USAGE');
  });

  it('draws a live task from the database, coloured by step state', async () => {
    const db = join(tmp, 'tasks.db');
    const storage = new SqliteStorage({ file: db });
    const task: TaskRecord = {
      id: 'task-1',
      kind: 'workflow',
      namespace: 'ecommerce',
      name: 'order_fulfillment',
      templateVersion: '1.0.0',
      templateRef: 'ecommerce/order_fulfillment@1.0.0',
      status: 'running',
      input: {},
      data: {},
      currentState: null,
      parentTaskId: null,
      parentStepName: null,
      idempotencyKey: null,
      participants: [],
      error: null,
      result: null,
      createdAt: 1,
      updatedAt: 1,
      finishedAt: null,
      wakeAt: null,
      timeoutAt: null,
      deleteAt: null,
      debug: { paused: false, breakpoints: [] },
      leaseOwner: null,
      leaseExpiresAt: null,
      stateAttempts: 0,
      version: 1,
    };
    await storage.commit({
      insertTasks: [task],
      insertSteps: [
        stepRecord('validate_order', 'complete'),
        stepRecord('charge_payment', 'running', ['validate_order']),
        stepRecord('choose_shipping', 'pending', ['charge_payment'], { type: 'decision' }),
      ],
    });
    await storage.close();
    const r = await run('--task', 'task-1', '--db', db, '-w', WS);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('label="ecommerce/order_fulfillment@1.0.0 — task task-1"');
    expect(r.out).toContain('label="charge_payment\\n▶ running"');
    expect(r.out).toContain('label="validate_order\\n✓ complete"');
    expect((await checkDot(r.out)).ok).toBe(true);

    const missing = await run('--task', 'nope', '--db', db, '-w', WS);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("Task 'nope' was not found in");
    const noDb = await run('--task', 'task-1', '--db', join(tmp, 'absent.db'), '-w', WS);
    expect(noDb.code).toBe(1);
    expect(noDb.err).toContain('There is no database at');
    expect(existsSync(join(tmp, 'absent.db'))).toBe(false);
  });
});
