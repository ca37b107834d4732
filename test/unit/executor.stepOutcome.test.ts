/**
 * A step handler's outcome in process: a handler that answers synchronously has its outcome at
 * once (no promise) without its job's signal being made; results are copied as JSON and encoded
 * once (the text is what the size limit measures); a signal made after an abort is already aborted.
 */
import { describe, expect, it } from 'vitest';
import { encodedJson, toResults } from '../../core/executor/failure.js';
import { runInProcess } from '../../core/executor/inProcess.js';
import type { JobOutcome, StepJob } from '../../core/executor/types.js';
import { LazyAbort } from '../../core/engine/flow/abort.js';
import { boundOutcome, resolveLimits } from '../../core/limits/index.js';
import type { StepContext } from '../../core/model/handlers.js';

/** A job whose signal exists only once read (as the engine makes it), counting the reads. */
function lazyJob(fn: (ctx: StepContext) => unknown, abort = new LazyAbort()): { job: StepJob; reads: () => number } {
  let reads = 0;
  const job: StepJob = {
    kind: 'step',
    handlerName: 'h',
    fn: fn as StepJob['fn'],
    get signal() {
      reads += 1;
      return abort.signal;
    },
    aborted: () => abort.aborted,
    onProgress: () => undefined,
    onLog: () => undefined,
    context: { taskId: 't', input: {}, results: {}, step: { name: 's', templateStep: 's', attempt: 1, maxAttempts: 1, type: 'standard' }, initialization: {}, batch: null },
  };
  return { job, reads: () => reads };
}

describe('step outcomes in process', () => {
  it('answers a synchronous handler at once, without making its signal', () => {
    const { job, reads } = lazyJob(() => ({ ok: true }));
    const outcome = runInProcess(job);
    expect(outcome).not.toBeInstanceOf(Promise);
    expect(outcome).toEqual({ kind: 'success', value: { ok: true } });
    expect(reads()).toBe(0);
  });

  it('makes the signal for a handler that reads it, and ends a hanging one when it aborts', async () => {
    const abort = new LazyAbort();
    const seen: boolean[] = [];
    const { job } = lazyJob((ctx) => {
      seen.push(ctx.signal.aborted);
      return new Promise(() => {});
    }, abort);
    const running = runInProcess(job);
    expect(running).toBeInstanceOf(Promise);
    abort.abort(new Error('cancelled'));
    expect(await running).toEqual({ kind: 'aborted' });
    expect(seen).toEqual([false]);
  });

  it('gives a handler that reads its signal after the abort an aborted one, with the reason', async () => {
    const abort = new LazyAbort();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { job } = lazyJob(async (ctx) => {
      await gate;
      return [ctx.signal.aborted, (ctx.signal.reason as Error).message];
    }, abort);
    const running = runInProcess(job);
    abort.abort(new Error('timed out'));
    release();
    expect(await running).toEqual({ kind: 'aborted' });
    expect(abort.signal.aborted).toBe(true);
    expect((abort.signal.reason as Error).message).toBe('timed out');
  });

  it('does not run a job that was aborted before it started', () => {
    const abort = new LazyAbort();
    abort.abort(new Error('gone'));
    let ran = false;
    const { job, reads } = lazyJob(() => (ran = true), abort);
    expect(runInProcess(job)).toEqual({ kind: 'aborted' });
    expect(ran).toBe(false);
    expect(reads()).toBe(0);
  });
});

describe('results as stored JSON', () => {
  it('keeps strings, numbers and booleans as they are, and -0 and undefined as JSON has them', () => {
    expect(toResults('x', 'h')).toEqual({ ok: true, value: 'x' });
    expect(toResults(2.5, 'h')).toEqual({ ok: true, value: 2.5 });
    expect(toResults(false, 'h')).toEqual({ ok: true, value: false });
    const zero = toResults(-0, 'h');
    expect(zero.ok && Object.is(zero.value, 0)).toBe(true);
    expect(toResults(undefined, 'h')).toEqual({ ok: true, value: null });
  });

  it('copies objects through JSON once and keeps that text for the size check', () => {
    const value = { at: new Date(0), gone: undefined, list: [1, undefined], nested: { a: 1 } };
    const r = toResults(value, 'h');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({ at: '1970-01-01T00:00:00.000Z', list: [1, null], nested: { a: 1 } });
    expect((r.value as { nested: unknown }).nested).not.toBe(value.nested);
    expect(encodedJson(r.value)).toBe(JSON.stringify(value));
    expect(encodedJson({ a: 1 })).toBeUndefined();
    expect(encodedJson(null)).toBeUndefined();
  });

  it('still refuses a result over the limit, or one with a __proto__ key, by what it is as JSON', () => {
    const limits = resolveLimits({ resultBytes: 100 });
    const big = toResults({ text: 'é'.repeat(60) }, 'h');
    const over = boundOutcome({ kind: 'success', value: big.ok ? big.value : null }, limits, "Step 's'");
    expect(over.kind === 'failure' && over.failure.error.code).toBe('RESULT_TOO_LARGE');
    // 60 two-byte characters: 131 bytes as UTF-8 (the text is 71 characters long).
    expect(over.kind === 'failure' && over.failure.error.message).toMatch(/131 bytes as JSON, over the limit of 100 bytes/);
    const proto = toResults(JSON.parse('{"__proto__": {"x": 1}}'), 'h');
    const refused = boundOutcome({ kind: 'success', value: proto.ok ? proto.value : null }, limits, "Step 's'");
    expect(refused.kind === 'failure' && refused.failure.error.message).toMatch(/__proto__/);
    const fits: JobOutcome = { kind: 'success', value: null };
    expect(boundOutcome(fits, limits, "Step 's'")).toBe(fits);
    const tiny = resolveLimits({ resultBytes: 3 });
    expect(boundOutcome(fits, tiny, "Step 's'").kind).toBe('failure');
  });
});
