/**
 * Where one step's (or one flow's) time goes: `npx tsx bench/profile/run.ts [workload] [--json]`.
 * Workloads: fanout (5,000 independent no-op steps, SQLite file, pool of 8), chain (200 deep),
 * flows-memory, flows-sqlite (the registration flow), all (default).
 *
 * For each workload, in this one process, after a warm-up:
 * 1. wall: the workload unprofiled (µs per unit);
 * 2. phases: the same under the V8 sampling CPU profiler (50 µs), each sample put in a phase by
 *    ./phases.ts, µs per unit (profiling inflates the total a little; the shares are what count);
 * 3. counts per unit: storage commits and reads, events, JSON.stringify / JSON.parse /
 *    structuredClone calls, timers, promises created (async_hooks), bytes allocated (the V8
 *    sampling heap profiler, collected objects included).
 * Prints a Markdown report (or the JSON with --json).
 */
import { createHook } from 'node:async_hooks';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { Storage } from '../../core/storage/storage.js';
import { createEngine } from '../../core/engine/engine.js';
import { openStorage, type StorageConfig } from '../../core/storage/index.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { tempDir } from '../lib/cli.js';
import { registrationFlow, runRegistration } from '../lib/registration.js';
import { round } from '../lib/stats.js';
import { benchEngine, chain, countCommits, fanOut } from '../lib/stepwise.js';
import { classify, PHASE_LABELS, type CpuProfile, type Phase } from './phases.js';

interface Workload {
  name: string;
  unit: 'step' | 'flow';
  units: number;
  /**
   * Opens fresh storage (seen by `hook` first) and returns the measured part and the clean-up:
   * opening and closing a database is not part of a step's cost.
   */
  prepare(hook: (s: Storage) => void): Promise<{ run(): Promise<void>; close(): Promise<void> }>;
}

const dir = tempDir('profile');
let seq = 0;

function workflowWorkload(name: string, template: ReturnType<typeof fanOut>): Workload {
  return {
    name,
    unit: 'step',
    units: template.steps.length,
    async prepare(hook) {
      const b = await benchEngine([template], { kind: 'sqlite', dir, name: `${name}-${seq++}` });
      hook(b.storage);
      return {
        async run() {
          const task = await b.engine.start(template.name);
          const r = await b.engine.runUntilIdle({ taskId: task.id });
          if (r.task?.status !== 'complete') throw new Error(`${name} ended ${r.task?.status}`);
        },
        close: () => b.close(),
      };
    },
  };
}

function flowWorkload(name: string, where: 'memory' | 'sqlite', n: number): Workload {
  return {
    name,
    unit: 'flow',
    units: n,
    async prepare(hook) {
      const config: StorageConfig = where === 'memory' ? { kind: 'memory' } : { kind: 'sqlite', file: join(dir, `${name}-${seq++}.db`) };
      const storage = await openStorage(config);
      hook(storage);
      const engine = createEngine({ storage, templates: createTemplateRegistry([registrationFlow]), handlers: createHandlerRegistry(new Map()), executor: 'inline' });
      return {
        async run() {
          for (let i = 0; i < n; i++) await runRegistration(engine.flows, i);
        },
        async close() {
          await engine.close();
          await storage.close();
        },
      };
    },
  };
}

/** Times `w`'s measured part; `around` wraps it (a profiler start/stop). */
async function measure(w: Workload, hook: (s: Storage) => void = () => {}, around?: { before(): Promise<void>; after(): Promise<void> }): Promise<number> {
  const p = await w.prepare(hook);
  try {
    await around?.before();
    const t0 = performance.now();
    try {
      await p.run();
    } finally {
      await around?.after();
    }
    return performance.now() - t0;
  } finally {
    await p.close();
  }
}

const WORKLOADS: Record<string, Workload> = {
  fanout: workflowWorkload('fanout', fanOut(5000)),
  chain: workflowWorkload('chain', chain(200)),
  'flows-memory': flowWorkload('flows-memory', 'memory', 5000),
  'flows-sqlite': flowWorkload('flows-sqlite', 'sqlite', 1000),
};

