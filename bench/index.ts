/**
 * `npm run bench [-- --quick] [-- --only a,b] [-- --out FILE] [-- --render [FILE]]`: runs every
 * benchmark, each in its own Node process one after the other on this machine, prints the table
 * and writes the results document (./lib/docs.ts): `figures` (issue 14's headline numbers with
 * their goals, ./lib/figures.ts), the table rows, errors and each benchmark's raw JSON.
 *
 * - A full run writes bench/results.json (or `--out FILE`) and regenerates the tables in
 *   README.md and docs/performance.md from it (not for `--quick` runs, and not with `--out`).
 * - `--only` runs write nothing unless given `--out FILE`; their `figures` hold what they measured.
 * - `--render [FILE]` runs nothing: it regenerates the README and docs tables from FILE
 *   (default bench/results.json).
 * Every figure is a median over repeated runs (see each file's header); every comparison
 * (BullMQ, XState, the SQLite ceiling) is between figures of one process, alternating run by run.
 * A benchmark that fails, or whose figures contradict each other (a storage commit faster than
 * the raw ceiling), makes the run exit 1 with the reason under `errors`.
 *
 * Benchmarks (keys for `--only`): engine, bullmq (peers/bullmq.bench.ts on a throwaway Redis),
 * flows (Stepwise flows and XState), ceiling (the raw better-sqlite3 ceiling interleaved with
 * SqliteStorage.commit and the engine), storage, events, scaling, memory, stateAt, workbench,
 * isolation (handlers in process vs in worker threads: the per-step cost of isolating them),
 * postgres (its own PostgreSQL server: PG vs SQLite, runner processes, raw ceiling, NOTIFY latency).
 * `stepwise bench` runs this file too.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { runBenchFile } from './lib/child.js';
import { compiledBench } from './lib/compiled.js';
import { renderDocs, type BenchDocument } from './lib/docs.js';
import { computeFigures } from './lib/figures.js';
import { buildRows, formatTable, type Results } from './lib/report.js';
import { median, round } from './lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runs = quick ? 1 : 3;

interface Spec {
  key: string;
  file: string;
  args: string[];
  /** Separate processes, median of each figure across them (for files that measure once). */
  repeat?: number;
  /** Run as compiled JavaScript (./lib/compiled.ts), as users run Stepwise, not through tsx. */
  compiled?: boolean;
  timeoutMs: number;
}

const specs: Spec[] = [
  { key: 'engine', file: 'engine.bench.ts', args: ['--runs', String(runs)], timeoutMs: 300_000, compiled: true },
  { key: 'bullmq', file: 'peers/bullmq.bench.ts', args: ['--runs', String(quick ? 1 : 5)], timeoutMs: 180_000, compiled: true },
  { key: 'flows', file: 'flows.bench.ts', args: [...(quick ? ['--quick'] : []), '--runs', String(runs)], timeoutMs: 400_000, compiled: true },
  { key: 'ceiling', file: 'ceiling.bench.ts', args: [...(quick ? ['--quick'] : []), '--runs', String(runs)], timeoutMs: 300_000 },
  { key: 'storage', file: 'storage.bench.ts', args: [quick ? '2000' : '5000'], repeat: runs, timeoutMs: 120_000 },
  { key: 'events', file: 'events.bench.ts', args: [...(quick ? ['--quick'] : []), '--runs', String(runs)], timeoutMs: 180_000 },
  { key: 'scaling', file: 'scaling.bench.ts', args: quick ? ['--quick'] : [], timeoutMs: 900_000 },
  { key: 'memory', file: 'memory.bench.ts', args: quick ? ['--quick'] : [], timeoutMs: 180_000 },
  { key: 'stateAt', file: 'stateAt.bench.ts', args: ['--runs', String(runs)], timeoutMs: 120_000 },
  { key: 'workbench', file: 'workbench.bench.ts', args: ['--runs', String(runs)], timeoutMs: 400_000 },
  { key: 'isolation', file: 'isolation.bench.ts', args: [...(quick ? ['--quick'] : []), '--runs', String(quick ? 3 : 5)], timeoutMs: 600_000 },
  { key: 'postgres', file: 'postgres.bench.ts', args: [...(quick ? ['--quick'] : []), '--runs', String(runs)], timeoutMs: 900_000 },
];

/** `--only a,b`: keys of `specs`; anything else is refused before a benchmark starts. */
function parseOnly(): Set<string> | null {
  const at = argv.indexOf('--only');
  if (at < 0) return null;
  const keys = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const known = specs.map((s) => s.key);
  const unknown = keys.filter((k) => !known.includes(k));
  if (keys.length === 0 || unknown.length > 0) {
    process.stderr.write(`--only takes benchmark keys separated by commas${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}. Keys: ${known.join(', ')}.\n`);
    process.exit(2);
  }
  return new Set(keys);
}
const only = parseOnly();

