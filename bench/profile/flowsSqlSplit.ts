/**
 * Where a registration flow's time goes on a SQLite file, split at better-sqlite3's calls:
 * `npx tsx bench/profile/flowsSqlSplit.ts [root] [--flows N] [--rounds R]` (root: a folder holding
 * core/ and bench/lib/registration — sources, or compiled JavaScript such as out/bench after
 * `npx tsc -p tsconfig.bench.json`; default: this checkout's sources).
 *
 * Per flow and round: CPU (user + system) and wall time of the whole run; inside it, the wall
 * time of BEGIN, of COMMIT (with COMMIT's own CPU: the WAL frames, their checksums, checkpoints)
 * and of every other statement, and the wall time of SqliteStorage's commit as the engine calls it
 * (statements plus the storage's JavaScript). Timing every statement costs a little itself;
 * compare rounds and builds with each other, not with the benchmark's figures. The root must load
 * the same better-sqlite3 as this file (a root inside this checkout, e.g. its out/bench): the
 * statements are timed on that module's Statement prototype.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { checkoutImporter, isCompiled } from '../lib/checkout.js';

type Fn = (...a: unknown[]) => unknown;

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const root = argv.find((a, i) => !a.startsWith('--') && !['--flows', '--rounds'].includes(argv[i - 1] ?? '')) ?? resolve(fileURLToPath(import.meta.url), '../../..');
const flows = opt('--flows', 2000);
const rounds = opt('--rounds', 4);

const totals = { begin: 0, commit: 0, commitCpu: 0, statements: 0 };
// Every statement of every connection: BEGIN/COMMIT are statements of the transaction wrapper too.
const proto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<string, Fn>;
for (const m of ['run', 'get', 'all']) {
  const original = proto[m]!;
  proto[m] = function (this: { source: string }, ...a: unknown[]) {
    const isCommit = this.source === 'COMMIT';
    const cpu = isCommit ? process.cpuUsage() : null;
    const t0 = performance.now();
    try {
      return original.apply(this, a);
    } finally {
      const ms = performance.now() - t0;
      if (cpu) {
        const d = process.cpuUsage(cpu);
        totals.commitCpu += (d.user + d.system) / 1000;
        totals.commit += ms;
      } else if (this.source.startsWith('BEGIN')) totals.begin += ms;
      else totals.statements += ms;
    }
  };
}

const at = checkoutImporter(root);
const [{ createEngine }, { openStorage }, { createHandlerRegistry, createTemplateRegistry }, { registrationFlow, runRegistration }] = await Promise.all([
  at('core/engine/engine.ts'),
  at('core/storage/index.ts'),
  at('core/template/registry.ts'),
  at('bench/lib/registration.ts'),
]);

async function round(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-flowsplit-'));
  const storage = await openStorage({ kind: 'sqlite', file: join(dir, 'flows.db') });
  // Storage.sync is what the flow driver calls on SQLite; time its commit (statements + JavaScript).
  const sync = storage.sync as Record<string, Fn>;
  const commit = sync.commit!;
  let inCommit = 0;
  sync.commit = (...a: unknown[]) => {
    const t0 = performance.now();
    try {
      return commit(...a);
    } finally {
      inCommit += performance.now() - t0;
    }
  };
  const engine = createEngine({ storage, templates: createTemplateRegistry([registrationFlow]), handlers: createHandlerRegistry(new Map()), executor: 'inline' });
  totals.begin = totals.commit = totals.commitCpu = totals.statements = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    for (let i = 0; i < flows; i++) await runRegistration(engine.flows, i);
  } finally {
    await engine.close();
    await storage.close();
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  rmSync(dir, { recursive: true, force: true });
  const us = (ms: number) => Math.round((ms * 1000) / flows);
  return {
    cpuUs: Math.round((cpu.user + cpu.system) / flows),
    wallUs: us(wall),
    storageCommitWallUs: us(inCommit),
    beginWallUs: us(totals.begin),
    commitWallUs: us(totals.commit),
    commitCpuUs: us(totals.commitCpu),
    otherStatementsWallUs: us(totals.statements),
  };
}

const out: Record<string, unknown>[] = [];
for (let r = 0; r < rounds; r++) out.push(await round());
process.stdout.write(JSON.stringify({ root, code: isCompiled(root) ? 'compiled' : 'sources (tsx)', flows, load: (await import('node:os')).loadavg().map((l) => Math.round(l * 10) / 10), perFlowByRound: out }, null, 2) + '\n');
