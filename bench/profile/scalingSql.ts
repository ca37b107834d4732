/**
 * What grows with finished tasks in the database: `npx tsx bench/profile/scalingSql.ts [small] [big]`
 * (finished tasks of 100 steps, default 10 and 1,000). For each, a database prefilled as the
 * scaling benchmark's `tasks` series does, then 10 new tasks of 100 steps run together
 * (`runUntilIdle` unscoped, as a runner does) with every SQL statement timed; prints wall µs per
 * new step and the statements by cost, so a statement whose time grows with the finished work
 * stands out when the two tables are compared.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../lib/cli.js';
import { prefilled } from '../lib/prefill.js';
import { benchEngine, fanOut } from '../lib/stepwise.js';
import { timeStatements } from './statementTimes.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const statements = timeStatements();
const dir = tempDir('scalingsql');
const template = fanOut(100);
const chosen = sizes.length ? sizes : [10, 1000];
const bases = new Map<number, string>();
for (const finished of chosen) bases.set(finished, await prefilled(dir, finished, 100));
const rounds = Number(process.env.ROUNDS ?? 3);
// Alternating, round by round, so both sizes see the same machine; round 0 is a warm-up.
for (let round = 0; round < rounds; round++) {
  for (const finished of chosen) {
    const base = bases.get(finished)!;
    const name = `run-${finished}-${round}`;
    copyFileSync(base, join(dir, `${name}.db`));
    const b = await benchEngine([template], { kind: 'sqlite', dir, name });
    statements.clear();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < 10; i++) await b.engine.start(template.name);
    await b.engine.runUntilIdle();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const units = 1000;
    if (round > 0) console.log(`${finished} finished tasks, round ${round}: wall ${((ms * 1000) / units).toFixed(1)} µs/step, CPU ${((cpu.user + cpu.system) / units).toFixed(1)} µs/step (system ${(cpu.system / units).toFixed(1)})`);
    if (round === rounds - 1 && process.env.TABLES) {
      console.log(`\n### ${finished} finished tasks: ${((ms * 1000) / units).toFixed(1)} µs/new step wall; statements ${(Number(statements.totalNs()) / 1000 / units).toFixed(1)} µs/step; commits/step ${(b.commits() / units).toFixed(3)}\n`);
      console.log(statements.table(units, 25));
    }
    await b.close();
  }
}

// EXPLAIN QUERY PLAN of every statement the runs prepared, on the largest database: a SCAN of a
// table (rather than a SEARCH through an index) is a cost that grows with the stored work.
{
  const Database = (await import('better-sqlite3')).default;
  const file = bases.get(chosen[chosen.length - 1]!)!;
  const db = new Database(file, { readonly: true });
  console.log(`\n### Query plans on ${chosen[chosen.length - 1]} finished tasks (statements with a SCAN)\n`);
  for (const sql of statements.texts) {
    if (!/^\s*(SELECT|UPDATE|DELETE|INSERT|WITH)/i.test(sql)) continue;
    let plan: { detail: string }[];
    try {
      const named = [...new Set([...sql.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => m[1]!))];
      const explain = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      plan = (named.length > 0 ? explain.all(Object.fromEntries(named.map((n) => [n, null]))) : explain.all(...new Array(countParams(sql)).fill(null))) as { detail: string }[];
    } catch (err) {
      plan = [{ detail: `(not explained: ${(err as Error).message})` }];
    }
    const scans = plan.filter((p) => /SCAN|not explained/.test(p.detail) && !/ROW VALUES CLAUSE/.test(p.detail));
    if (scans.length > 0) console.log(`- \`${sql.replace(/\s+/g, ' ').slice(0, 160)}\`\n  ${plan.map((p) => p.detail).join(' | ')}`);
  }
  db.close();
}

function countParams(sql: string): number {
  return (sql.match(/\?/g) ?? []).length;
}
