/**
 * The task list's protocol (issue 17) over a real host on the example workspace: rows carry a
 * short id from the random tail, an input summary and whether the debugger holds the task; the
 * search box finds tasks by short id, input or error text; bulk retry / cancel / mark complete
 * preview every task (what changes, or why it is left out) and apply with one reason, refusing a
 * task that changed since its preview without stopping the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleHost, until, type ExampleHost } from './host.fixtures.js';

let example: ExampleHost;
const failed: string[] = [];
let done: string;

beforeAll(async () => {
  example = await startExampleHost('stepwise-tasklist-');
  const { api } = example;
  for (const account of ['ACME-1', 'ACME-2', 'GLOBEX-3']) {
    failed.push((await api.debug.start.mutate({ ref: 'billing/invoice_sync@1.0.0', input: { account_id: account, ledger_online: false } })).id);
  }
  done = (await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: { region: 'apac' } })).id;
  await until(async () => Promise.all([...failed, done].map(async (id) => (await api.task.query({ id })).task.status)), (s) => s.slice(0, 3).every((x) => x === 'error') && s[3] === 'complete', 'tasks to settle');
}, 60_000);

afterAll(async () => {
  await example?.stop();
});

describe('task rows', () => {
  it('carry the short id, an input summary and the paused flag', async () => {
    const page = await example.api.tasks.query({ limit: 50 });
    const row = page.tasks.find((t) => t.id === failed[1])!;
    expect(row.shortId).toBe(failed[1]!.replace(/-/g, '').slice(-8));
    expect(row.inputSummary).toBe('account_id ACME-2 · ledger_online false');
    expect(row.paused).toBe(false);
    // Ids of one minute share their time prefix; short ids tell them apart.
    const shorts = new Set(page.tasks.map((t) => t.shortId));
    expect(shorts.size).toBe(page.tasks.length);
  });

  it('are found by short id, input and error text, within the filters', async () => {
    const api = example.api;
    const byShort = await api.tasks.query({ search: failed[2]!.replace(/-/g, '').slice(-8), limit: 50 });
    expect(byShort.tasks.map((t) => t.id)).toEqual([failed[2]]);
    expect(byShort.searched).toMatchObject({ truncated: false });
    expect((await api.tasks.query({ search: 'globex', limit: 50 })).tasks.map((t) => t.id)).toEqual([failed[2]]);
    expect((await api.tasks.query({ search: 'ACME-2', limit: 50 })).tasks.map((t) => t.id)).toEqual([failed[1]]);
    expect((await api.tasks.query({ search: 'offline', limit: 50 })).total).toBe(3);
    expect((await api.tasks.query({ search: 'offline', status: ['complete'], limit: 50 })).total).toBe(0);
    expect((await api.tasks.query({ search: 'no such text', limit: 50 })).tasks).toEqual([]);
  });
});

describe('bulk operations', () => {
  it('previews a retry per task, leaving out a task with nothing to retry, and applies with one reason', async () => {
    const api = example.api;
    const ids = [failed[0]!, failed[1]!, done];
    const preview = await api.bulk.preview.query({ op: 'retry', selection: { taskIds: ids } });
    expect(preview).toMatchObject({ total: 3, applicable: 2, truncated: false, skipped: [{ reason: expect.stringMatching(/complete: no step failed/), count: 1 }] });
    const byId = new Map(preview.items.map((p) => [p.taskId, p]));
    expect(byId.get(failed[0]!)).toMatchObject({ skipped: null, requests: [{ op: 'retryStep', step: 'push_to_ledger' }] });
    expect(byId.get(failed[0]!)!.changes.some((c) => c.name === 'push_to_ledger' && c.field === 'state')).toBe(true);
    expect(byId.get(done)!.skipped).toMatch(/complete: no step failed/);
    expect(Object.keys(preview.expected).sort()).toEqual([failed[0], failed[1]].sort());
    const result = await api.bulk.perform.mutate({ op: 'retry', expected: preview.expected, reason: 'ledger back' });
    expect(result.counts).toEqual({ done: 2, skipped: 0, refused: 0 });
    expect(result.outcomes.filter((o) => o.ok).map((o) => o.taskId).sort()).toEqual([failed[0], failed[1]].sort());
    const transitions = await api.inspect.transitions.query({ taskId: failed[0]!, afterSeq: 0 });
    expect(transitions.transitions.some((t) => t.actor === 'user' && t.reason === 'ledger back')).toBe(true);
  });

  it('skips a task that changed since the preview, with the reason, and still applies the others', async () => {
    const api = example.api;
    const a = (await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true })).id;
    const b = (await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true })).id;
    const preview = await api.bulk.preview.query({ op: 'cancel', selection: { taskIds: [a, b] } });
    expect(preview.applicable).toBe(2);
    // Someone changes task b after the preview.
    await api.debug.setBreakpoints.mutate({ taskId: b, names: ['publish_report'] });
    const result = await api.bulk.perform.mutate({ op: 'cancel', expected: preview.expected, reason: 'not needed' });
    expect(result.counts).toEqual({ done: 1, skipped: 1, refused: 0 });
    expect(result.outcomes.find((o) => o.taskId === a)).toMatchObject({ ok: true });
    expect(result.outcomes.find((o) => o.taskId === b)).toMatchObject({ ok: false, message: expect.stringMatching(/changed since the preview/) });
    expect(result.reasons).toEqual([{ reason: 'skipped: it changed since the preview (now paused)', count: 1 }]);
    expect((await api.task.query({ id: a })).task.status).toBe('cancelled');
    expect((await api.task.query({ id: b })).task.status).not.toBe('cancelled');
    // Paused tasks say so in their rows.
    expect((await api.tasks.query({ search: b, limit: 5 })).tasks[0]!.paused).toBe(true);
  });

  it('marks the failed step of each task complete with the results given', async () => {
    const api = example.api;
    await until(() => api.task.query({ id: failed[2]! }), (t) => t.task.status === 'error', 'task to be in error');
    const preview = await api.bulk.preview.query({ op: 'markCompleted', selection: { taskIds: [failed[2]!] }, results: { pushed: [] } });
    expect(preview.items[0]!.changes).toContainEqual(expect.objectContaining({ name: 'push_to_ledger', field: 'results', to: { pushed: [] } }));
    const result = await api.bulk.perform.mutate({ op: 'markCompleted', results: { pushed: [] }, expected: preview.expected, reason: 'pushed by hand' });
    expect(result.outcomes[0]).toMatchObject({ ok: true, message: 'markCompleted push_to_ledger' });
    await until(() => api.task.query({ id: failed[2]! }), (t) => t.task.status === 'complete', 'task to complete');
  });

  it('acts on the whole filtered selection, not the 200 rows a page shows, and skips what changed in between', async () => {
    const api = example.api;
    const ids: string[] = [];
    // Paused at the start: nothing runs, so they stay as they are until the operation.
    for (let n = 0; n < 230; n++) ids.push((await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: { region: `BULKSEL-${n}` }, debug: true })).id);
    const other = (await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: { region: 'ELSEWHERE' }, debug: true })).id;
    const filter = { status: ['paused' as const], search: 'BULKSEL' };
    expect((await api.tasks.query({ ...filter, limit: 200 })).tasks).toHaveLength(200);
    const preview = await api.bulk.preview.query({ op: 'cancel', selection: { filter } });
    expect(preview).toMatchObject({ total: 230, applicable: 230, truncated: false, skipped: [] });
    expect(preview.items).toHaveLength(200);
    expect(Object.keys(preview.expected).sort()).toEqual([...ids].sort());
    // Between preview and execute: one task is cancelled by someone else, another gets a breakpoint.
    const [gone, moved] = [ids[3]!, ids[150]!];
    await api.ops.perform.mutate({ request: { op: 'cancelTask', taskId: gone }, expectedVersion: preview.expected[gone]!, reason: 'by hand' });
    await api.debug.setBreakpoints.mutate({ taskId: moved, names: ['publish_report'] });
    const result = await api.bulk.perform.mutate({ op: 'cancel', expected: preview.expected, reason: 'clean up the bulk test' });
    expect(result.counts).toEqual({ done: 228, skipped: 2, refused: 0 });
    expect(result.reasons).toEqual([
      { reason: 'skipped: it changed since the preview (now cancelled)', count: 1 },
      { reason: 'skipped: it changed since the preview (now paused)', count: 1 },
    ]);
    expect(result.outcomes).toHaveLength(200);
    const statuses = await Promise.all(ids.map(async (id) => (await api.task.query({ id })).task.status));
    expect(statuses.filter((s) => s === 'cancelled')).toHaveLength(229);
    expect((await api.task.query({ id: moved })).task.status).toBe('paused');
    expect((await api.task.query({ id: other })).task.status).toBe('paused');
    const audit = await api.inspect.transitions.query({ taskId: ids[200]!, afterSeq: 0 });
    expect(audit.transitions.some((t) => t.actor === 'user' && t.reason === 'clean up the bulk test')).toBe(true);
  }, 120_000);
});