/** The value of `--name VALUE`, or null; `--name` without a value is refused. */
function option(name: string, optionalValue = false): string | null | true {
  const at = argv.indexOf(name);
  if (at < 0) return null;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) {
    if (optionalValue) return true;
    process.stderr.write(`${name} takes a file name.\n`);
    process.exit(2);
  }
  return value;
}
const out = option('--out');
const render = option('--render', true);

/** Median of every number at the same path across repeated results. */
function medianOf(docs: Record<string, unknown>[]): Record<string, unknown> {
  const first = docs[0]!;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(first)) {
    if (typeof v === 'number') out[k] = round(median(docs.map((d) => d[k] as number)), 3);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = medianOf(docs.map((d) => d[k] as Record<string, unknown>));
    else out[k] = v;
  }
  return out;
}

async function main(): Promise<void> {
  if (render !== null) {
    const file = render === true ? join(here, 'results.json') : resolve(String(render));
    const changed = renderDocs(root, JSON.parse(readFileSync(file, 'utf8')) as BenchDocument);
    process.stdout.write(changed.length ? `Regenerated from ${file}: ${changed.join(', ')}\n` : `README.md and docs/performance.md already match ${file}\n`);
    return;
  }
  const started = Date.now();
  const results: Results = {};
  const errors: Record<string, string> = {};
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), loadAverageAtStart: loadavg().map((x) => round(x, 2)), node: process.version };
  process.stderr.write(`stepwise bench${quick ? ' --quick' : ''}: ${machine.cpus} × ${machine.cpu}, load ${machine.loadAverageAtStart.join(' ')}\n`);
  const ran = new Set<string>();
  for (const spec of specs) {
    if (only && !only.has(spec.key)) continue;
    ran.add(spec.key);
    let file = join(here, spec.file);
    const docs: Record<string, unknown>[] = [];
    if (spec.compiled) {
      try {
        file = compiledBench(root, spec.file);
      } catch (err) {
        errors[spec.key] = `compiling ${spec.file} failed: ${err instanceof Error ? err.message : String(err)}`;
        continue;
      }
    }
    for (let i = 0; i < (spec.repeat ?? 1); i++) {
      process.stderr.write(`  ${spec.key}${spec.repeat ? ` (${i + 1}/${spec.repeat})` : ''} ... `);
      const r = await runBenchFile(file, spec.args, spec.timeoutMs);
      process.stderr.write(r.ok ? `${round(r.ms / 1000, 1)} s (load ${loadavg()[0]!.toFixed(2)})\n` : `FAILED\n`);
      if (!r.ok || !r.json) {
        errors[spec.key] = r.error ?? 'no output';
        break;
      }
      docs.push(r.json);
    }
    if (docs.length > 0 && !errors[spec.key]) {
      const doc = docs.length === 1 ? docs[0]! : { ...medianOf(docs), processes: docs.length };
      results[spec.key] = doc;
      // A benchmark that checks its own figures against each other says so here (./ceiling.bench.ts).
      const problems = (doc as { inconsistent?: unknown }).inconsistent;
      if (Array.isArray(problems) && problems.length > 0) errors[spec.key] = `inconsistent figures: ${problems.join('; ')}`;
    }
  }
  const rows = buildRows(results);
  const document: BenchDocument = {
    date: new Date(started).toISOString(),
    quick,
    only: only ? [...only] : null,
    durationSeconds: round((Date.now() - started) / 1000, 1),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => round(x, 2)) },
    figures: computeFigures(results, ran),
    rows,
    errors,
    raw: results,
  };
  const target = out ? resolve(String(out)) : only ? null : join(here, 'results.json');
  if (target) writeFileSync(target, JSON.stringify(document, null, 2) + '\n');
  const changedDocs = target && !only && !quick && !out && existsSync(join(root, 'README.md')) ? renderDocs(root, document) : [];
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  for (const r of rows) if (r.note) process.stdout.write(`* ${r.name}: ${r.note}\n`);
  process.stdout.write(`\nfigures: ${JSON.stringify(document.figures)}\n`);
  for (const [k, e] of Object.entries(errors)) process.stdout.write(`! ${k} failed: ${e}\n`);
  const written = target ? `Written: ${target}${changedDocs.length ? ` (and ${changedDocs.join(', ')})` : ''}` : '(--only: bench/results.json not written; --out FILE writes the results there)';
  process.stdout.write(`${written} in ${document.durationSeconds} s\n`);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
