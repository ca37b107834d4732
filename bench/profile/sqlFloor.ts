/**
 * The floor under a registration flow on SQLite: `npx tsx bench/profile/sqlFloor.ts [--flows N]`.
 *
 * Records every SQL statement (text and parameters, already encoded) that N registration flows
 * run through SqliteStorage, with each `commit`'s statements marked as one transaction, then
 * replays exactly those statements with better-sqlite3 alone on a fresh file with SqliteStorage's
 * schema and pragmas (WAL, synchronous=NORMAL, its checkpoint threshold): the same rows, the
 * same transactions (BEGIN IMMEDIATE … COMMIT), no engine. Rounds alternate the replay, the
 * engine itself on a fresh file, and XState 5 in memory; CPU time (user + system) per flow is
 * reported for each. XState ÷ replay is the highest `flowsSqliteVsXstate` the engine could reach
 * with this durable work per flow and no engine cost at all.
 */
import { join } from 'node:path';
import { tempDir } from '../lib/cli.js';
import { registrationsOnSqlite } from '../lib/registration.js';
import { median, round } from '../lib/stats.js';
import { runXStateRegistrations } from '../peers/xstate.js';
import { recordSql, replaySql, type Entry } from './sqlReplay.js';

const flagAt = process.argv.indexOf('--flows');
const FLOWS = flagAt > 0 ? Number(process.argv[flagAt + 1]) : 1000;
const ROUNDS = 3;
const dir = tempDir('sqlfloor');

const engineOn = (file: string) => registrationsOnSqlite(file, FLOWS);

function cpuUs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

async function cpuUsAsync(fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

/** Wall ns per SQL text in the last replay (hrtime around each statement). */
let bySql = new Map<string, number>();

/** Replays `entries` on a fresh file with SqliteStorage's schema and pragmas. */
function replay(entries: Entry[], file: string, countFrames = false): { us: number; statements: number; commits: number; walFrames: number } {
  const r = replaySql(entries, file, { countFrames });
  bySql = r.bySql;
  return r;
}

async function main(): Promise<void> {
  const entries = await recordSql(await engineOn(join(dir, 'record.db')));
  runXStateRegistrations(5_000);
  replay(entries, join(dir, 'warm-replay.db'));
  const warm = await engineOn(join(dir, 'warm-engine.db'));
  await warm.run();
  await warm.close();
  const floor: number[] = [];
  const engine: number[] = [];
  const xstate: number[] = [];
  let shape = { statements: 0, commits: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const rep = replay(entries, join(dir, `replay-${r}.db`));
    floor.push(rep.us / FLOWS);
    shape = { statements: rep.statements / FLOWS, commits: rep.commits / FLOWS };
    const e = await engineOn(join(dir, `engine-${r}.db`));
    engine.push((await cpuUsAsync(() => e.run())) / FLOWS);
    await e.close();
    xstate.push(cpuUs(() => runXStateRegistrations(20_000)) / 20_000);
  }
  const frames = replay(entries, join(dir, 'frames.db'), true).walFrames;
  const f = median(floor);
  const en = median(engine);
  const x = median(xstate);
  const report = {
    flows: FLOWS,
    statementsPerFlow: round(shape.statements),
    commitsPerFlow: round(shape.commits),
    walPagesPerCommit: round(frames / (shape.commits * FLOWS), 1),
    cpuUsPerFlow: { sqlReplay: round(f, 1), engine: round(en, 1), xstate: round(x, 2) },
    engineAboveReplay: round(en - f, 1),
    bestPossibleSqliteVsXstate: round(x / f, 3),
    measuredCpuRatio: round(x / en, 3),
    lastReplayWallUsPerFlowBySql: Object.fromEntries([...bySql].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / 1000 / FLOWS, 1)])),
    runs: { sqlReplay: floor.map((v) => round(v, 1)), engine: engine.map((v) => round(v, 1)), xstate: xstate.map((v) => round(v, 2)) },
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
