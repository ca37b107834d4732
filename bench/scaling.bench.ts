/**
 * How a step's cost grows with the work around it: `npx tsx bench/scaling.bench.ts [--quick]`.
 * O(1) per step is the goal; each series reports steps/s (and µs per step), database bytes per
 * stored step and the process's RSS at every point, and the ratio of its largest point to its
 * reference point.
 *
 * - steps: one task of N independent no-op steps (SQLite file, pool of 8), N = 100, 1,000,
 *   10,000, 100,000. Timed from creating the task to its end.
 * - tasks: K finished tasks of 100 steps already in the database (K = 1, 10, 100, 1,000: 100 to
 *   100,000 stored steps), then 10 new tasks of 100 steps run together (`runUntilIdle`
 *   unscoped, as a runner does): steps/s of the new work.
 * - taskCount: 100,000 finished tasks of 1 step (the task indexes grow, not the step rows),
 *   the same new work as `tasks`.
 * - history: one task of 1,000 ready steps whose log already holds H transitions and H events
 *   (H = 100, 10,000, 100,000): steps/s of running it.
 * The finished tasks are copies of a task the engine ran (its task, steps, attempts, transitions
 * and events, under new ids), committed through storage in batches, into a file that each
 * repetition copies. Every point runs in its own child process (a clean RSS).
 *
 * `figure` holds issue 14's `scaling100kVs1k` pair: steps/s with 1,000 finished tasks × 100
 * steps ÷ with 10 × 100 (`tasksRatio`), and one task of 100,000 steps ÷ one of 1,000
 * (`stepsRatio`); both pairs are measured alternately, twice. `--quick` stops the series at
 * 10,000 stored steps and leaves the figure out.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBenchFile } from './lib/child.js';
import { parseArgs, runMain, tempDir } from './lib/cli.js';
import { prefilled } from './lib/prefill.js';
import { median, perSecond, round } from './lib/stats.js';
import { benchEngine, fanOut } from './lib/stepwise.js';

const self = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

type Point =
  | { series: 'steps'; n: number; reps: number; dir: string }
  | { series: 'tasks'; finished: number; stepsPerTask: number; reps: number; dir: string; base?: string }
  | { series: 'history'; transitions: number; reps: number; dir: string };

interface PointResult {
  label: string;
  storedSteps: number;
  stepsPerSecond: number;
  usPerStep: number;
  /** Median CPU time (user + system) per step, µs. */
  cpuUsPerStep: number;
  runs: number[];
  dbBytesPerStep: number;
  rssMB: number;
  maxRssMB: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/**
 * A copy of a prefilled database, written to disk before it is used: a copy's pages still dirty
 * in the page cache would be written back during the measured run (and a checkpoint's fsync
 * would wait for all of them), which a database that has been in use for a while never pays.
 */
