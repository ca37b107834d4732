/**
 * Attack (issue 12, smaller): `stepwise run` while a fast-polling runner serves the same
 * database exited 3 with "running" and no word of who ran the task now (the runner had claimed
 * a step). Now run says which engine runs it and waits for its outcome.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import { openEngine } from '../../core/engine/open.js';

const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-handover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run hands over to a live runner', () => {
  it('says who runs the step it lost and waits for the result', async () => {
    const ws = path.join(dir, 'ws');
    const db = path.join(dir, 'db.sqlite');
    mkdirSync(path.join(ws, 'templates'), { recursive: true });
    mkdirSync(path.join(ws, 'handlers'));
    // One step at a time per engine: the runner takes the step this command cannot.
    writeFileSync(path.join(ws, 'stepwise.config.json'), JSON.stringify({ concurrency: 1, database: db }));
    writeFileSync(path.join(ws, 'templates', 'two.yaml'), 'name: two\nnamespace: h\nversion: 1.0.0\nsteps:\n  - { name: a, handler: slow }\n  - { name: b, handler: slow }\n');
    writeFileSync(path.join(ws, 'handlers', 'slow.ts'), 'export const slow = async () => { await new Promise((r) => setTimeout(r, 600)); return { ok: true }; };\n');
    const runner = await openEngine({ workspace: ws, executor: 'inline' });
    runner.engine.startLoop({ pollMs: 10, heartbeat: 'runner' });
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['run', 'h/two', '--workspace', ws, '--executor', 'inline', '--json'], { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false });
      const report = JSON.parse(out.join('\n')) as { task: { status: string } };
      expect(report.task.status).toBe('complete');
      expect(code).toBe(0);
      expect(err.join('\n')).toMatch(new RegExp(`^[ab] of task \\S+ is running in runner ${runner.engine.context.owner.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(pid ${process.pid}\\), which serves this database; waiting for its outcome`));
    } finally {
      await runner.close();
    }
  });
});
