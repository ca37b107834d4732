/**
 * The `stepwise:handler` tracing channel (issue 15): with the workspace setup module a user
 * writes to start OpenTelemetry (test/fixtures/tracing/telemetry.ts, as docs/tracing.md shows),
 * every handler call is a span, and a span made inside the handler nests under it — in process
 * and in the worker threads of the `threads` executor, where the setup module runs too.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../core/engine/open.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const root = mkdtempSync(path.join(tmpdir(), 'stepwise-tracing-'));
const workspace = path.join(root, 'workspace');
cpSync(path.join(REPO, 'test/fixtures/tracing'), workspace, { recursive: true });
symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
const spansFile = path.join(root, 'spans.jsonl');
process.env.STEPWISE_TEST_SPANS = spansFile;
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface SpanLine {
  name: string;
  traceId: string;
  spanId: string;
  parent: string | null;
  attributes: Record<string, unknown>;
}

async function runCharge(executor: 'inline' | 'threads'): Promise<{ taskId: string; spans: SpanLine[] }> {
  const opened = await openEngine({ workspace, db: ':memory:', executor });
  try {
    expect(opened.workspace!.problems).toEqual([]);
    const task = await opened.engine.start('traced/charge', { amount: 42 });
    const run = await opened.engine.runUntilIdle({ taskId: task.id });
    expect(run.task?.status).toBe('complete');
    const spans = readFileSync(spansFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SpanLine);
    return { taskId: task.id, spans };
  } finally {
    await opened.close();
  }
}

describe('OpenTelemetry spans around handlers', () => {
  for (const executor of ['inline', 'threads'] as const) {
    it(`nests the spans a handler makes under its handler span (${executor})`, async () => {
      const { taskId, spans } = await runCharge(executor);
      const handler = spans.find((s) => s.name === 'step charge_card' && s.attributes['stepwise.task_id'] === taskId);
      expect(handler, JSON.stringify(spans)).toBeDefined();
      expect(handler!.attributes).toMatchObject({ 'stepwise.handler': 'charge', 'stepwise.attempt': 1 });
      const inner = spans.find((s) => s.name === 'POST /charges' && s.parent === handler!.spanId);
      expect(inner, JSON.stringify(spans)).toBeDefined();
      expect(inner!.traceId).toBe(handler!.traceId);
      // Where the handler ran: this thread in process, a worker thread under `threads`.
      if (executor === 'inline') expect(inner!.attributes['thread.id']).toBe(threadId);
      else expect(inner!.attributes['thread.id']).not.toBe(threadId);
    });
  }
});