const READS = ['getTask', 'getSteps', 'getStep', 'listTasks', 'listAttempts', 'tasksWithReadySteps', 'dueSteps', 'expiredLeases', 'dueTasks', 'expiredTasks', 'readEvents', 'lastEventSeq', 'maxAttemptNumber', 'findTaskByIdempotencyKey', 'countRunningWithConcurrencyKey', 'listTransitions'] as const;

interface Counts {
  commits: number;
  reads: number;
  readsBy: Record<string, number>;
  events: number;
  transitions: number;
  stringify: number;
  parse: number;
  structuredClone: number;
  timers: number;
  promises: number;
}

/** Counts what one run does, by wrapping storage and a few globals for its duration. */
async function countRun(w: Workload): Promise<Counts> {
  const c: Counts = { commits: 0, reads: 0, readsBy: {}, events: 0, transitions: 0, stringify: 0, parse: 0, structuredClone: 0, timers: 0, promises: 0 };
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = { stringify: JSON.stringify, parse: JSON.parse, clone: g.structuredClone, setTimeout: g.setTimeout, setInterval: g.setInterval };
  JSON.stringify = ((...a: Parameters<typeof JSON.stringify>) => (c.stringify++, saved.stringify(...a))) as typeof JSON.stringify;
  JSON.parse = ((...a: Parameters<typeof JSON.parse>) => (c.parse++, saved.parse(...a))) as typeof JSON.parse;
  g.structuredClone = (...a: unknown[]) => (c.structuredClone++, (saved.clone as (...x: unknown[]) => unknown)(...a));
  g.setTimeout = (...a: unknown[]) => (c.timers++, (saved.setTimeout as (...x: unknown[]) => unknown)(...a));
  g.setInterval = (...a: unknown[]) => (c.timers++, (saved.setInterval as (...x: unknown[]) => unknown)(...a));
  const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && c.promises++) });
  const on = { before: async () => void hook.enable(), after: async () => void hook.disable() };
  try {
    await measure(w, (s) => {
      const read = (name: string) => {
        c.reads++;
        c.readsBy[name] = (c.readsBy[name] ?? 0) + 1;
      };
      // Both paths (Storage.sync stays on, as in users' engines).
      countCommits(
        s,
        (changes) => {
          c.commits++;
          c.events += changes.events?.length ?? 0;
          c.transitions += changes.transitions?.length ?? 0;
        },
        read,
      );
      const record = s as unknown as Record<string, (...a: unknown[]) => unknown>;
      for (const name of READS) {
        const fn = record[name]!.bind(s);
        record[name] = (...a: unknown[]) => {
          read(name);
          return fn(...a);
        };
      }
    }, on);
  } finally {
    hook.disable();
    JSON.stringify = saved.stringify;
    JSON.parse = saved.parse;
    g.structuredClone = saved.clone;
    g.setTimeout = saved.setTimeout;
    g.setInterval = saved.setInterval;
  }
  return c;
}

async function allocatedBytes(session: Session, w: Workload): Promise<number> {
  let profile: { samples: Array<{ size: number }> } = { samples: [] };
  await measure(w, () => {}, {
    async before() {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
    },
    async after() {
      ({ profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { samples: Array<{ size: number }> } });
      await session.post('HeapProfiler.disable');
    },
  });
  // Each sample stands for `samplingInterval` bytes on average (Poisson sampling).
  return profile.samples.length * 4096;
}

async function profileRun(session: Session, w: Workload): Promise<{ profile: CpuProfile; ms: number }> {
  let profile: CpuProfile | null = null;
  const ms = await measure(w, () => {}, {
    async before() {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 50 });
      await session.post('Profiler.start');
    },
    async after() {
      ({ profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile });
      await session.post('Profiler.disable');
    },
  });
  return { profile: profile!, ms };
}

export interface WorkloadReport {
  workload: string;
  unit: string;
  units: number;
  wallUsPerUnit: number;
  profiledUsPerUnit: number;
  profilingOverhead: number;
  phasesUsPerUnit: Partial<Record<Phase, number>>;
  perUnit: Record<string, number | Record<string, number>>;
  topSelf: Array<{ fn: string; file: string; usPerUnit: number; phase: string }>;
}

