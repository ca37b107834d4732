/**
 * CPU time per workflow step of two (or more) checkouts of Stepwise, alternating in one process:
 * `npx tsx bench/profile/stepsAB.ts <rootA> <rootB> [--fanout N | --chain N] [--rounds R] [--memory]`
 * (roots: folders holding core/ and bench/lib/stepwise.ts, e.g. `git worktree add --detach DIR
 * COMMIT` with node_modules linked in, or their compiled JavaScript, out/bench after
 * `npx tsc -p tsconfig.bench.json`).
 *
 * Each run is what the engine benchmark does: one task of N independent no-op steps (default
 * 5,000) or an N-step chain, on a fresh SQLite file (or memory storage), pool of 8, timed from
 * `engine.start` to the end of `runUntilIdle`. On a shared machine CPU time (user + system,
 * process.cpuUsage) of runs that alternate round by round moves much less than wall time, and
 * what drift remains hits every side alike. Prints the median CPU µs per step of each side, with
 * user and system apart, and commits per step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkoutImporter } from '../lib/checkout.js';
import { median, round } from '../lib/stats.js';

interface Side {
  name: string;
  run(): Promise<{ user: number; system: number; commits: number }>;
}

async function load(root: string, shape: 'fanout' | 'chain', n: number, memory: boolean): Promise<Side> {
  const lib = await checkoutImporter(root)('bench/lib/stepwise.ts');
  const template = shape === 'chain' ? lib.chain(n) : lib.fanOut(n);
  return {
    name: root,
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'stepwise-stepsab-'));
      const b = await lib.benchEngine([template], memory ? { kind: 'memory' } : { kind: 'sqlite', dir, name: 'steps' });
      try {
        const before = process.cpuUsage();
        const task = await b.engine.start(template.name);
        const r = await b.engine.runUntilIdle({ taskId: task.id });
        const d = process.cpuUsage(before);
        if (r.task?.status !== 'complete') throw new Error(`${root}: the task ended ${r.task?.status}`);
        return { user: d.user, system: d.system, commits: b.commits() };
      } finally {
        await b.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const valued = ['--fanout', '--chain', '--rounds'];
  const opt = (name: string): number | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const roots = argv.filter((a, i) => !a.startsWith('--') && !valued.includes(argv[i - 1] ?? ''));
  if (roots.length === 0) throw new Error('Usage: stepsAB.ts <rootA> [rootB ...] [--fanout N | --chain N] [--rounds R] [--memory]');
  const shape = opt('--chain') !== undefined ? 'chain' : 'fanout';
  const n = opt('--chain') ?? opt('--fanout') ?? 5000;
  const rounds = opt('--rounds') ?? 7;
  const sides = await Promise.all(roots.map((r) => load(r, shape, n, argv.includes('--memory'))));
  for (const s of sides) await s.run(); // warm-up (JIT)
  const runs = new Map<string, Array<{ user: number; system: number; commits: number }>>(sides.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    // Alternate the order too, so neither side always follows the other's garbage.
    for (const s of r % 2 === 0 ? sides : [...sides].reverse()) runs.get(s.name)!.push(await s.run());
  }
  const out: Record<string, unknown> = { workload: `${shape} of ${n}`, storage: argv.includes('--memory') ? 'memory' : 'sqlite', rounds, load: loadavg().map((l) => round(l, 1)) };
  for (const s of sides) {
    const rs = runs.get(s.name)!;
    out[s.name] = {
      cpuUsPerStep: round(median(rs.map((x) => (x.user + x.system) / n)), 1),
      userUs: round(median(rs.map((x) => x.user / n)), 1),
      systemUs: round(median(rs.map((x) => x.system / n)), 1),
      runs: rs.map((x) => round((x.user + x.system) / n, 0)),
      commitsPerStep: round(rs[0]!.commits / n, 3),
    };
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
