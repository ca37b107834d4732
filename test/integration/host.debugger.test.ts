/**
 * The debugger's protocol (issue 7) over a real host on a copy of the example workspace:
 * inspect a failed step, the ops it accepts, preview and apply (STALE on an old version) after
 * fixing the handler, the debugger (start paused, step, breakpoints, continue), history
 * (transition pages, stateAt), interactions, insights, export (DOT byte-identical to
 * `stepwise graph`) and template editing with save.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRPCClientError, type TRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../core/host/host.js';
import type { AppRouter } from '../../core/host/router.js';
import { main } from '../../core/cli/main.js';
import { startExampleHost, until, type ExampleHost } from './host.fixtures.js';

let example: ExampleHost;
let dir: string;
let host: Host;
let api: TRPCClient<AppRouter>;

function stepwiseCode(err: unknown): string | undefined {
  return ((err as TRPCClientError<AppRouter>).data as { stepwise?: { code?: string } } | undefined)?.stepwise?.code;
}

beforeAll(async () => {
  example = await startExampleHost('stepwise-dbg-');
  ({ host, api, dir } = example);
}, 60_000);

afterAll(async () => {
  await example?.stop();
});

describe('a failed step: inspect, fix, retry safely', () => {
  it('reads the error, offers retry, refuses a stale version and retries to completion', async () => {
    const started = await api.debug.start.mutate({ ref: 'billing/invoice_sync@1.0.0', input: { account_id: 'acme', ledger_online: false } });
    await until(() => api.task.query({ id: started.id }), (d) => d.task.status === 'error', 'the task to fail');
    const inspect = await api.inspect.step.query({ taskId: started.id, name: 'push_to_ledger' });
    expect(inspect.step?.state).toBe('error');
    expect(inspect.attempts.map((a) => a.outcome)).toEqual(['error', 'error']);
    expect(inspect.attempts[1]!.error?.message).toContain('is offline');
    expect(inspect.dependencies).toEqual([expect.objectContaining({ name: 'fetch_invoices', state: 'complete' })]);
    expect(inspect.downstream).toEqual(['mark_synced']);
    const blocked = await api.inspect.step.query({ taskId: started.id, name: 'mark_synced' });
    expect(blocked.blocking.root).toEqual([{ name: 'push_to_ledger', state: 'error' }]);

    const available = await api.ops.available.query({ taskId: started.id, step: 'push_to_ledger' });
    const byOp = Object.fromEntries(available.map((a) => [a.op, a]));
    expect(byOp.retryStep!.allowed).toBe(true);
    expect(byOp.skipStep!.allowed).toBe(true);
    const onDone = Object.fromEntries((await api.ops.available.query({ taskId: started.id, step: 'fetch_invoices' })).map((a) => [a.op, a]));
    expect(onDone.retryStep!.allowed).toBe(false);
    expect(onDone.retryStep!.reason).toMatch(/complete/);

    // The fix: the ledger handler no longer refuses.
    const handlers = path.join(dir, 'handlers/billing.ts');
    writeFileSync(handlers, readFileSync(handlers, 'utf8').replace('ctx.input.ledger_online === false', 'false'));
    await host.reload([handlers]);

    const preview = await api.ops.preview.query({ op: 'retryStep', taskId: started.id, step: 'push_to_ledger' });
    expect(preview.changes).toContainEqual(expect.objectContaining({ kind: 'step', name: 'push_to_ledger', field: 'state', from: 'error' }));
    const stale = await api.ops.perform
      .mutate({ request: { op: 'retryStep', taskId: started.id, step: 'push_to_ledger' }, expectedVersion: preview.version - 1, reason: 'ledger back' })
      .catch((e: unknown) => e);
    expect(stepwiseCode(stale)).toBe('STALE');
    const noReason = await api.ops.perform.mutate({ request: { op: 'retryStep', taskId: started.id, step: 'push_to_ledger' }, expectedVersion: preview.version, reason: ' ' }).catch((e: unknown) => e);
    expect(stepwiseCode(noReason)).toBe('INPUT_INVALID');
    const applied = await api.ops.perform.mutate({ request: { op: 'retryStep', taskId: started.id, step: 'push_to_ledger' }, expectedVersion: preview.version, reason: 'ledger back' });
    expect(applied.transitions.some((t) => t.actor === 'user' && t.reason === 'ledger back')).toBe(true);
    const done = await until(() => api.task.query({ id: started.id }), (d) => d.task.status === 'complete', 'the retried task to complete');
    expect(done.steps.map((s) => s.state)).toEqual(['complete', 'complete', 'complete']);
  }, 60_000);
});

describe('the debugger', () => {
  it('starts paused, steps one step at a time, stops at a breakpoint and continues', async () => {
    const task = await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true });
    const controls = await api.inspect.controls.query({ taskId: task.id });
    expect(controls.task.debug.paused).toBe(true);
    expect(controls.task.debug.pauseReason).toBe('debug_start');
    const one = await api.debug.step.mutate({ taskId: task.id });
    expect(one.ran).toBe('fetch_sales');
    const after = await api.task.query({ id: task.id });
    expect(after.steps.filter((s) => s.state === 'complete').map((s) => s.name)).toEqual(['fetch_sales']);
    await api.debug.setBreakpoints.mutate({ taskId: task.id, names: ['publish_report'] });
    await api.debug.continue.mutate({ taskId: task.id });
    const stopped = await until(() => api.inspect.controls.query({ taskId: task.id }), (c) => c.task.debug.paused, 'the breakpoint');
    expect(stopped.task.debug.pauseReason).toBe('breakpoint:publish_report');
    expect(stopped.ready).toEqual(['publish_report']);
    await api.debug.continue.mutate({ taskId: task.id });
    await until(() => api.task.query({ id: task.id }), (d) => d.task.status === 'complete', 'the task to complete');

    // History: pages of transitions, and the picture at a past one.
    const first = await api.inspect.transitions.query({ taskId: task.id, limit: 5 });
    expect(first.transitions).toHaveLength(5);
    expect(first.nextAfterSeq).toBe(first.transitions[4]!.seq);
    const rest = await api.inspect.transitions.query({ taskId: task.id, afterSeq: first.nextAfterSeq!, limit: 10_000 });
    expect(rest.nextAfterSeq).toBeNull();
    const all = [...first.transitions, ...rest.transitions];
    const fetchDone = all.find((t) => t.stepName === 'fetch_sales' && t.to === 'complete')!;
    const then = await api.inspect.stateAt.query({ taskId: task.id, seq: fetchDone.seq });
    expect(then.steps.fetch_sales!.state).toBe('complete');
    expect(then.steps.publish_report!.state).toBe('pending');
    const attempts = await api.inspect.attempts.query({ taskId: task.id });
    expect(attempts).toHaveLength(4);
  }, 60_000);

  it('fires an interaction only in its states', async () => {
    const task = await api.debug.start.mutate({ ref: 'accounts/user_onboarding@1.0.0', input: { user_id: 7 } });
    const waiting = await until(() => api.inspect.controls.query({ taskId: task.id }), (c) => c.task.currentState === 'ask_for_email', 'ask_for_email');
    expect(waiting.interactions).toEqual([expect.objectContaining({ name: 'provide_email', when: ['ask_for_email'], enabled: true })]);
    const bad = await api.ops.preview.query({ op: 'fireInteraction', taskId: task.id, name: 'provide_email', params: { email: 'nope' } }).catch((e: unknown) => e);
    expect(stepwiseCode(bad)).toBe('INPUT_INVALID');
    const preview = await api.ops.preview.query({ op: 'fireInteraction', taskId: task.id, name: 'provide_email', params: { email: 'a@b.co' } });
    await api.ops.perform.mutate({ request: { op: 'fireInteraction', taskId: task.id, name: 'provide_email', params: { email: 'a@b.co' } }, expectedVersion: preview.version, reason: 'user replied' });
    const done = await until(() => api.inspect.controls.query({ taskId: task.id }), (c) => c.task.status === 'complete', 'the flow to finish');
    expect(done.interactions[0]!.enabled).toBe(false);
  }, 30_000);
});

describe('skip wait', () => {
  it("makes a waiting flow's timeout due now: it moves to its on_timeout state", async () => {
    const task = await api.debug.start.mutate({ ref: 'accounts/user_onboarding@1.0.0', input: { user_id: 8 } });
    await until(() => api.inspect.controls.query({ taskId: task.id }), (c) => c.task.currentState === 'ask_for_email', 'ask_for_email');
    const result = await api.debug.skipWait.mutate({ taskId: task.id, step: 'timeout' });
    expect(result.transitions.some((t) => t.field === 'schedule' && t.actor === 'user')).toBe(true);
    const done = await until(() => api.inspect.controls.query({ taskId: task.id }), (c) => c.task.currentState === 'expired', 'the timeout to fire');
    expect(done.task.status).toBe('complete');
  }, 30_000);
});

describe('insights, export, editing', () => {
  it('computes workspace insights', async () => {
    const insights = await api.insights.workspace.query({});
    expect(insights.tasks.total).toBeGreaterThanOrEqual(3);
    expect(insights.failingSteps.some((f) => f.step === 'push_to_ledger')).toBe(true);
  });

  it('exports DOT byte for byte as `stepwise graph` does', async () => {
    let cli = '';
    let err = '';
    const code = await main(['graph', 'demo/diamond', '--workspace', dir, '--format', 'dot'], { out: (t) => void (cli += t.endsWith('\n') ? t : t + '\n'), err: (t) => void (err += t), isTTY: false });
    expect(code, err).toBe(0);
    const exported = await api.export.graph.query({ ref: 'demo/diamond@1.0.0', format: 'dot', direction: 'TB' });
    expect(exported.text).toBe(cli);
    const svg = await api.export.graph.query({ ref: 'demo/diamond@1.0.0', format: 'svg' });
    expect(svg.text).toContain('<svg');
    const task = await api.debug.start.mutate({ ref: 'demo/diamond@1.0.0', input: {}, debug: true });
    const mermaid = await api.export.graph.query({ taskId: task.id, format: 'mermaid' });
    expect(mermaid.text).toMatch(/^flowchart TB$/m);
  }, 30_000);

  it('edits a YAML template, validates every change and saves keeping comments', async () => {
    const opened = await api.edit.open.query({ ref: 'demo/diamond@1.0.0' });
    expect(opened.editable).toBe(true);
    const added = await api.edit.perform.mutate({ ref: 'demo/diamond@1.0.0', text: opened.text, op: { kind: 'addStep', step: { name: 'archive', handler: 'no_such_handler', dependsOn: ['publish_report'] } } });
    expect(added.graph?.nodes.map((n) => n.id)).toContain('archive');
    expect(added.problems.some((p) => p.code === 'UNKNOWN_HANDLER')).toBe(true);
    const fixed = await api.edit.perform.mutate({ ref: 'demo/diamond@1.0.0', text: added.text, op: { kind: 'setProperty', name: 'archive', path: 'handler', value: 'publish_report' } });
    expect(fixed.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const saved = await api.edit.save.mutate({ ref: 'demo/diamond@1.0.0', text: fixed.text, expectedHash: opened.hash! });
    const onDisk = readFileSync(path.join(dir, 'templates/demo/diamond.yaml'), 'utf8');
    expect(onDisk).toContain('# The diamond: one step fans out');
    expect(onDisk).toContain('archive');
    const again = await api.edit.save.mutate({ ref: 'demo/diamond@1.0.0', text: opened.text, expectedHash: opened.hash! }).catch((e: unknown) => e);
    expect(stepwiseCode(again)).toBe('STALE');
    expect(saved.hash).toMatch(/^[0-9a-f]{64}$/);
    const ts = await api.edit.open.query({ ref: 'documents/document_approval@1.0.0' });
    expect(ts.editable).toBe(false);
    expect(ts.readOnlyReason).toContain('flows/document_approval.ts');
  }, 30_000);
});