async function profileWorkload(session: Session, w: Workload): Promise<WorkloadReport> {
  await measure(w); // warm-up (JIT)
  await measure(w);
  const walls: number[] = [];
  for (let i = 0; i < 3; i++) walls.push(await measure(w));
  walls.sort((a, b) => a - b);
  const wall = walls[1]!;
  const { profile, ms: profiledWall } = await profileRun(session, w);
  const totals = classify(profile);
  const counts = await countRun(w);
  const bytes = await allocatedBytes(session, w);
  const per = (x: number) => round(x / w.units, 2);
  // Profiling slows everything down alike (roughly): phases are scaled to the unprofiled wall time.
  const scale = wall / profiledWall;
  const phases: Partial<Record<Phase, number>> = {};
  for (const [k, v] of Object.entries(totals.us) as Array<[Phase, number]>) if (v > 0) phases[k] = per(v * scale);
  const readsBy: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts.readsBy)) readsBy[k] = per(v);
  return {
    workload: w.name,
    unit: w.unit,
    units: w.units,
    wallUsPerUnit: per(wall * 1000),
    profiledUsPerUnit: per((totals.totalUs - totals.us.idle) * scale),
    profilingOverhead: round(profiledWall / wall, 2),
    phasesUsPerUnit: phases,
    perUnit: {
      commits: per(counts.commits),
      storageReads: per(counts.reads),
      readsBy,
      events: per(counts.events),
      transitions: per(counts.transitions),
      jsonStringify: per(counts.stringify),
      jsonParse: per(counts.parse),
      structuredClone: per(counts.structuredClone),
      timers: per(counts.timers),
      promises: per(counts.promises),
      allocatedKB: round(bytes / w.units / 1024, 2),
    },
    topSelf: totals.topSelf.map((t) => ({ fn: t.fn, file: t.file, usPerUnit: per(t.us), phase: t.phase })),
  };
}

export function markdown(reports: readonly WorkloadReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`### ${r.workload} — µs per ${r.unit} (${r.units} ${r.unit}s per run)`, '');
    out.push(`Wall time unprofiled: **${r.wallUsPerUnit} µs/${r.unit}**; busy (not idle) ${r.profiledUsPerUnit} µs/${r.unit}. Phases are CPU samples scaled to the unprofiled wall time (the profiled run took ${r.profilingOverhead}× as long).`, '');
    out.push('| phase | µs/' + r.unit + ' | share |', '| --- | ---: | ---: |');
    const busy = r.profiledUsPerUnit || 1;
    const entries = Object.entries(r.phasesUsPerUnit).filter(([k]) => k !== 'idle').sort((a, b) => b[1] - a[1]);
    for (const [k, v] of entries) out.push(`| ${PHASE_LABELS[k as Phase]} | ${v} | ${Math.round((v / busy) * 100)}% |`);
    if (r.phasesUsPerUnit.idle) out.push(`| idle (waiting, not in the total) | ${r.phasesUsPerUnit.idle} | |`);
    out.push('', `Per ${r.unit}: ` + Object.entries(r.perUnit).map(([k, v]) => `${k} ${typeof v === 'number' ? v : JSON.stringify(v)}`).join('; ') + '.', '');
    out.push('Busiest functions (self time, profiled µs):', '', '| function | file | µs/' + r.unit + ' |', '| --- | --- | ---: |');
    for (const t of r.topSelf.slice(0, 15)) out.push(`| ${t.fn} | ${t.file || '(native)'} | ${t.usPerUnit} |`);
    out.push('');
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const which = argv.find((a) => !a.startsWith('--')) ?? 'all';
  const names = which === 'all' ? Object.keys(WORKLOADS) : which.split(',');
  for (const n of names) if (!WORKLOADS[n]) throw new Error(`Unknown workload '${n}'. Workloads: ${Object.keys(WORKLOADS).join(', ')}, all.`);
  const session = new Session();
  session.connect();
  const reports: WorkloadReport[] = [];
  for (const n of names) {
    process.stderr.write(`profiling ${n} ...\n`);
    reports.push(await profileWorkload(session, WORKLOADS[n]!));
  }
  session.disconnect();
  process.stdout.write(json ? JSON.stringify(reports, null, 2) + '\n' : markdown(reports) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
