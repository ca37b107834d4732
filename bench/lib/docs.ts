/**
 * The results document `npm run bench` writes (bench/results.json), and the tables generated
 * from it: the figures table in README.md and the figures and full tables in
 * docs/performance.md, each between its markers. `npm run bench -- --render [FILE]` regenerates
 * both from a results file without running anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIGURES, goalText, meetsGoal, type Figures } from './figures.js';
import { markdownTable, type Results, type Row } from './report.js';

export interface BenchMachine {
  cpus: number;
  cpu: string;
  memoryGB: number;
  /** 1, 5 and 15 minute load averages when the run started and when it ended. */
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  node: string;
}

export interface BenchDocument {
  date: string;
  quick: boolean;
  /** The benchmarks that ran (all of them unless `--only`). */
  only: string[] | null;
  durationSeconds: number;
  machine: BenchMachine;
  /** Issue 14's headline figures: numbers, no units (./figures.ts). */
  figures: Figures;
  rows: Row[];
  errors: Record<string, string>;
  raw: Results;
}

export const MARKERS = {
  readme: ['<!-- bench:figures:start -->', '<!-- bench:figures:end -->'],
  docs: ['<!-- bench:table:start -->', '<!-- bench:table:end -->'],
} as const;

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: x >= 100 ? 0 : 3 });

function when(doc: BenchDocument): string {
  const m = doc.machine;
  const end = m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(' / ')} at the end` : '';
  return (
    `Measured ${doc.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench${doc.quick ? ' -- --quick' : ''}\` in ${Math.round(doc.durationSeconds)} s ` +
    `on ${m.cpus} × ${m.cpu}, Node ${m.node}, load average ${m.loadAverageAtStart.join(' / ')} at the start${end}.`
  );
}

/** The figures with their goals, as a Markdown table. */
export function figuresTable(figures: Figures = {}): string {
  const lines = ['| figure | what it measures | measured | goal | met |', '| --- | --- | ---: | ---: | :---: |'];
  for (const spec of FIGURES) {
    if (!(spec.key in figures)) continue;
    const value = figures[spec.key];
    const met = meetsGoal(spec, value);
    lines.push(`| \`${spec.key}\` | ${spec.title} | ${value === null || value === undefined ? 'n/a' : fmt(value)} | ${goalText(spec)} | ${met === null ? '—' : met ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

/** `text` with what lies between the two markers replaced by `body`; null when a marker is missing. */
export function replaceBetween(text: string, start: string, end: string, body: string): string | null {
  const a = text.indexOf(start);
  const b = text.indexOf(end, a + start.length);
  if (a < 0 || b < 0) return null;
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

export function readmeBlock(doc: BenchDocument): string {
  return `${when(doc)} Details: [docs/performance.md](docs/performance.md).\n\n${figuresTable(doc.figures)}`;
}

export function docsBlock(doc: BenchDocument): string {
  const errors = Object.entries(doc.errors).map(([k, e]) => `- \`${k}\` failed: ${e.split('\n')[0]}`);
  return [when(doc), '', figuresTable(doc.figures), '', markdownTable(doc.rows), ...(errors.length ? ['', ...errors] : [])].join('\n');
}

/** Regenerates the README and docs/performance.md blocks from `doc`; returns the files changed. */
export function renderDocs(root: string, doc: BenchDocument): string[] {
  const changed: string[] = [];
  const targets: Array<[string, readonly [string, string], string]> = [
    ['README.md', MARKERS.readme, readmeBlock(doc)],
    ['docs/performance.md', MARKERS.docs, docsBlock(doc)],
  ];
  for (const [file, [start, end], body] of targets) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const next = replaceBetween(text, start, end, body);
    if (next === null) throw new Error(`${file} has no ${start} … ${end} markers for the generated table.`);
    if (next !== text) {
      writeFileSync(path, next);
      changed.push(file);
    }
  }
  return changed;
}
