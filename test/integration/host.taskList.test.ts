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
    const preview = await api.bulk.preview.query({ op: 'retry', taskIds: ids });
    const byId = new Map(preview.map((p) => [p.taskId, p]));
    expect(byId.get(failed[0]!)).toMatchObject({ skipped: null, requests: [{ op: 'retryStep', step: 'push_to_ledger' }] });
    expect(byId.get(failed[0]!)!.changes.some((c) => c.name === 'push_to_ledger' && c.field === 'state')).toBe(true);
    expect(byId.get(done)!.skipped).toMatch(/complete: no step failed/);
    const expected = Object.fromEntries(preview.filter((p) => p.version !== null).map((p) => [p.taskId, p.version!]));
    const outcome = await api.bulk.perform.mutate({ op: 'retry', taskIds: ids, expected, reason: 'ledger back' });
    expect(outcome.filter((o) => o.ok).map((o) => o.taskId).sort()).toEqual([failed[0], failed[1]].sort());
    expect(outcome.find((o) => o.taskId === done)).toMatchObject({ ok: false, message: expect.stringMatching(/left out/) });
    const transitions = await api.inspect.transitions.query({ taskId: failed[0]!, afterSeq: 0 });
    expect(transitions.transitions.some((t) => t.actor === 'user' && t.reason === 'ledger back')).toBe(true);
  });

  it('refuses a task that changed since the preview (STALE) and still applies the others', async () => {
    const api = example.api;
    const a = (await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true })).id;
    const b = (await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true })).id;
    const preview = await api.bulk.preview.query({ op: 'cancel', taskIds: [a, b] });
    expect(preview.every((p) => p.skipped === null)).toBe(true);
    // Someone changes task b after the preview.
    await api.debug.setBreakpoints.mutate({ taskId: b, names: ['publish_report'] });
    const outcome = await api.bulk.perform.mutate({ op: 'cancel', taskIds: [a, b], expected: Object.fromEntries(preview.map((p) => [p.taskId, p.version!])), reason: 'not needed' });
    expect(outcome.find((o) => o.taskId === a)).toMatchObject({ ok: true });
    expect(outcome.find((o) => o.taskId === b)).toMatchObject({ ok: false, code: 'STALE' });
    expect((await api.task.query({ id: a })).task.status).toBe('cancelled');
    expect((await api.task.query({ id: b })).task.status).not.toBe('cancelled');
    // Paused tasks say so in their rows.
    expect((await api.tasks.query({ search: b, limit: 5 })).tasks[0]!.paused).toBe(true);
  });

  it('marks the failed step of each task complete with the results given', async () => {
    const api = example.api;
    await until(() => api.task.query({ id: failed[2]! }), (t) => t.task.status === 'error', 'task to be in error');
    const preview = await api.bulk.preview.query({ op: 'markCompleted', taskIds: [failed[2]!], results: { pushed: [] } });
    expect(preview[0]!.changes).toContainEqual(expect.objectContaining({ name: 'push_to_ledger', field: 'results', to: { pushed: [] } }));
    const outcome = await api.bulk.perform.mutate({ op: 'markCompleted', taskIds: [failed[2]!], results: { pushed: [] }, expected: { [failed[2]!]: preview[0]!.version! }, reason: 'pushed by hand' });
    expect(outcome[0]).toMatchObject({ ok: true, message: 'markCompleted push_to_ledger' });
    await until(() => api.task.query({ id: failed[2]! }), (t) => t.task.status === 'complete', 'task to complete');
  });
});
