/**
 * CPU time per registration flow (memory storage, or a SQLite file with `--sqlite`) of two
 * checkouts of Stepwise, alternating in one process, with XState 5 beside them:
 * `npx tsx bench/profile/flowsAB.ts <rootA> <rootB> [--flows N] [--rounds R] [--sqlite]` (roots: folders holding core/ and bench/lib/registration.ts, e.g. a
 * `git archive` of the commit before a change, with node_modules linked in — or their compiled
 * JavaScript, out/bench after `npx tsc -p tsconfig.bench.json`). On a shared machine
 * wall-clock time moves with the load; CPU time (user + system, process.cpuUsage) of runs that
 * alternate round by round moves much less, and whatever drift remains hits all sides alike.
 *
 * Each run is what the flows benchmark does: a fresh storage (MemoryStorage, or a new SQLite file
 * in a temporary folder) and inline engine, N flows one after another. Prints the median CPU µs per flow of each side and XState ÷ each side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkoutImporter } from '../lib/checkout.js';
import { median, round } from '../lib/stats.js';
import { runXStateRegistrations } from '../peers/xstate.js';

interface Side {
  name: string;
  run(n: number): Promise<void>;
}

async function load(root: string, sqlite: boolean): Promise<Side> {
  // A folder of compiled JavaScript (out/bench of tsconfig.bench.json) or of TypeScript sources.
  const at = checkoutImporter(root);
  const [{ createEngine }, { openStorage }, { createHandlerRegistry, createTemplateRegistry }, { registrationFlow, runRegistration }] = await Promise.all([
    at('core/engine/engine.ts'),
    at('core/storage/index.ts'),
    at('core/template/registry.ts'),
    at('bench/lib/registration.ts'),
  ]);
  return {
    name: root,
    async run(n) {
      const dir = sqlite ? mkdtempSync(join(tmpdir(), 'stepwise-flowsab-')) : null;
      const storage = await openStorage(dir ? { kind: 'sqlite', file: join(dir, 'flows.db') } : { kind: 'memory' });
      const engine = createEngine({ storage, templates: createTemplateRegistry([registrationFlow]), handlers: createHandlerRegistry(new Map()), executor: 'inline' });
      try {
        for (let i = 0; i < n; i++) await runRegistration(engine.flows, i);
      } finally {
        await engine.close();
        await storage.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function cpuUs(fn: () => Promise<void> | void): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(before);
  return d.user + d.system;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, dflt: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const roots = argv.filter((a, i) => !a.startsWith('--') && !['--flows', '--rounds'].includes(argv[i - 1] ?? ''));
  if (roots.length === 0) throw new Error('Usage: flowsAB.ts <rootA> [rootB] [--flows N] [--rounds R]');
  const flows = opt('--flows', 3000);
  const rounds = opt('--rounds', 7);
  const xstateFlows = flows * 5;
  const sqlite = argv.includes('--sqlite');
  const sides = await Promise.all(roots.map((r) => load(r, sqlite)));
  // Warm-up (JIT) of every side.
  runXStateRegistrations(2000);
  for (const s of sides) await s.run(1000);
  const cpu = new Map<string, number[]>(sides.map((s) => [s.name, []]));
  const xs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    xs.push((await cpuUs(() => runXStateRegistrations(xstateFlows))) / xstateFlows);
    // Alternate the order too, so neither side always follows the other's garbage.
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const s of order) cpu.get(s.name)!.push((await cpuUs(() => s.run(flows))) / flows);
  }
  const x = median(xs);
  const out: Record<string, unknown> = { storage: sqlite ? 'sqlite' : 'memory', flows, rounds, load: (await import('node:os')).loadavg().map((l) => round(l, 1)), xstateCpuUsPerFlow: round(x, 1) };
  for (const s of sides) {
    const m = median(cpu.get(s.name)!);
    out[s.name] = { cpuUsPerFlow: round(m, 1), runs: cpu.get(s.name)!.map((v) => round(v, 0)), xstateRatio: round(x / m, 4) };
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
