#!/usr/bin/env node
// Brings what the tests need beyond node_modules (`npm test` runs this first, as `pretest`):
// Chromium for the browser tests (Playwright drives the system's, never a downloaded one) and
// PostgreSQL's server binaries for the PostgreSQL storage tests. Installs Debian's packages with
// apt when it may (root, or sudo without a password); otherwise says in one line what to run.
// `node scripts/testDeps.mjs --check` only reports (exit 1 when something is missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const chromium = process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium';

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

/** Debian keeps the server binaries in /usr/lib/postgresql/VERSION/bin, off PATH. */
function hasPostgresServer() {
  if (onPath('pg_ctl') && onPath('initdb')) return true;
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')));
}

const missing = [];
if (!existsSync(chromium)) missing.push({ what: `Chromium (${chromium})`, apt: 'chromium' });
// The PostgreSQL tests start a private server unless STEPWISE_TEST_DATABASE_URL names one.
if (!process.env.STEPWISE_TEST_DATABASE_URL && !hasPostgresServer()) missing.push({ what: "PostgreSQL's server (pg_ctl, initdb)", apt: 'postgresql' });
if (missing.length === 0) process.exit(0);

const packages = missing.map((m) => m.apt);
const names = missing.map((m) => m.what).join(' and ');
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

if (process.argv.includes('--check') || !onPath('apt-get') || !(root || sudo)) {
  console.error(
    `The tests need ${names}. Install ${packages.length === 1 ? 'it' : 'them'} (on Debian or Ubuntu: sudo apt-get install -y ${packages.join(' ')}; ` +
      `or point STEPWISE_CHROMIUM at a Chromium), then run npm test again.`,
  );
  process.exit(1);
}

console.error(`Installing ${names} with apt-get (${packages.join(' ')})…`);
const run = (args) => execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : ['-n', ...args], { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
try {
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...packages]);
} catch {
  console.error(`apt-get could not install ${packages.join(' ')} (see above); install ${names} yourself, then run npm test again.`);
  process.exit(1);
}
