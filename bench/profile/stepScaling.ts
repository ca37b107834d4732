/**
 * Why a step of a big task costs more than one of a small task:
 * `npx tsx bench/profile/stepScaling.ts [sizes…] [--reps N]` (default 1000 100000, 1 rep).
 * Runs one task of N independent no-op steps on a SQLite file (pool of 8, the scaling
 * benchmark's `steps` series) per size, alternating sizes rep by rep in this process (after a
 * warm-up task of 200), and prints per step: wall µs, CPU µs of the process, main-thread GC µs
 * (and GC count), event-loop utilization, storage calls by method (a read that grows with the
 * task shows as calls or as time per call), system CPU, the share of wall time that creating the
 * task took, heap used and RSS at the end. On a shared machine
 * compare CPU, GC and counts, not wall time (print `uptime` next to it).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { tempDir } from '../lib/cli.js';
import { benchEngine, fanOut } from '../lib/stepwise.js';

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 1;
const sizes = args.filter((_, i) => repsAt < 0 || (i !== repsAt && i !== repsAt + 1)).map(Number).filter((n) => n > 0);
const chosen = sizes.length ? sizes : [1000, 100_000];

let gcMs = 0;
let gcN = 0;
/** GC time by kind (perf_hooks constants: 1 minor/scavenge, 2 major, 4 incremental marking, 8 weak callbacks). */
const gcByKind = new Map<number, number>();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcN++;
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
    gcByKind.set(kind, (gcByKind.get(kind) ?? 0) + e.duration);
  }
}).observe({ entryTypes: ['gc'] });
const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak' };

const dir = tempDir('stepscaling');
const MB = 1024 * 1024;

async function runOnce(n: number, name: string) {
  const template = fanOut(n);
  const b = await benchEngine([template], { kind: 'sqlite', dir, name });
  // Storage calls by method: a per-round read of the whole task would show here.
  const calls = new Map<string, number>();
  const storage = b.storage as unknown as Record<string, unknown>;
  for (const key of ['getTask', 'getSteps', 'getStep', 'listAttempts', 'listTasks', 'dueSteps', 'expiredLeases', 'commit']) {
    const fn = storage[key];
    if (typeof fn !== 'function') continue;
    storage[key] = (...a: unknown[]) => {
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return (fn as (...x: unknown[]) => unknown).apply(b.storage, a);
    };
  }
  try {
    gcMs = 0;
    gcN = 0;
    gcByKind.clear();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const task = await b.engine.start(template.name);
    const startMs = performance.now() - t0;
    const r = await b.engine.runUntilIdle({ taskId: task.id });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    if (r.task?.status !== 'complete') throw new Error(`the ${n}-step task ended ${r.task?.status}`);
    // GC entries are delivered asynchronously.
    await new Promise((res) => setTimeout(res, 50));
    const per = (x: number) => Math.round((x / n) * 10) / 10;
    return {
      n,
      wallUs: per(ms * 1000),
      cpuUs: per(cpu.user + cpu.system),
      /** System CPU (reads of database pages the SQLite cache does not hold, WAL writes, fsyncs). */
      sysUs: per(cpu.system),
      /** Creating the task (one commit of every step, its transition and event): part of the wall figure. */
      startUs: per(startMs * 1000),
      gcUs: per(gcMs * 1000),
      gcN,
      gcUsByKind: Object.fromEntries([...gcByKind].map(([k, ms]) => [GC_KINDS[k] ?? String(k), per(ms * 1000)])),
      elu: Math.round(elu.utilization * 1000) / 1000,
      callsPerStep: Object.fromEntries([...calls].map(([k, v]) => [k, Math.round((v / n) * 1000) / 1000])),
      heapMB: Math.round(process.memoryUsage().heapUsed / MB),
      rssMB: Math.round(process.memoryUsage().rss / MB),
    };
  } finally {
    await b.close();
  }
}

await runOnce(200, 'warm');
for (let rep = 0; rep < reps; rep++) {
  for (const n of chosen) console.log(JSON.stringify(await runOnce(n, `r${n}-${rep}`)));
}
