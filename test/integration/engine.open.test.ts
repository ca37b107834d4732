/** openEngine: the one way the host, the CLI and the tests get an engine over a workspace and a database. */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../core/engine/open.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { FIXTURE_WORKSPACE } from './host.fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function copyWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-open-'));
  dirs.push(dir);
  cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  return dir;
}

describe('openEngine', () => {
  it('opens a workspace folder and its default database, runs a task, and follows reload()', async () => {
    const dir = copyWorkspace();
    const opened = await openEngine({ workspace: dir, executor: 'inline' });
    try {
      expect(opened.database).toBe(path.join(dir, '.stepwise', 'stepwise.db'));
      const task = await opened.engine.start('testing/pipeline', { source: 'abc' });
      expect((await opened.engine.runUntilIdle({ taskId: task.id })).task?.status).toBe('complete');

      writeFileSync(path.join(dir, 'templates', 'single.yaml'), 'name: single\nnamespace: testing\nversion: 1.0.0\nsteps:\n  - name: fetch\n    handler: fetch\n');
      expect(() => opened.engine.context.templates.resolve('testing/single')).toThrow(/TEMPLATE_NOT_FOUND|not/);
      await opened.reload();
      expect(opened.workspace?.templates.map((t) => t.name).sort()).toEqual(['pipeline', 'single']);
      const next = await opened.engine.start('testing/single', { source: 'xyz' });
      expect((await opened.engine.runUntilIdle({ taskId: next.id })).task?.status).toBe('complete');
    } finally {
      await opened.close();
    }
    // close() closed the database it opened.
    await expect(opened.storage.getTask('x')).rejects.toThrow(/closed/);
  });

  it('refuses a database that does not exist when asked to, creating nothing', async () => {
    const dir = copyWorkspace();
    const db = path.join(dir, 'nowhere', 'none.db');
    await expect(openEngine({ workspace: dir, db, mustExist: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync(db)).toBe(false);
  });

  it('takes templates and handlers given in code, and leaves a storage it was given open', async () => {
    const storage = new MemoryStorage();
    const opened = await openEngine({ workspace: { templates: [workflow('inline', [step('a')])], handlers: { a: () => 42 } }, db: storage, executor: 'inline' });
    const task = await opened.engine.start('inline', {});
    expect((await opened.engine.runUntilIdle({ taskId: task.id })).task?.result).toEqual({ a: 42 });
    await expect(opened.reload()).rejects.toMatchObject({ code: 'USAGE' });
    await opened.close();
    expect((await storage.getTask(task.id))?.status).toBe('complete');
  });
});
