/**
 * The engine, the host and the CLI log through a `Logger`, and a pino logger is one as it is:
 * events at debug, background errors at error, workspace reloads at info; `--log-level` and
 * STEPWISE_LOG choose the CLI's level.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { createEngine } from '../../core/engine/engine.js';
import { openEngine } from '../../core/engine/open.js';
import { startHost } from '../../core/host/host.js';
import type { Logger } from '../../core/model/logger.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { FIXTURE_WORKSPACE } from './host.fixtures.js';

const REPO = path.join(import.meta.dirname, '..', '..');

/** A pino logger writing JSON lines into an array. */
function pinoLines(level: string): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => void (out.push(chunk.toString()), done()) });
  // Typed as Logger: pino's own type must fit the interface without a cast.
  const logger: Logger = pino({ level }, stream);
  return { logger, lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.STEPWISE_LOG;
});

describe('the engine logs through a pino logger', () => {
  it('every event at debug, with its task and step', async () => {
    const { logger, lines } = pinoLines('debug');
    const storage = new MemoryStorage();
    const engine = createEngine({
      storage,
      executor: 'inline',
      logger,
      templates: createTemplateRegistry([workflow('logged', [step('a')])]),
      handlers: createHandlerRegistry(new Map([['a', { name: 'a', fn: () => 1, file: '' }]])),
    });
    const task = await engine.start('logged', {});
    await engine.runUntilIdle({ taskId: task.id });
    await engine.close();
    const logged = lines().filter((l) => l.taskId === task.id);
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(['task.created', 'step.started', 'step.completed', 'task.completed']));
    expect(logged.find((l) => l.msg === 'step.completed')).toMatchObject({ level: 20, step: 'a' });
  });

  it('nothing at info, and background errors at error with the error', async () => {
    const { logger, lines } = pinoLines('info');
    const storage = new MemoryStorage();
    storage.beat = () => Promise.reject(new Error('disk full'));
    const engine = createEngine({ storage, executor: 'inline', logger, templates: createTemplateRegistry([]), handlers: createHandlerRegistry(new Map()) });
    engine.startLoop({ pollMs: 10, heartbeat: 'runner' });
    await expect.poll(() => lines().length).toBeGreaterThan(0);
    await engine.close();
    const [first] = lines();
    expect(first).toMatchObject({ level: 50, msg: 'engine: writing the heartbeat', where: 'writing the heartbeat', err: { message: 'disk full', type: 'Error' } });
    expect(lines().every((l) => l.level === 50)).toBe(true);
  });
});

describe('stray crashes', () => {
  it('a crash a handler leaves behind after its attempt is logged at error, naming the handler', async () => {
    const { logger, lines } = pinoLines('info');
    const opened = await openEngine({ workspace: path.join(REPO, 'test/fixtures/engine/straying'), db: ':memory:', executor: 'pool', logger });
    try {
      const task = await opened.engine.start('stray', {});
      const { task: done } = await opened.engine.runUntilIdle({ taskId: task.id });
      expect(done?.status).toBe('complete');
      await expect.poll(() => lines().length, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await opened.close();
    }
    expect(lines()[0]).toMatchObject({
      level: 50,
      msg: "uncaught exception in handler 'throw_after_return' after its attempt ended, ignored",
      handler: 'throw_after_return',
      err: { message: 'thrown after the attempt ended' },
    });
  }, 30_000);
});

describe('the host logs through a pino logger', () => {
  it('a workspace reload at info, with the counts', async () => {
    const { logger, lines } = pinoLines('info');
    const root = mkdtempSync(path.join(tmpdir(), 'stepwise-log-host-'));
    dirs.push(root);
    const host = await startHost({ workspace: FIXTURE_WORKSPACE, db: path.join(root, 'db.sqlite'), watch: false, runEngine: false, logger });
    await host.reload();
    await host.close();
    expect(lines()).toContainEqual(expect.objectContaining({ level: 30, msg: 'workspace reloaded', templates: 1, problems: 0 }));
  });
});

describe('the CLI log level', () => {
  async function run(args: string[]): Promise<{ code: number; err: string }> {
    const err: string[] = [];
    const io: CliIO = { out: () => undefined, err: (s) => void err.push(s), isTTY: false };
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-log-cli-'));
    dirs.push(dir);
    const code = await main([...args, '--input', '{"source":"s3://in"}', '--workspace', path.join(REPO, 'test/fixtures/host/workspace'), '--db', path.join(dir, 'db.sqlite')], io);
    return { code, err: err.join('\n') };
  }

  it('--log-level debug narrates the run on stderr; the default (info) does not', async () => {
    const debug = await run(['run', 'pipeline', '--log-level', 'debug']);
    expect(debug.code).toBe(0);
    expect(debug.err).toMatch(/^DEBUG task\.created seq=\d+ taskId="/m);
    expect(debug.err).toMatch(/^DEBUG step\.completed .*step="/m);
    const quiet = await run(['run', 'pipeline']);
    expect(quiet.code).toBe(0);
    expect(quiet.err).not.toContain('DEBUG');
  });

  it('STEPWISE_LOG sets it when --log-level is not given; a wrong name is refused with the list', async () => {
    process.env.STEPWISE_LOG = 'debug';
    expect((await run(['run', 'pipeline'])).err).toContain('DEBUG task.completed');
    expect((await run(['run', 'pipeline', '--log-level', 'warn'])).err).not.toContain('DEBUG');
    const wrong = await run(['run', 'pipeline', '--log-level', 'loud']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("USAGE: --log-level must be one of trace, debug, info, warn, error, fatal, silent; got 'loud'.");
  });
});
