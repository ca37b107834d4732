/**
 * A step handler's context in process: `ancestors` and `log` are made when the handler first
 * reads them (StepJob.ancestors), and then behave as plain fields; executors that send the
 * context to a thread put the ancestors in it (withAncestors).
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../core/executor/inProcess.js';
import { withAncestors, type StepJob } from '../../core/executor/types.js';
import type { StepContext } from '../../core/model/handlers.js';

function job(fn: (ctx: StepContext) => unknown, over: Partial<StepJob> = {}): StepJob {
  return {
    kind: 'step',
    handlerName: 'h',
    fn: fn as StepJob['fn'],
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: () => undefined,
    context: { taskId: 't', input: {}, results: { b: 2 }, step: { name: 's', templateStep: 's', attempt: 1, maxAttempts: 1, type: 'standard' }, initialization: {}, batch: null },
    ...over,
  };
}

describe('step context in process', () => {
  it('gathers the ancestors only when the handler reads them, once', async () => {
    let calls = 0;
    const ancestors = () => {
      calls += 1;
      return { a: 1, b: 2 };
    };
    expect(await runInProcess(job(() => 'no read', { ancestors }))).toEqual({ kind: 'success', value: 'no read' });
    expect(calls).toBe(0);
    const read = await runInProcess(job((ctx) => [ctx.ancestors, ctx.ancestors === ctx.ancestors], { ancestors }));
    expect(read).toEqual({ kind: 'success', value: [{ a: 1, b: 2 }, true] });
    expect(calls).toBe(1);
  });

  it('lets the handler assign them, and spread, JSON and structured clone see them as values', async () => {
    const out = await runInProcess(
      job(
        (ctx) => {
          const spread = { ...ctx };
          const cloned = structuredClone({ ancestors: ctx.ancestors });
          ctx.ancestors = { mine: true };
          return { spread: spread.ancestors, json: JSON.parse(JSON.stringify({ a: ctx.ancestors })), cloned: cloned.ancestors, logs: typeof ctx.log.info };
        },
        { ancestors: () => ({ a: 1 }) },
      ),
    );
    expect(out).toEqual({ kind: 'success', value: { spread: { a: 1 }, json: { a: { mine: true } }, cloned: { a: 1 }, logs: 'function' } });
  });

  it('uses the ancestors a hand-built context carries, and none when there are none', async () => {
    const given = job((ctx) => ctx.ancestors);
    given.context.ancestors = { x: 1 };
    expect(await runInProcess(given)).toEqual({ kind: 'success', value: { x: 1 } });
    expect(await runInProcess(job((ctx) => ctx.ancestors))).toEqual({ kind: 'success', value: {} });
  });

  it('puts the ancestors into a context sent elsewhere', () => {
    const j = job(() => null, { ancestors: () => ({ a: 1 }) });
    expect(withAncestors(j).ancestors).toEqual({ a: 1 });
    expect(j.context.ancestors).toBeUndefined();
    const carried = job(() => null);
    carried.context.ancestors = { y: 2 };
    expect(withAncestors(carried)).toBe(carried.context);
  });

  it('writes log lines through ctx.log when the handler uses it', async () => {
    const lines: unknown[] = [];
    await runInProcess(job((ctx) => ctx.log.info('hello', { n: 1 }), { onLog: (l) => void lines.push(l) }));
    expect(lines).toEqual([{ level: 'info', message: 'hello', fields: { n: 1 } }]);
  });
});
