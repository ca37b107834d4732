/**
 * The headline figures of issues 14 and 13 (PostgreSQL peers), by key: each one number (no unit), computed from the raw
 * JSON of the benchmarks of one invocation, with its goal. `bench/results.json` keeps them under
 * `figures` (exactly these keys in a full run; the ones measured in an `--only` run), and the
 * README table and docs/performance.md are generated from them (./docs.ts).
 */
import { pick, type Results } from './report.js';
import { round } from './stats.js';

export const FIGURE_KEYS = [
  'fanoutVsBullmq',
  'chainVsBullmq',
  'flowsMemoryVsXstate',
  'flowsSqliteVsXstate',
  'eventsLivePerSecond',
  'workbench1000DrawnMs',
  'scaling100kVs1k',
  'fanoutPgVsPgBoss',
  'fanoutPgVsGraphile',
] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];
export type Figures = Partial<Record<FigureKey, number | null>>;

export interface FigureSpec {
  key: FigureKey;
  /** What the number is, for the tables. */
  title: string;
  /** The benchmark (bench/index.ts spec key) that produces it. */
  bench: string;
  goal: { op: '>=' | '<='; value: number };
  compute(r: Results): number | null;
}

const ratio = (a: number | null, b: number | null, digits = 3): number | null => (a === null || b === null || b === 0 ? null : round(a / b, digits));
const lowest = (...xs: Array<number | null>): number | null => (xs.some((x) => x === null) ? null : Math.min(...(xs as number[])));

export const FIGURES: readonly FigureSpec[] = [
  {
    key: 'fanoutVsBullmq',
    title: '5,000 independent no-op steps on SQLite ÷ BullMQ jobs/s, same concurrency (8)',
    bench: 'bullmq',
    goal: { op: '>=', value: 2 },
    compute: (r) => ratio(pick(r, 'bullmq', 'independent.stepwise.stepsPerSecond'), pick(r, 'bullmq', 'independent.bullmq.jobsPerSecond')),
  },
  {
    key: 'chainVsBullmq',
    title: '200-deep chain on SQLite ÷ BullMQ FlowProducer, steps (jobs) per second',
    bench: 'bullmq',
    goal: { op: '>=', value: 3 },
    compute: (r) => ratio(pick(r, 'bullmq', 'chain.stepwise.stepsPerSecond'), pick(r, 'bullmq', 'chain.bullmq.jobsPerSecond')),
  },
  {
    key: 'flowsMemoryVsXstate',
    title: 'registration flow on memory storage ÷ XState 5, flows per second',
    bench: 'flows',
    goal: { op: '>=', value: 0.5 },
    compute: (r) => ratio(pick(r, 'flows', 'stepwiseMemory.flowsPerSecond'), pick(r, 'flows', 'xstate.flowsPerSecond'), 4),
  },
  {
    key: 'flowsSqliteVsXstate',
    title: 'the same flow on a SQLite file ÷ XState 5, flows per second',
    bench: 'flows',
    goal: { op: '>=', value: 0.2 },
    compute: (r) => ratio(pick(r, 'flows', 'stepwiseSqlite.flowsPerSecond'), pick(r, 'flows', 'xstate.flowsPerSecond'), 4),
  },
  {
    key: 'eventsLivePerSecond',
    title: 'events per second a live in-process follower receives, published commit by commit (24 events each) as the engine publishes them',
    bench: 'events',
    goal: { op: '>=', value: 100_000 },
    compute: (r) => pick(r, 'events', 'delivery.eventsPerSecond'),
  },
  {
    key: 'workbench1000DrawnMs',
    title: 'a 1,000-step template drawn in Chromium, ms from navigation',
    bench: 'workbench',
    goal: { op: '<=', value: 1000 },
    compute: (r) => pick(r, 'workbench', 'templateView.timeToDrawnMs'),
  },
  {
    key: 'scaling100kVs1k',
    title: 'steps/s with 100,000 steps stored ÷ with 1,000, the lower of: 1,000 vs 10 finished tasks of 100 steps, one task of 100,000 vs 1,000 steps',
    bench: 'scaling',
    goal: { op: '>=', value: 0.9 },
    compute: (r) => lowest(pick(r, 'scaling', 'figure.tasksRatio'), pick(r, 'scaling', 'figure.stepsRatio')),
  },
  {
    key: 'fanoutPgVsPgBoss',
    title: 'no-op fan-out on PostgreSQL, one runner process (8 at once) ÷ pg-boss, one worker process (8 at once), the faster of its work API and a fetch/complete loop',
    bench: 'postgres',
    goal: { op: '>=', value: 1 },
    compute: (r) => onOneProcess(r, (one) => ratio(one.stepwise, Math.max(one.pgBossWork, one.pgBossFetch))),
  },
  {
    key: 'fanoutPgVsGraphile',
    title: 'no-op fan-out on PostgreSQL, one runner process (8 at once) ÷ graphile-worker, one worker process (concurrency 8)',
    bench: 'postgres',
    goal: { op: '>=', value: 0.5 },
    compute: (r) => onOneProcess(r, (one) => ratio(one.stepwise, one.graphile)),
  },
];

type PeerRates = { stepwise: number; graphile: number; pgBossWork: number; pgBossFetch: number };

/** `fn` of the PostgreSQL peers' rates with one worker process each (bench/pg/peers.ts), or null when not measured. */
function onOneProcess(r: Results, fn: (rates: PeerRates) => number | null): number | null {
  const rates = peersAt(r, 1);
  return rates ? fn(rates) : null;
}

function peersAt(r: Results, processes: number): PeerRates | null {
  for (let i = 0; i < 3; i++) {
    if (pick(r, 'postgres', `peers.byProcesses.${i}.processes`) !== processes) continue;
    const at = (path: string) => pick(r, 'postgres', `peers.byProcesses.${i}.${path}`);
    const [stepwise, graphile, pgBossWork, pgBossFetch] = [at('stepwise.stepsPerSecond'), at('graphile.jobsPerSecond'), at('pgBossWork.jobsPerSecond'), at('pgBossFetch.jobsPerSecond')];
    if (stepwise === null || graphile === null || pgBossWork === null || pgBossFetch === null) return null;
    return { stepwise, graphile, pgBossWork, pgBossFetch };
  }
  return null;
}

/**
 * The figures the benchmarks in `ran` produce. A figure whose benchmark ran but did not produce
 * it (a failure) is null; figures of benchmarks that did not run are left out.
 */
export function computeFigures(results: Results, ran: ReadonlySet<string>): Figures {
  const out: Figures = {};
  for (const f of FIGURES) if (ran.has(f.bench)) out[f.key] = f.compute(results);
  return out;
}

export function meetsGoal(spec: FigureSpec, value: number | null | undefined): boolean | null {
  if (value === null || value === undefined) return null;
  return spec.goal.op === '>=' ? value >= spec.goal.value : value <= spec.goal.value;
}

export function goalText(spec: FigureSpec): string {
  return `${spec.goal.op === '>=' ? '≥' : '≤'} ${spec.goal.value.toLocaleString('en-US')}`;
}
