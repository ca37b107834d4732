import { describe, expect, it } from 'vitest';
import { createPoolExecutor, runInProcess } from '../../core/executor/inProcess.js';
import type { FlowJob } from '../../core/executor/types.js';
import type { HandlerFn } from '../../core/model/template.js';

function job(fn: HandlerFn, extra: Partial<FlowJob> = {}): FlowJob {
  const started: string[] = [];
  return {
    kind: 'flow',
    role: 'action',
    handlerName: 'h',
    fn,
    context: { taskId: 't1', state: 'send', data: { n: 1 }, attempt: { number: 1, maxAttempts: 1 } },
    signal: new AbortController().signal,
    onProgress: () => {},
    onLog: () => {},
    subtasks: {
      start: async (template) => {
        started.push(template);
        return { id: `child-${started.length}` };
      },
      list: async () => started.map((t, i) => ({ id: `child-${i + 1}`, templateRef: t, status: 'running', result: null, data: {} })),
    },
    ...extra,
  };
}

describe('flow jobs on the in-process executors', () => {
  it('returns the choice and the data the handler left (as JSON)', async () => {
    const outcome = await runInProcess(
      job((ctx) => {
        const c = ctx as unknown as { data: Record<string, unknown> };
        c.data.n = 2;
        c.data.at = new Date(0);
        c.data.gone = undefined;
        return 'done';
      }),
    );
    expect(outcome).toEqual({ kind: 'success', value: 'done', data: { n: 2, at: '1970-01-01T00:00:00.000Z' }, dataText: '{"n":2,"at":"1970-01-01T00:00:00.000Z"}' });
  });

  it('passes an interaction its params and gives handlers the sub-task API', async () => {
    const outcome = await createPoolExecutor(2).run(
      job(
        (async (ctx: { data: Record<string, unknown>; startSubtask(t: string): Promise<{ id: string }>; activeSubtasks(): Promise<unknown[]> }, params: { email: string }) => {
          ctx.data.email = params.email;
          await ctx.startSubtask('other');
          ctx.data.active = (await ctx.activeSubtasks()).length;
        }) as unknown as HandlerFn,
        { role: 'interaction', params: { email: 'a@b.c' } },
      ),
    );
    expect(outcome).toMatchObject({ kind: 'success', value: null, data: { n: 1, email: 'a@b.c', active: 1 } });
  });

  it('fails an attempt whose handler leaves data that is no JSON object', async () => {
    const outcome = await runInProcess(
      job((ctx) => {
        const c = ctx as unknown as { data: unknown };
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        (c.data as Record<string, unknown>).x = cyclic;
      }),
    );
    expect(outcome.kind).toBe('failure');
    expect(outcome.kind === 'failure' && outcome.failure.error.message).toMatch(/data must stay a JSON object/);
  });

  it('ends the job when its signal aborts, whatever the handler does', async () => {
    const controller = new AbortController();
    const running = runInProcess(job(() => new Promise(() => {}), { signal: controller.signal }));
    controller.abort(new Error('cancelled'));
    expect(await running).toEqual({ kind: 'aborted' });
  });
});
