/**
 * Where SQLite's share of a workflow step (or a registration flow) goes, statement by statement:
 * `node --import tsx bench/profile/sqlTime.ts [fanout|chain|flows]`. Wraps better-sqlite3's Statement
 * run/get/all and times each SQL text (hrtime, CPU of this thread: better-sqlite3 is synchronous),
 * then prints µs per step and calls per step by statement, biggest first. BEGIN/COMMIT are timed
 * as the rest of SqliteStorage.commit's synchronous time (checks, encoding, BEGIN/COMMIT).
 */
import { join } from 'node:path';
import type { Storage } from '../../core/storage/storage.js';
import { tempDir } from '../lib/cli.js';
import { registrationsOnSqlite } from '../lib/registration.js';
import { aroundCommits, benchEngine, chain, fanOut } from '../lib/stepwise.js';
import { timeStatements } from './statementTimes.js';

const which = process.argv[2] === 'chain' ? 'chain' : process.argv[2] === 'flows' ? 'flows' : 'fanout';
const FLOWS = 1000;
const template = which === 'chain' ? chain(200) : fanOut(5000);
const unit = which === 'flows' ? 'flow' : 'step';
const units = which === 'flows' ? FLOWS : template.steps.length;

/** One measured workload on a fresh file: the storage (to wrap its commit), the run, the clean-up. */
async function prepare(round: number): Promise<{ storage: Storage; run(): Promise<void>; close(): Promise<void> }> {
  if (which === 'flows') return registrationsOnSqlite(join(dir, `flows-${round}.db`), FLOWS);

  const b = await benchEngine([template], { kind: 'sqlite', dir, name: `${which}-${round}` });
  return {
    storage: b.storage,
    run: async () => {
      const task = await b.engine.start(template.name);
      const r = await b.engine.runUntilIdle({ taskId: task.id });
      if (r.task?.status !== 'complete') throw new Error(`ended ${r.task?.status}`);
    },
    close: () => b.close(),
  };
}
const statements = timeStatements();

const dir = tempDir('sqltime');
let txNs = 0n;
for (let round = 0; round < 3; round++) {
  const b = await prepare(round);
  // SqliteStorage.commit does all its work before it returns its promise: time that part only
  // (on both commit paths: aroundCommits keeps the engine on the synchronous one users run).
  aroundCommits(b.storage, (_changes, commit) => {
    const before = statements.totalNs();
    const t0 = process.hrtime.bigint();
    const result = commit();
    if (round > 0) txNs += process.hrtime.bigint() - t0 - (statements.totalNs() - before);
    return result;
  });
  if (round === 0) statements.clear();
  const t0 = performance.now();
  await b.run();
  const ms = performance.now() - t0;
  await b.close();
  if (round === 0) {
    statements.clear();
  } else console.log(`round ${round}: ${((ms * 1000) / units).toFixed(1)} µs/${unit} wall`);
}
const steps = units * 2;
console.log(`\n${which}: statements ${(Number(statements.totalNs()) / 1000 / steps).toFixed(1)} µs/${unit}; commit outside statements (JS, BEGIN/COMMIT) ${(Number(txNs) / 1000 / steps).toFixed(1)} µs/${unit}\n`);
console.log(statements.table(steps, 20, unit));
