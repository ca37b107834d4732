/**
 * `stepwise init [DIR]`: creates a workspace (config, templates/, flows/, handlers/, an example
 * workflow and flow with their handlers, a vitest test, .gitignore for the database) that passes
 * `stepwise validate` and `npx vitest run` at once. Dependencies are linked from this stepwise
 * installation by default (no network); `--install` runs `npm install --prefer-offline` instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { writeFileSet } from '../templates/files.js';
import { linkNodeModules, packageRoot, toolVersions } from '../templates/link.js';
import { workspaceFiles } from '../templates/workspace.js';
import type { CommandContext } from '../main.js';

interface InitOptions {
  install?: boolean;
  link: boolean;
  force?: boolean;
}

function packageName(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'stepwise-workspace';
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('init')
    .description('Create a workspace with an example workflow, flow, handlers and test.')
    .argument('[dir]', 'folder to create (default: the current folder)', '.')
    .option('--install', 'run `npm install --prefer-offline` instead of linking dependencies')
    .option('--no-link', 'do not link node_modules (run npm install yourself)')
    .option('--force', 'overwrite existing files')
    .action(async (dirArg: string, options: InitOptions) => {
      const dir = resolve(dirArg);
      if (existsSync(dir) && readdirSync(dir).some((f) => !f.startsWith('.')) && !options.force) {
        const clash = ['package.json', 'templates', 'handlers', 'flows'].filter((f) => existsSync(resolve(dir, f)));
        if (clash.length > 0) {
          throw new StepwiseError('USAGE', `${dir} already has ${clash.join(', ')}. Choose an empty folder, or pass --force to overwrite the generated files.`);
        }
      }
      const root = packageRoot();
      const spec = `file:${relative(dir, root) || '.'}`;
      const written = await writeFileSet(dir, workspaceFiles({ name: packageName(dir), stepwiseSpec: spec, versions: toolVersions() }), { force: options.force ?? false });
      ctx.io.out(`created ${dir}`);
      for (const f of written) ctx.io.out(`  ${relative(dir, f)}`);

      if (options.install) {
        ctx.io.out('installing dependencies (npm install --prefer-offline)...');
        const npm = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
        if (npm.status !== 0) {
          ctx.io.err(npm.stderr || npm.stdout);
          throw new StepwiseError('USAGE', `npm install failed in ${dir} (exit ${npm.status}). Run it there yourself, or use \`stepwise init\` without --install to link the dependencies.`);
        }
      } else if (options.link) {
        const missing = await linkNodeModules(dir, root);
        ctx.io.out(`linked node_modules to ${root}${missing.length ? ` (not found, run npm install for: ${missing.join(', ')})` : ''}`);
      }
      const shown = relative(process.cwd(), dir);
      ctx.io.out(`\nnext:\n  cd ${shown === '' ? '.' : shown.startsWith('..') ? dir : shown}\n  npx stepwise validate\n  npx vitest run\n  npx stepwise run hello_world --input '{"name":"Ada"}'`);
      ctx.setExit(0);
    });
}
