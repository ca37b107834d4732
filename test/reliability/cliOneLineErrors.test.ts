/**
 * Attacks (issue 12, smaller): `serve --port` on a port in use printed a raw EADDRINUSE stack,
 * and a reader that closes the pipe early (`… --json | head -c 50`) made the CLI die with an
 * EPIPE trace. Now each is one line saying what happened and what to do.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './cli.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-oneline-'));
const ws = path.join(dir, 'ws');
mkdirSync(path.join(ws, 'templates'), { recursive: true });
mkdirSync(path.join(ws, 'handlers'));
writeFileSync(path.join(ws, 'handlers', 'h.ts'), 'export const h = () => 1;\n');
const steps = Array.from({ length: 400 }, (_, i) => `  - { name: step_number_${i}, handler: h${i ? `, depends_on: [step_number_${i - 1}]` : ''} }`);
writeFileSync(path.join(ws, 'templates', 'long.yaml'), `name: long\nnamespace: l\nversion: 1.0.0\nsteps:\n${steps.join('\n')}\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('one-line errors', () => {
  it('serve on a port in use says so and how to pick another', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await cli('serve', '--port', String(port), '--workspace', ws, '--db', path.join(dir, 'db.sqlite'), '--no-watch');
      expect(r.code).toBe(1);
      expect(r.err.split('\n').filter((l) => l.startsWith('error'))).toEqual([
        `error: USAGE: Port ${port} on 127.0.0.1 is already in use (another workbench or program listens there). Pick another with --port N, or leave --port out for a free one.`,
      ]);
      expect(r.err).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
  });

  it('a reader that closes the pipe early gets one line, not an EPIPE trace', () => {
    // The JSON graph is far larger than a pipe's buffer, so the CLI is still writing when head exits.
    const r = spawnSync('sh', ['-c', `node bin/stepwise.mjs graph l/long --workspace '${ws}' --format json | head -c 50 > /dev/null`], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/Unhandled|node:events/);
    expect(r.stderr.trim()).toBe('error: EPIPE: the output was closed before stepwise finished writing it (the reader stopped early, e.g. `| head`).');
  });
});