function copySynced(from: string, to: string): void {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Database size (file + WAL) in bytes. */
function dbBytes(file: string): number {
  return statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
}

async function measurePoint(p: Point): Promise<PointResult> {
  const runs: number[] = [];
  /** CPU time of this process per run (ms): on a shared machine, wall time minus waiting. */
  const cpuRuns: number[] = [];
  let stored = 0;
  let bytes = 0;
  let steps = 0;
  let label = '';
  const base = p.series === 'tasks' ? (p.base ?? (await prefilled(p.dir, p.finished, p.stepsPerTask))) : null;
  for (let rep = -1; rep < p.reps; rep++) {
    const name = `${p.series}-${rep + 1}-${process.pid}`;
    if (base) copySynced(base, join(p.dir, `${name}.db`));
    if (p.series === 'steps') {
      const template = fanOut(p.n);
      const b = await benchEngine([template], { kind: 'sqlite', dir: p.dir, name });
      try {
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const task = await b.engine.start(template.name);
        const r = await b.engine.runUntilIdle({ taskId: task.id });
        const ms = performance.now() - t0;
        if (r.task?.status !== 'complete') throw new Error(`the ${p.n}-step task ended ${r.task?.status}`);
        if (rep >= 0) {
          runs.push(ms);
          cpuRuns.push(cpuMs(cpu0));
        }
      } finally {
        await b.close();
      }
      steps = p.n;
      stored = p.n;
      label = `1 task of ${p.n.toLocaleString('en-US')} steps`;
    } else if (p.series === 'tasks') {
      const template = fanOut(100);
      const b = await benchEngine([template], { kind: 'sqlite', dir: p.dir, name });
      try {
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < 10; i++) await b.engine.start(template.name);
        await b.engine.runUntilIdle();
        const ms = performance.now() - t0;
        const unfinished = await b.storage.listTasks({ status: ['running', 'pending'], limit: 1 });
        if (unfinished.total > 0) throw new Error(`${unfinished.total} new tasks did not finish`);
        if (rep >= 0) {
          runs.push(ms);
          cpuRuns.push(cpuMs(cpu0));
        }
      } finally {
        await b.close();
      }
      steps = 1000;
      stored = p.finished * p.stepsPerTask + steps;
      label = `${p.finished.toLocaleString('en-US')} finished tasks of ${p.stepsPerTask} steps + 10 new of 100`;
    } else {
      const template = fanOut(1000);
      const b = await benchEngine([template], { kind: 'sqlite', dir: p.dir, name });
      try {
        const task = await b.engine.start(template.name);
        // The history: transitions and events of this task, committed before it runs.
        for (let done = 0; done < p.transitions; done += 5000) {
          const n = Math.min(5000, p.transitions - done);
          const at = Date.now();
          await b.storage.commit({
            transitions: Array.from({ length: n }, (_, i) => ({ taskId: task.id, stepName: `s${i % 1000}`, field: 'state' as const, from: 'ready', to: 'ready', reason: 'bench history', actor: 'engine' as const, at, details: {} })),
            events: Array.from({ length: n }, (_, i) => ({ type: 'step.progress' as const, taskId: task.id, stepName: `s${i % 1000}`, at, payload: { fraction: 0.5 } })),
          });
        }
        await b.close();
        // Reopened: the history is on disk like any older log, not in a warm WAL or a cached view.
        const b2 = await benchEngine([template], { kind: 'sqlite', dir: p.dir, name });
        try {
          const t0 = performance.now();
        const cpu0 = process.cpuUsage();
          const r = await b2.engine.runUntilIdle({ taskId: task.id });
          const ms = performance.now() - t0;
          if (r.task?.status !== 'complete') throw new Error(`the task with history ended ${r.task?.status}`);
          if (rep >= 0) {
          runs.push(ms);
          cpuRuns.push(cpuMs(cpu0));
        }
        } finally {
          await b2.close();
        }
      } catch (err) {
        await b.close().catch(() => undefined);
        throw err;
      }
      steps = 1000;
      stored = 1000;
      label = `1 task of 1,000 steps with ${p.transitions.toLocaleString('en-US')} transitions in its log`;
    }
    if (rep === p.reps - 1) bytes = dbBytes(join(p.dir, `${name}.db`));
  }
  const ms = median(runs);
  return {
    label,
    storedSteps: stored,
    stepsPerSecond: round(perSecond(steps, ms)),
    usPerStep: round((ms * 1000) / steps, 1),
    cpuUsPerStep: round((median(cpuRuns) * 1000) / steps, 1),
    runs: runs.map((r) => round(r, 1)),
    dbBytesPerStep: round(bytes / stored),
    rssMB: round(process.memoryUsage().rss / MB),
    maxRssMB: round(process.resourceUsage().maxRSS / 1024),
  };
}

/**
 * A database of `finished` finished tasks of `stepsPerTask` steps, made once per size in its own
 * process: the measured processes then start clean (not with the heap that built it).
 */
const prefills = new Map<string, string>();
async function prefilledOnce(dir: string, finished: number, stepsPerTask: number): Promise<string> {
  const key = `${finished}x${stepsPerTask}`;
  const known = prefills.get(key);
  if (known) return known;
  const r = await runBenchFile(self, ['--prefill', JSON.stringify({ dir, finished, stepsPerTask })], 600_000);
  if (!r.ok || typeof r.json?.file !== 'string') throw new Error(`prefilling ${key} failed: ${r.error}`);
  prefills.set(key, r.json.file);
  return r.json.file;
}

async function point(p: Point): Promise<PointResult> {
  if (p.series === 'tasks' && !p.base) p = { ...p, base: await prefilledOnce(p.dir, p.finished, p.stepsPerTask) };
  const r = await runBenchFile(self, ['--point', JSON.stringify(p)], 600_000);
  if (!r.ok || !r.json) throw new Error(`scaling point ${JSON.stringify({ ...p, dir: undefined })} failed: ${r.error}`);
  return r.json as unknown as PointResult;
}

