/**
 * A throwaway Redis for the BullMQ peer benchmark: Debian's `redis-server`, found on PATH (or
 * installed with apt-get when we are root and it is missing), started on a free loopback port
 * with no persistence in a temp folder, and stopped afterwards, also when the benchmark fails
 * or is interrupted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const INSTALL_HINT = 'Install Redis: `sudo apt-get install redis-server` (Debian/Ubuntu; the benchmark only needs the binary, not the service).';

export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  version: string;
  stop(): Promise<void>;
}

function onPath(binary: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // not in this folder
    }
  }
  return null;
}

/** The redis-server binary; installs Debian's package when root and apt-get are available. */
export function findRedisServer(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): string {
  const found = onPath('redis-server');
  if (found) return found;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !onPath('apt-get')) throw new Error(`redis-server was not found on PATH. ${INSTALL_HINT}`);
  log('redis-server is missing; installing Debian package redis-server with apt-get ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let install = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    install = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  }
  const installed = onPath('redis-server');
  if (install.status !== 0 || !installed) throw new Error(`Installing redis-server with apt-get failed. ${INSTALL_HINT}`);
  return installed;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findRedisServer();
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-redis-'));
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (b) => (output += String(b)));
  child.stderr!.on('data', (b) => (output += String(b)));
  // Whatever happens to this process, the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const cleanup = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      cleanup();
      throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${output.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: '127.0.0.1',
    port,
    version,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
      cleanup();
    },
  };
}
