/**
 * Which B-trees a SQLite commit writes: `npx tsx bench/profile/walPages.ts [flows|fanout|chain] [N]`
 * (N registration flows, default 300, one task of N independent steps, default 2,000, or an
 * N-step chain, default 1,000).
 *
 * Runs the workload through the engine on a fresh file with checkpoints off (SqliteStorage's
 * `wal_autocheckpoint` rewritten to 0), so every page every commit wrote stays in the WAL; then
 * reads the WAL's frames (page number, commit marker) and names each page's B-tree (table or
 * index) with the `dbstat` virtual table on a copy of the file. Prints WAL pages per commit by
 * B-tree: each is one 4 KiB frame written (two write calls) and checksummed per commit.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../lib/cli.js';
import { registrationsOnSqlite } from '../lib/registration.js';
import { round } from '../lib/stats.js';
import { benchEngine, chain, fanOut } from '../lib/stepwise.js';

const which = process.argv[2] === 'fanout' || process.argv[2] === 'chain' ? process.argv[2] : 'flows';
const N = Number(process.argv[3] ?? (which === 'fanout' ? 2000 : which === 'chain' ? 1000 : 300));
const dir = tempDir('walpages');

// Every connection SqliteStorage opens keeps its WAL until closed.
const proto = Database.prototype as unknown as { pragma(source: string, options?: unknown): unknown };
const pragma = proto.pragma;
proto.pragma = function (this: Database.Database, source: string, options?: unknown) {
  return pragma.call(this, /^wal_autocheckpoint/.test(source) ? 'wal_autocheckpoint = 0' : source, options);
};

interface Frame {
  page: number;
  commit: boolean;
}

/** The valid frames of a WAL file, in order (stops at the first frame from an older generation). */
function walFrames(wal: Buffer): { pageSize: number; frames: Frame[] } {
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const frames: Frame[] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    frames.push({ page: wal.readUInt32BE(at), commit: wal.readUInt32BE(at + 4) !== 0 });
  }
  return { pageSize, frames };
}

async function main(): Promise<void> {
  const file = join(dir, 'work.db');
  let close: () => Promise<void>;
  if (which === 'flows') {
    const w = await registrationsOnSqlite(file, N);
    await w.run();
    close = () => w.close();
  } else {
    const template = which === 'chain' ? chain(N) : fanOut(N);
    const b = await benchEngine([template], { kind: 'sqlite', dir, name: 'work' });
    const task = await b.engine.start(template.name);
    const r = await b.engine.runUntilIdle({ taskId: task.id });
    if (r.task?.status !== 'complete') throw new Error(`ended ${r.task?.status}`);
    close = () => b.close();
  }
  // A copy of the file and its WAL before closing (the last close checkpoints and removes the WAL).
  const copy = join(dir, 'copy.db');
  copyFileSync(file, copy);
  copyFileSync(`${file}-wal`, `${copy}-wal`);
  await close();
  const { pageSize, frames } = walFrames(readFileSync(`${copy}-wal`));
  const db = new Database(copy, { readonly: true });
  const owner = new Map<number, string>();
  for (const r of db.prepare('SELECT name, pageno FROM dbstat').all() as Array<{ name: string; pageno: number }>) owner.set(r.pageno, r.name);
  db.close();
  const byTree = new Map<string, number>();
  let commits = 0;
  for (const f of frames) {
    const name = f.page === 1 ? 'page 1 (schema, file header: the file grew)' : (owner.get(f.page) ?? '(free page)');
    byTree.set(name, (byTree.get(name) ?? 0) + 1);
    if (f.commit) commits++;
  }
  const perUnit = N;
  process.stdout.write(
    JSON.stringify(
      {
        workload: which === 'flows' ? `${N} registration flows` : which === 'chain' ? `a chain of ${N} steps` : `one task of ${N} independent steps`,
        pageSize,
        commits,
        commitsPerUnit: round(commits / perUnit, 3),
        walPagesPerCommit: round(frames.length / commits, 2),
        walPagesPerUnit: round(frames.length / perUnit, 2),
        pagesPerCommitByBtree: Object.fromEntries([...byTree].filter(([, v]) => v / commits >= 0.005).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / commits, 2)])),
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
