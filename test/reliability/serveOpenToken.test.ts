/**
 * Attack (issue 12): `serve --open` passed the URL with the session token to `xdg-open` and on
 * to the browser, so the token was in their argv, readable by every local user in `ps`. Now the
 * opener is given a file:// URL of a redirect page only this user can read (like Jupyter's
 * jpserver-<pid>-open.html); the page holds the token and sends the browser on; it is removed
 * when the host stops. Checked with a fake `xdg-open` that records its argv.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { launchPageHtml } from '../../core/cli/launchPage.js';
import { startServe } from '../e2e/serveProcess.js';

const root = mkdtempSync(path.join(tmpdir(), 'stepwise-open-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function until<T>(read: () => T | null, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(process.platform !== 'linux')('serve --open', () => {
  it('never puts the token on a command line; the page that carries it is private and removed at stop', async () => {
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    const argvFile = path.join(root, 'opener-argv.txt');
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}'\n`);
    chmodSync(path.join(bin, 'xdg-open'), 0o755);
    const ws = path.join(root, 'ws');
    mkdirSync(path.join(ws, 'templates'), { recursive: true });
    writeFileSync(path.join(ws, 'templates', 'one.yaml'), 'name: one\nnamespace: o\nversion: 1.0.0\nsteps:\n  - { name: a }\n');
    const serve = await startServe({ workspace: ws, db: path.join(root, 'db.sqlite'), args: ['--open'], env: { PATH: `${bin}:${process.env.PATH ?? ''}`, TMPDIR: root } });
    try {
      const token = serve.info.token;
      const argv = await until(() => (existsSync(argvFile) ? readFileSync(argvFile, 'utf8').trim() : null), 'the opener to run');
      expect(argv).not.toContain(token);
      expect(argv).toMatch(/^file:\/\/.*\/open\.html$/);
      const page = fileURLToPath(argv);
      expect(statSync(page).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(page)).mode & 0o777).toBe(0o700);
      const html = readFileSync(page, 'utf8');
      expect(html).toContain(JSON.stringify(serve.info.openUrl));
      await serve.stop();
      expect(existsSync(page), serve.log.join('\n')).toBe(false);
    } finally {
      await serve.stop();
    }
  });

  it('the redirect page cannot be broken out of by the URL it carries', () => {
    const html = launchPageHtml('http://127.0.0.1:1/?token=a"><script>x</script>&b=</script>');
    expect(html).not.toContain('"><script>x');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain('&amp;b=');
  });
});
