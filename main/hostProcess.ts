/**
 * Runs the Stepwise host as a child process of the desktop app, with the system `node` (the
 * runtime users' handlers run on in production; better-sqlite3 stays built for Node's ABI,
 * never Electron's). Waits for the host's ready line, and restarts it when it dies, on the
 * same port and with the same token so the open window simply reconnects.
 * No `electron` import here: the restart policy is plain Node and testable without Electron.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseReadyLine, type ReadyInfo } from '../core/host/ready.js';

export interface HostProcessOptions {
  /** Absolute path of the `node` executable. */
  nodePath: string;
  /** bin/stepwise.mjs of this app. */
  cliPath: string;
  workspace: string;
  /** Called for each line the host prints (for a log view / the terminal). */
  onLog?: (line: string) => void;
  /** Called when a running host exits unexpectedly, before the restart. */
  onCrash?: (info: { code: number | null; signal: NodeJS.Signals | null; restarting: boolean; lastLines: string[] }) => void;
  /** Called after a restarted host is ready again. */
  onRestarted?: (info: ReadyInfo) => void;
  /** Give up after this many crashes within a minute. */
  maxCrashesPerMinute?: number;
  readyTimeoutMs?: number;
}

/** Finds `node` on PATH (or the configured/explicit path), or returns null. */
export function findNode(configured: string | undefined, envPath = process.env.PATH ?? ''): string | null {
  if (configured) return existsSync(configured) ? configured : null;
  const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

export class HostProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private crashes: number[] = [];
  private readonly token = randomBytes(32).toString('base64url');
  private port = 0;
  private lastLines: string[] = [];
  info: ReadyInfo | null = null;

  constructor(private readonly options: HostProcessOptions) {}

  /** Starts the host and resolves with its ready info. */
  start(): Promise<ReadyInfo> {
    this.stopping = false;
    return new Promise((resolve, reject) => {
      const args = [this.options.cliPath, 'serve', '--workspace', this.options.workspace, '--port', String(this.port)];
      const child = spawn(this.options.nodePath, args, {
        // The token travels in the environment, not argv: other users can read argv with `ps`.
        env: { ...process.env, STEPWISE_TOKEN: this.token, ELECTRON_RUN_AS_NODE: undefined },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        child.kill('SIGTERM');
        reject(new Error(`The Stepwise host did not start within ${(this.options.readyTimeoutMs ?? 30_000) / 1000} s.\n${this.lastLines.join('\n')}`));
      }, this.options.readyTimeoutMs ?? 30_000);
      const onLine = (line: string) => {
        this.lastLines = [...this.lastLines.slice(-30), line];
        this.options.onLog?.(line);
        const info = parseReadyLine(line);
        if (info && !ready) {
          ready = true;
          clearTimeout(timer);
          this.info = info;
          this.port = info.port;
          resolve(info);
        }
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      child.once('error', (err) => {
        clearTimeout(timer);
        if (!ready) reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = null;
        if (!ready) {
          reject(new Error(`The Stepwise host exited (code ${code ?? signal}) before it was ready:\n${this.lastLines.join('\n')}`));
          return;
        }
        if (!this.stopping) void this.restartAfterCrash(code, signal);
      });
    });
  }

  private async restartAfterCrash(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // Wall-clock time on purpose: the crash window measures how fast the real child dies, and the
    // desktop shell has no engine clock (the engine, with its injected clock, runs in the child).
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < 60_000), now];
    const restarting = this.crashes.length <= (this.options.maxCrashesPerMinute ?? 3);
    this.options.onCrash?.({ code, signal, restarting, lastLines: this.lastLines });
    if (!restarting) return;
    await new Promise((r) => setTimeout(r, 500 * this.crashes.length));
    try {
      const info = await this.start();
      this.options.onRestarted?.(info);
    } catch (err) {
      // The old port may be taken now: try once more on a fresh one (the window is reloaded).
      this.port = 0;
      try {
        const info = await this.start();
        this.options.onRestarted?.(info);
      } catch {
        this.options.onCrash?.({ code: null, signal: null, restarting: false, lastLines: [String(err)] });
      }
    }
  }

  /** Stops the host (SIGTERM, then SIGKILL after a grace period). */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
