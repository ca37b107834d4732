/**
 * The `threads` executor: each handler runs in a worker thread (piscina), so a CPU-bound or
 * runaway handler cannot freeze the engine. Only JSON crosses: the worker loads the handler's
 * module by path. Aborting (cancellation, timeout) terminates the worker thread running it.
 * Handlers that have no module file (functions given inline to defineWorkflow) and flow jobs run
 * in process.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { runInProcess } from './inProcess.js';
import type { Executor, Job, JobOutcome } from './types.js';
import type { ThreadMessage, ThreadTask } from './threadTask.js';

export function createThreadsExecutor(concurrency = 4): Executor {
  const capacity = Math.max(1, concurrency);
  const pool = new Piscina({
    filename: new URL('./threadWorker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: capacity,
    idleTimeout: 30_000,
    // The worker entry is plain JavaScript that loads TypeScript with jiti: it needs no loader
    // flags, and inheriting the parent's (`--import tsx`) costs seconds per thread.
    execArgv: [],
  });

  async function run(job: Job): Promise<JobOutcome> {
    // Flow jobs call back into the engine (sub-tasks): they run in process until the worker proxies them.
    if (!job.file || job.kind === 'flow') return runInProcess(job);
    if (job.signal.aborted) return { kind: 'aborted' };
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: ThreadMessage) => {
      if (m.type === 'progress') job.onProgress(m.fraction, m.message);
      else job.onLog(m.fields === undefined ? { level: m.level, message: m.message } : { level: m.level, message: m.message, fields: m.fields as never });
    });
    const task: ThreadTask = { file: job.file, handlerName: job.handlerName, context: job.context, port: port2 };
    try {
      return (await pool.run(task, { transferList: [port2], signal: job.signal })) as JobOutcome;
    } catch (err) {
      if (job.signal.aborted) return { kind: 'aborted' };
      // The worker itself died (out of memory, process.exit in a handler): retryable.
      const e = err as Error;
      return { kind: 'failure', failure: { error: { class: e.name ?? 'Error', message: `worker thread failed: ${e.message}`, stack: e.stack }, retryable: true } };
    } finally {
      port1.close();
    }
  }

  return {
    kind: 'threads',
    capacity,
    run,
    close: async () => {
      await pool.destroy();
    },
  };
}
