/**
 * `stepwise init [DIR]`: creates a workspace (config, templates/, flows/, handlers/, an example
 * workflow and flow with their handlers, a vitest test, .gitignore for the database) that passes
 * `stepwise validate` and `npm test` at once, then installs its dependencies with npm. The
 * workspace stands alone: it depends on `stepwise-workflows` by version (or on what `--from`
 * names), never on the folder this command runs from.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { PACKAGE_NAME, packageJson, packageVersion } from '../../packageInfo.js';
import { writeFileSet } from '../templates/files.js';
import { workspaceFiles } from '../templates/workspace.js';
import type { CommandContext } from '../main.js';

interface InitOptions {
  install: boolean;
  from?: string;
  force?: boolean;
}

function workspaceName(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'stepwise-workspace';
}

/** Versions of the dev tools this package is tested with, for the new workspace's package.json. */
function toolVersions(): { vitest: string; typescript: string; typesNode: string } {
  const dev = packageJson().devDependencies ?? {};
  return { vitest: dev.vitest ?? '^4.1.0', typescript: dev.typescript ?? '~5.9', typesNode: dev['@types/node'] ?? '^20.19.0' };
}

/**
 * The dependency spec for the package: `^VERSION` from the registry, or `--from` — a version, a
 * tarball made by `npm pack`, or a folder. A path that exists is made absolute, so the spec
 * means the same from the new workspace as from where the command was typed.
 */
export function stepwiseSpec(from: string | undefined, cwd = process.cwd()): string {
  if (from === undefined) return `^${packageVersion()}`;
  const path = from.startsWith('file:') ? from.slice('file:'.length) : from;
  if (existsSync(resolve(cwd, path))) return `file:${resolve(cwd, path)}`;
  if (from.startsWith('file:')) throw new StepwiseError('USAGE', `--from ${from}: no such file or folder.`);
  return from;
}

/** `npm install` in the new workspace; refuses unless the package really landed in its node_modules. */
function installDependencies(dir: string, spec: string, ctx: CommandContext): void {
  ctx.io.out(`installing dependencies (npm install, ${PACKAGE_NAME}@${spec})...`);
  const npm = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  // npm links a folder spec even when the folder holds no package; check what it installed.
  const installed = join(dir, 'node_modules', PACKAGE_NAME, 'package.json');
  const landed = npm.status === 0 && existsSync(installed) && (JSON.parse(readFileSync(installed, 'utf8')) as { name?: string }).name === PACKAGE_NAME;
  if (landed) return;
  const npmOutput = (npm.stderr || npm.stdout || npm.error?.message || '').trim();
  if (npmOutput) ctx.io.err(npmOutput);
  const why = npm.status === 0 ? `npm finished, but node_modules/${PACKAGE_NAME} holds no ${PACKAGE_NAME} package` : `exit ${npm.status ?? npm.error?.message}`;
  throw new StepwiseError(
    'INSTALL_FAILED',
    `npm install failed in ${dir} (${why}). The files are written; fix the cause and run \`npm install\` there. ` +
      `If ${PACKAGE_NAME}@${spec} is not published where npm looks, pass --from with a tarball made by \`npm pack\`.`,
    { dir, spec },
  );
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('init')
    .description('Create a workspace with an example workflow, flow, handlers and test, and install its dependencies.')
    .argument('[dir]', 'folder to create (default: the current folder)', '.')
    .option('--from <spec>', `where npm gets ${PACKAGE_NAME}: a version, a tarball from \`npm pack\` or a folder (default: ^${packageVersion()})`)
    .option('--no-install', 'only write the files (run `npm install` there yourself)')
    .option('--force', 'overwrite existing files')
    .action(async (dirArg: string, options: InitOptions) => {
      const dir = resolve(dirArg);
      if (existsSync(dir) && readdirSync(dir).some((f) => !f.startsWith('.')) && !options.force) {
        const clash = ['package.json', 'templates', 'handlers', 'flows'].filter((f) => existsSync(resolve(dir, f)));
        if (clash.length > 0) {
          throw new StepwiseError('USAGE', `${dir} already has ${clash.join(', ')}. Choose an empty folder, or pass --force to overwrite the generated files.`);
        }
      }
      const spec = stepwiseSpec(options.from);
      const written = await writeFileSet(dir, workspaceFiles({ name: workspaceName(dir), stepwiseSpec: spec, versions: toolVersions() }), { force: options.force ?? false });
      ctx.io.out(`created ${dir}`);
      for (const f of written) ctx.io.out(`  ${relative(dir, f)}`);

      if (options.install) installDependencies(dir, spec, ctx);
      const shown = relative(process.cwd(), dir);
      const cd = shown === '' ? '.' : shown.startsWith('..') ? dir : shown;
      ctx.io.out(`\nnext:\n  cd ${cd}${options.install ? '' : '\n  npm install'}\n  npx stepwise validate\n  npm test\n  npx stepwise run hello_world --input '{"name":"Ada"}'`);
      ctx.setExit(0);
    });
}
