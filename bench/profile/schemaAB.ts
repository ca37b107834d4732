/**
 * What a schema change saves on the same SQL: `npx tsx bench/profile/schemaAB.ts flows|fanout
 * [--units N] [--a VERSION] [--b VERSION] [--a-sql SQL] [--b-sql SQL] [--a-page-size N] [--b-page-size N]
 * [--rounds R]`.
 *
 * Records the statements N registration flows (default 1,000) or one task of N independent
 * steps (default 5,000) run through SqliteStorage today, then replays exactly those statements
 * with better-sqlite3 alone on fresh files whose schema stops at migration A or B (default: the
 * one before the latest, and the latest), with optional SQL run after the migrations (an
 * experiment not yet written as a migration). A and B alternate round by round in one process;
 * prints CPU µs per unit (median, user and system), statements and commits per unit, and WAL
 * pages per commit (a last replay of each with checkpoints off).
 */
import { join } from 'node:path';
import { tempDir } from '../lib/cli.js';
import { registrationsOnSqlite } from '../lib/registration.js';
import { median, round } from '../lib/stats.js';
import { benchEngine, fanOut } from '../lib/stepwise.js';
import { LATEST_SCHEMA_VERSION } from '../../core/storage/sqlite/migrations.js';
import { recordSql, replaySql, type Workload } from './sqlReplay.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const which = args[0] === 'fanout' ? 'fanout' : 'flows';
const units = Number(flag('--units') ?? (which === 'fanout' ? 5000 : 1000));
const rounds = Number(flag('--rounds') ?? 5);
const variants = [
  { name: 'A', schemaVersion: Number(flag('--a') ?? LATEST_SCHEMA_VERSION - 1), extraSql: flag('--a-sql'), pageSize: Number(flag('--a-page-size') ?? 0) || undefined },
  { name: 'B', schemaVersion: Number(flag('--b') ?? LATEST_SCHEMA_VERSION), extraSql: flag('--b-sql'), pageSize: Number(flag('--b-page-size') ?? 0) || undefined },
];
const dir = tempDir('schemaab');

async function workload(): Promise<Workload> {
  if (which === 'flows') return registrationsOnSqlite(join(dir, 'record.db'), units);
  const template = fanOut(units);
  const b = await benchEngine([template], { kind: 'sqlite', dir, name: 'record' });
  return {
    storage: b.storage as never,
    run: async () => {
      const task = await b.engine.start(template.name);
      const r = await b.engine.runUntilIdle({ taskId: task.id });
      if (r.task?.status !== 'complete') throw new Error(`ended ${r.task?.status}`);
    },
    close: () => b.close(),
  };
}

async function main(): Promise<void> {
  const entries = await recordSql(await workload());
  const cpu = new Map<string, { us: number[]; user: number[]; system: number[] }>(variants.map((v) => [v.name, { us: [], user: [], system: [] }]));
  let shape = { statements: 0, commits: 0 };
  // Round 0 warms both up and is not counted.
  for (let r = 0; r <= rounds; r++) {
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
      const res = replaySql(entries, join(dir, `${v.name}-${r}.db`), v);
      shape = { statements: res.statements, commits: res.commits };
      if (r === 0) continue;
      const c = cpu.get(v.name)!;
      c.us.push(res.us / units);
      c.user.push(res.userUs / units);
      c.system.push(res.systemUs / units);
    }
  }
  const report: Record<string, unknown> = {
    workload: which === 'flows' ? `${units} registration flows` : `one task of ${units} independent steps`,
    statementsPerUnit: round(shape.statements / units, 2),
    commitsPerUnit: round(shape.commits / units, 3),
  };
  for (const v of variants) {
    const frames = replaySql(entries, join(dir, `${v.name}-frames.db`), { ...v, countFrames: true }).walFrames;
    const c = cpu.get(v.name)!;
    report[v.name] = {
      schemaVersion: v.schemaVersion,
      extraSql: v.extraSql ?? null,
      pageSize: v.pageSize ?? 4096,
      cpuUsPerUnit: round(median(c.us), 1),
      userUs: round(median(c.user), 1),
      systemUs: round(median(c.system), 1),
      runs: c.us.map((x) => round(x, 1)),
      walPagesPerCommit: round(frames / shape.commits, 2),
    };
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
