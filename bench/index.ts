/**
 * `npm run bench [-- --quick] [-- --only a,b]`: runs every benchmark, each in its own Node
 * process one after the other on this machine, prints the table and writes bench/results.json.
 * Every figure is a median over repeated runs (see each file's header); every comparison
 * (BullMQ, XState, the SQLite ceiling) is between figures of this one invocation.
 *
 * Benchmarks: engine.bench.ts (workflow fan-out, chain, readiness), peers/bullmq.bench.ts (on a
 * throwaway Redis), flows.bench.ts (Stepwise flows and XState), storage.bench.ts (the raw
 * better-sqlite3 ceiling, run `runs` times), events.bench.ts, memory.bench.ts, stateAt.bench.ts
 * and workbench.bench.ts. `--only` takes their keys (engine, bullmq, flows, storage, events,
 * memory, stateAt, workbench), comma-separated; `stepwise bench` runs this file too.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { runBenchFile } from './lib/child.js';
import { buildRows, formatTable, markdownTable, type Results } from './lib/report.js';
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
  timeoutMs: number;
}

const specs: Spec[] = [
  { key: 'engine', file: 'engine.bench.ts', args: ['--runs', String(runs)], timeoutMs: 300_000 },
  { key: 'bullmq', file: 'peers/bullmq.bench.ts', args: ['--runs', String(quick ? 1 : 5)], timeoutMs: 180_000 },
  { key: 'flows', file: 'flows.bench.ts', args: [...(quick ? ['--quick'] : []), '--runs', String(runs)], timeoutMs: 400_000 },
  { key: 'storage', file: 'storage.bench.ts', args: [quick ? '2000' : '5000'], repeat: runs, timeoutMs: 120_000 },
  { key: 'events', file: 'events.bench.ts', args: [...(quick ? ['--quick'] : []), '--runs', String(runs)], timeoutMs: 180_000 },
  { key: 'memory', file: 'memory.bench.ts', args: quick ? ['--quick'] : [], timeoutMs: 180_000 },
  { key: 'stateAt', file: 'stateAt.bench.ts', args: ['--runs', String(runs)], timeoutMs: 120_000 },
  { key: 'workbench', file: 'workbench.bench.ts', args: ['--runs', String(runs)], timeoutMs: 400_000 },
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
  const started = Date.now();
  const results: Results = {};
  const errors: Record<string, string> = {};
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), loadAverageAtStart: loadavg().map((x) => round(x, 2)), node: process.version };
  process.stderr.write(`stepwise bench${quick ? ' --quick' : ''}: ${machine.cpus} × ${machine.cpu}, load ${machine.loadAverageAtStart.join(' ')}\n`);
  for (const spec of specs) {
    if (only && !only.has(spec.key)) continue;
    const file = join(here, spec.file);
    const docs: Record<string, unknown>[] = [];
    for (let i = 0; i < (spec.repeat ?? 1); i++) {
      process.stderr.write(`  ${spec.key}${spec.repeat ? ` (${i + 1}/${spec.repeat})` : ''} ... `);
      const r = await runBenchFile(file, spec.args, spec.timeoutMs);
      process.stderr.write(r.ok ? `${round(r.ms / 1000, 1)} s\n` : `FAILED\n`);
      if (!r.ok || !r.json) {
        errors[spec.key] = r.error ?? 'no output';
        break;
      }
      docs.push(r.json);
    }
    if (docs.length > 0 && !errors[spec.key]) results[spec.key] = docs.length === 1 ? docs[0] : { ...medianOf(docs), processes: docs.length };
  }
  const rows = buildRows(results);
  const table = formatTable(rows);
  const document = {
    date: new Date(started).toISOString(),
    quick,
    durationSeconds: round((Date.now() - started) / 1000, 1),
    machine,
    rows,
    errors,
    raw: results,
  };
  if (!only) {
    writeFileSync(join(here, 'results.json'), JSON.stringify(document, null, 2) + '\n');
    if (!quick) updateDoc(rows, document);
  }
  process.stdout.write(`\n${table}\n\n`);
  for (const r of rows) if (r.note) process.stdout.write(`* ${r.name}: ${r.note}\n`);
  for (const [k, e] of Object.entries(errors)) process.stdout.write(`! ${k} failed: ${e}\n`);
  process.stdout.write(`${only ? '(--only: bench/results.json not written)' : 'Written: bench/results.json'} in ${document.durationSeconds} s\n`);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

const START = '<!-- bench:table:start -->';
const END = '<!-- bench:table:end -->';

/** A full run replaces the table in docs/performance.md (between its markers). */
function updateDoc(rows: Parameters<typeof markdownTable>[0], doc: { date: string; durationSeconds: number; machine: { cpus: number; cpu: string; loadAverageAtStart: number[]; node: string } }): void {
  const file = join(root, 'docs/performance.md');
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  const m = doc.machine;
  const header = `Measured ${doc.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` in ${Math.round(doc.durationSeconds)} s on ${m.cpus} × ${m.cpu}, Node ${m.node}, load average ${m.loadAverageAtStart.join(' / ')} at the start.`;
  writeFileSync(file, `${text.slice(0, a + START.length)}\n${header}\n\n${markdownTable(rows)}\n${text.slice(b)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
