/**
 * `stepwise serve [--workspace DIR] [--port N] [--db FILE|URL] [--[no-]engine] [--open]`: runs the workbench host
 * without Electron and serves the built renderer to a browser on the same loopback port.
 * Prints one machine-readable ready line (STEPWISE_READY {...}) and the URL with the token;
 * runs until SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { startHost } from '../../host/host.js';
import { formatReadyLine } from '../../host/ready.js';
import { DB_OPTION_HELP, databaseOf } from '../database.js';
import { cliLogger } from '../context.js';
import { writeLaunchPage } from '../launchPage.js';
import type { CommandContext } from '../main.js';

interface ServeOptions {
  workspace?: string;
  port?: string;
  db?: string;
  open?: boolean;
  engine?: boolean;
  watch: boolean;
}

/** out/renderer of this package, when it has been built. */
export function defaultStaticDir(): string | null {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../out/renderer');
  return existsSync(path.join(dir, 'index.html')) ? dir : null;
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StepwiseError('USAGE', `--port must be a whole number from 0 to 65535 (0 picks a free port); got '${value}'.`);
  }
  return port;
}

/** The launch token: STEPWISE_TOKEN when a parent process (the desktop app) sets one. */
export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.STEPWISE_TOKEN;
  if (token === undefined || token === '') return undefined;
  if (token.length < 16) throw new StepwiseError('USAGE', 'STEPWISE_TOKEN must be at least 16 characters long; unset it to get a random token.');
  return token;
}

/** Opens a URL (never one with a secret in it: argv is public) in the default browser; silently does nothing where no opener exists. */
export function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine: the URL is printed anyway.
  }
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('serve')
    .description('Serve the workbench (host + UI) to a browser on 127.0.0.1, with a per-launch token.')
    .option('-w, --workspace <dir>', 'workspace folder (default: the current folder)')
    .option('-p, --port <n>', 'port on 127.0.0.1 (default: a free one)')
    .option('--db <file|url>', DB_OPTION_HELP)
    .option('--engine', 'run tasks in this process too (default on SQLite)')
    .option('--no-engine', 'only watch and operate; runners do the work (default on PostgreSQL)')
    .option('--open', 'open the workbench in the default browser')
    .option('--no-watch', 'do not reload templates and handlers when their files change')
    .action(async (options: ServeOptions) => {
      const staticDir = defaultStaticDir();
      if (!staticDir) ctx.io.err('warning: the workbench UI is not built (out/renderer); run `npm run build`. The API is served anyway.');
      const token = tokenFromEnv();
      const host = await startHost({
        workspace: options.workspace ?? process.cwd(),
        port: parsePort(options.port),
        ...(options.db || process.env.STEPWISE_DB ? { db: databaseOf(options.db, '') } : {}),
        staticDir,
        ...(token ? { token } : {}),
        watch: options.watch,
        ...(options.engine !== undefined ? { runEngine: options.engine } : {}),
        logger: cliLogger(),
      });
      ctx.io.out(formatReadyLine(host.info));
      ctx.io.out(`Stepwise workbench for ${host.info.workspace}\n  ${host.info.openUrl}\n  database ${host.info.database}\nPress Ctrl+C to stop.`);
      // Never the URL itself: its token would be in the argv of the opener and the browser,
      // readable by every local user in `ps`. The browser gets a private redirect page instead.
      const launch = options.open ? writeLaunchPage(host.info.openUrl) : null;
      const removeLaunch = () => launch?.remove();
      process.once('exit', removeLaunch);
      const stopped = new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          ctx.io.err(`${signal}: stopping the workbench host…`);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          removeLaunch();
          void host.close().finally(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      // Only once a stop would remove the page again.
      if (launch) openInBrowser(launch.url);
      await stopped;
      process.off('exit', removeLaunch);
    });
}
