/**
 * `stepwise bench`: help, a quick run of one cheap benchmark (the raw SQLite ceiling) through the
 * real bench/index.ts with its arguments and exit code forwarded, and a clear message where the
 * benchmarks are not installed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { benchArgs, runBench } from '../../core/cli/commands/bench.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function capture(): { io: CliIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false }, out, err };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const code = await main(args, c.io);
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
}

describe('stepwise bench', () => {
  it('--help names the options it forwards', async () => {
    const help = await cli(['bench', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: stepwise bench/);
    expect(help.out).toMatch(/--quick/);
    expect(help.out).toMatch(/--only <keys>[\s\S]*engine,\s+bullmq,\s+flows,\s+ceiling,\s+storage/);
  });

  it('forwards --quick, --only and extra arguments in order', () => {
    expect(benchArgs({})).toEqual([]);
    expect(benchArgs({ quick: true, only: 'storage,events' }, ['--extra'])).toEqual(['--quick', '--only', 'storage,events', '--extra']);
  });

  it('runs a quick selection through bench/index.ts, writes --out and leaves bench/results.json alone', async () => {
    const results = join(root, 'bench/results.json');
    const before = readFileSync(results, 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-out-'));
    dirs.push(dir);
    const out = join(dir, 'only.json');
    const run = await cli(['bench', '--quick', '--only', 'storage', '--', '--out', out]);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/stepwise bench --quick:/);
    expect(run.err).toMatch(/storage \(1\/1\) \.\.\. [\d.]+ s/);
    expect(run.out).toMatch(/Storage commit of one step change .*\d commits\/s SQLite/);
    expect(run.out).toContain(`Written: ${out}`);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { only: string[]; figures: object; raw: Record<string, unknown> };
    // The storage benchmark produces none of the headline figures: an --only run holds what it measured.
    expect(doc.only).toEqual(['storage']);
    expect(doc.figures).toEqual({});
    expect(Object.keys(doc.raw)).toEqual(['storage']);
    expect(readFileSync(results, 'utf8')).toBe(before);
  }, 120_000);

  it("passes the suite's exit code on: an unknown benchmark is refused with the known keys", async () => {
    const run = await cli(['bench', '--only', 'storage,nope']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/unknown: nope\. Keys: engine, bullmq, flows, ceiling, storage, events, scaling, memory, stateAt, workbench/);
  }, 60_000);

  it('says where the benchmarks are when this installation has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-nobench-'));
    dirs.push(dir);
    const c = capture();
    expect(await runBench(dir, ['--quick'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/benchmark suite in bench\/ of a Stepwise checkout, and this installation \(.*stepwise-nobench-.*\) has none/);
    expect(c.out).toEqual([]);
  });
});
