/**
 * bench/lib/figures.ts and bench/lib/docs.ts: the headline figures come from the right raw
 * numbers, an `--only` run holds only what it measured, a failed benchmark's figure is null, and
 * the README and docs tables are regenerated between their markers (and refused without them).
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIGURE_KEYS, FIGURES, computeFigures, meetsGoal } from '../../bench/lib/figures.js';
import { MARKERS, figuresTable, renderDocs, replaceBetween, type BenchDocument } from '../../bench/lib/docs.js';
import type { Results } from '../../bench/lib/report.js';

const raw: Results = {
  bullmq: {
    independent: { stepwise: { stepsPerSecond: 20_000 }, bullmq: { jobsPerSecond: 8_000 } },
    chain: { stepwise: { stepsPerSecond: 6_000 }, bullmq: { jobsPerSecond: 3_000 } },
  },
  flows: { xstate: { flowsPerSecond: 40_000 }, stepwiseMemory: { flowsPerSecond: 10_000 }, stepwiseSqlite: { flowsPerSecond: 2_000 } },
  events: { delivery: { eventsPerSecond: 150_000 }, live: { eventsPerSecond: 20_000 } },
  workbench: { templateView: { timeToDrawnMs: 900 } },
  scaling: { figure: { tasksRatio: 0.95, stepsRatio: 0.88 } },
  postgres: {
    peers: {
      byProcesses: [
        { processes: 1, stepwise: { stepsPerSecond: 300 }, graphile: { jobsPerSecond: 400 }, pgBossWork: { jobsPerSecond: 16 }, pgBossFetch: { jobsPerSecond: 250 } },
        { processes: 2, stepwise: { stepsPerSecond: 1 }, graphile: { jobsPerSecond: 1000 }, pgBossWork: { jobsPerSecond: 1000 }, pgBossFetch: { jobsPerSecond: 1000 } },
      ],
    },
  },
};
const everything = new Set(['engine', 'bullmq', 'flows', 'ceiling', 'storage', 'events', 'scaling', 'memory', 'stateAt', 'workbench', 'postgres']);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('bench figures', () => {
  it('a full run has exactly the issue keys, each computed from its benchmark', () => {
    const f = computeFigures(raw, everything);
    expect(Object.keys(f).sort()).toEqual([...FIGURE_KEYS].sort());
    expect(f).toEqual({
      fanoutVsBullmq: 2.5,
      chainVsBullmq: 2,
      flowsMemoryVsXstate: 0.25,
      flowsSqliteVsXstate: 0.05,
      eventsLivePerSecond: 150_000,
      workbench1000DrawnMs: 900,
      // The lower of the two ways: both must meet the goal.
      scaling100kVs1k: 0.88,
      // One process each; pg-boss counts with the faster of its two ways.
      fanoutPgVsPgBoss: 1.2,
      fanoutPgVsGraphile: 0.75,
    });
  });

  it('an --only run holds the figures of what ran; a benchmark that failed gives null', () => {
    const f = computeFigures({ flows: raw.flows }, new Set(['flows', 'events']));
    expect(f).toEqual({ flowsMemoryVsXstate: 0.25, flowsSqliteVsXstate: 0.05, eventsLivePerSecond: null });
  });

  it('goals are checked in their direction', () => {
    const fan = FIGURES.find((s) => s.key === 'fanoutVsBullmq')!;
    const drawn = FIGURES.find((s) => s.key === 'workbench1000DrawnMs')!;
    expect([meetsGoal(fan, 2), meetsGoal(fan, 1.99), meetsGoal(fan, null)]).toEqual([true, false, null]);
    expect([meetsGoal(drawn, 1000), meetsGoal(drawn, 1001)]).toEqual([true, false]);
  });

  it('the table says which goals are met and marks the figures not measured', () => {
    const table = figuresTable({ fanoutVsBullmq: 2.5, chainVsBullmq: 1.2, eventsLivePerSecond: null });
    expect(table).toMatch(/\| `fanoutVsBullmq` \| .* \| 2\.5 \| ≥ 2 \| yes \|/);
    expect(table).toMatch(/\| `chainVsBullmq` \| .* \| 1\.2 \| ≥ 3 \| \*\*no\*\* \|/);
    expect(table).toMatch(/\| `eventsLivePerSecond` \| .* \| n\/a \| ≥ 100,000 \| — \|/);
    expect(table).not.toMatch(/flowsMemoryVsXstate/);
  });
});

describe('generated docs', () => {
  const doc = (): BenchDocument => ({
    date: '2026-12-08T10:00:00.000Z',
    quick: false,
    only: null,
    durationSeconds: 600,
    machine: { cpus: 2, cpu: 'Test CPU', memoryGB: 24, loadAverageAtStart: [1, 2, 3], loadAverageAtEnd: [2, 2, 2], node: 'v20' },
    figures: computeFigures(raw, everything),
    rows: [{ name: 'Row one', workload: 'w', stepwise: '1 /s', peer: '2 /s', ratio: 0.5 }],
    errors: { memory: 'exit code 1: boom\nmore' },
    raw,
  });

  it('replaces only what lies between the markers', () => {
    expect(replaceBetween('a <!--s--> old <!--e--> b', '<!--s-->', '<!--e-->', 'new')).toBe('a <!--s-->\nnew\n<!--e--> b');
    expect(replaceBetween('no markers', '<!--s-->', '<!--e-->', 'x')).toBeNull();
  });

  it('writes the README figures and the docs tables, then leaves matching files alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-bench-docs-'));
    dirs.push(root);
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'README.md'), `# R\n${MARKERS.readme[0]}\nold\n${MARKERS.readme[1]}\ntail\n`);
    writeFileSync(join(root, 'docs/performance.md'), `# P\n${MARKERS.docs[0]}\nold\n${MARKERS.docs[1]}\n`);
    expect(renderDocs(root, doc())).toEqual(['README.md', 'docs/performance.md']);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/Measured 2026-12-08 10:00 UTC .* load average 1 \/ 2 \/ 3 at the start, 2 \/ 2 \/ 2 at the end\./);
    expect(readme).toMatch(/\| `scaling100kVs1k` \| .* \| 0\.88 \| ≥ 0\.9 \| \*\*no\*\* \|/);
    expect(readme).toMatch(/\ntail\n$/);
    expect(readme).not.toMatch(/old/);
    const perf = readFileSync(join(root, 'docs/performance.md'), 'utf8');
    expect(perf).toMatch(/\| Row one \| w \| 1 \/s \| 2 \/s \| 0\.5 \|/);
    expect(perf).toMatch(/- `memory` failed: exit code 1: boom\n/);
    expect(renderDocs(root, doc())).toEqual([]);
  });

  it('refuses a file without its markers instead of writing somewhere else', () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-bench-docs-'));
    dirs.push(root);
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'README.md'), '# no markers\n');
    writeFileSync(join(root, 'docs/performance.md'), `${MARKERS.docs[0]}\n${MARKERS.docs[1]}\n`);
    expect(() => renderDocs(root, doc())).toThrow(/README\.md has no <!-- bench:figures:start -->/);
  });
});