function series(points: PointResult[], reference: number) {
  const ref = points[reference]!;
  const last = points[points.length - 1]!;
  return {
    points,
    /** steps/s at the largest point ÷ at the reference point: 1 is O(1) per step. */
    largestVsReference: round(last.stepsPerSecond / ref.stepsPerSecond, 3),
    reference: ref.label,
  };
}

async function main() {
  const at = process.argv.indexOf('--point');
  if (at >= 0) return measurePoint(JSON.parse(process.argv[at + 1]!) as Point);
  const pre = process.argv.indexOf('--prefill');
  if (pre >= 0) {
    const { dir, finished, stepsPerTask } = JSON.parse(process.argv[pre + 1]!) as { dir: string; finished: number; stepsPerTask: number };
    return { file: await prefilled(dir, finished, stepsPerTask) };
  }
  const args = parseArgs();
  const dir = tempDir('scaling');
  const q = args.quick;
  const steps: PointResult[] = [];
  for (const n of q ? [100, 1000, 10_000] : [100, 1000, 10_000, 100_000]) steps.push(await point({ series: 'steps', n, reps: n <= 1000 ? 5 : n <= 10_000 ? 3 : 1, dir }));
  const tasks: PointResult[] = [];
  for (const k of q ? [1, 10, 100] : [1, 10, 100, 1000]) tasks.push(await point({ series: 'tasks', finished: k, stepsPerTask: 100, reps: 3, dir }));
  const taskCount = q ? null : await point({ series: 'tasks', finished: 100_000, stepsPerTask: 1, reps: 3, dir });
  const history: PointResult[] = [];
  for (const h of q ? [100, 10_000] : [100, 10_000, 100_000]) history.push(await point({ series: 'history', transitions: h, reps: 3, dir }));

  // The figure's pairs again, alternating, so both sides see the same machine.
  let figure: { tasksRatio: number; stepsRatio: number; tasksCpuRatio: number; stepsCpuRatio: number; tasksPairs: number[][]; stepsPairs: number[][] } | null = null;
  if (!q) {
    const tasksPairs: number[][] = [];
    const stepsPairs: number[][] = [];
    // CPU µs per step of the same pairs: what the engine costs, without the machine's waiting.
    const tasksCpu: number[][] = [[tasks[1]!.cpuUsPerStep, tasks[3]!.cpuUsPerStep]];
    const stepsCpu: number[][] = [[steps[1]!.cpuUsPerStep, steps[3]!.cpuUsPerStep]];
    for (let i = 0; i < 2; i++) {
      const small = await point({ series: 'tasks', finished: 10, stepsPerTask: 100, reps: 3, dir });
      const big = await point({ series: 'tasks', finished: 1000, stepsPerTask: 100, reps: 3, dir });
      tasksPairs.push([small.stepsPerSecond, big.stepsPerSecond]);
      tasksCpu.push([small.cpuUsPerStep, big.cpuUsPerStep]);
      const s1 = await point({ series: 'steps', n: 1000, reps: 5, dir });
      const s2 = await point({ series: 'steps', n: 100_000, reps: 1, dir });
      stepsPairs.push([s1.stepsPerSecond, s2.stepsPerSecond]);
      stepsCpu.push([s1.cpuUsPerStep, s2.cpuUsPerStep]);
    }
    const all = (pairs: number[][], early: PointResult, late: PointResult) => [...pairs, [early.stepsPerSecond, late.stepsPerSecond]];
    const ratioOf = (pairs: number[][]) => round(median(pairs.map(([a, b]) => b! / a!)), 3);
    const tp = all(tasksPairs, tasks[1]!, tasks[3]!);
    const sp = all(stepsPairs, steps[1]!, steps[3]!);
    // Steps per CPU second, large ÷ small: the reference's CPU per step ÷ the large point's.
    const cpuRatioOf = (pairs: number[][]) => round(median(pairs.map(([a, b]) => a! / b!)), 3);
    figure = { tasksRatio: ratioOf(tp), stepsRatio: ratioOf(sp), tasksCpuRatio: cpuRatioOf(tasksCpu), stepsCpuRatio: cpuRatioOf(stepsCpu), tasksPairs: tp, stepsPairs: sp };
  }
  return {
    bench: 'scaling',
    steps: series(steps, 1),
    tasks: series(tasks, 1),
    taskCount,
    history: series(history, 0),
    figure,
  };
}

runMain(main);
