/**
 * `stepwise generate handler NAME --type standard|api|decision|batchable [--template T]`,
 * `stepwise generate workflow NAME`, `stepwise generate flow NAME`: write typed code and its
 * vitest test into the workspace. Existing files are never overwritten without --force.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { checkName, writeFileSet, type FileSet } from '../templates/files.js';
import { checkMethods, HANDLER_TYPES, handlerFiles, methodHandlerFiles, type HandlerType } from '../templates/handler.js';
import { flowFiles, workflowFiles } from '../templates/skeletons.js';
import { createTemplateRegistry } from '../../template/registry.js';
import { loadWorkspace } from '../../template/workspace.js';
import type { CommandContext } from '../main.js';

interface Common {
  workspace?: string;
  force?: boolean;
  namespace: string;
}

async function write(ctx: CommandContext, files: FileSet, options: Common, what: string): Promise<void> {
  const root = resolve(options.workspace ?? process.cwd());
  if (!existsSync(root)) throw new StepwiseError('WORKSPACE_INVALID', `The workspace folder ${root} does not exist. Create one with \`stepwise init\`.`);
  const written = await writeFileSet(root, files, { force: options.force ?? false });
  ctx.io.out(`generated ${what}:`);
  for (const f of written) ctx.io.out(`  ${relative(root, f)}`);
  ctx.setExit(0);
}

export function register(program: Command, ctx: CommandContext): void {
  const generate = program.command('generate').alias('g').description('Generate handlers, workflows and flows with their tests.');
  const common = (c: Command) =>
    c
      .option('-w, --workspace <dir>', 'workspace folder (default: the current folder)')
      .option('--force', 'overwrite existing files')
      .option('--namespace <ns>', 'template namespace', 'default');

  common(
    generate
      .command('handler')
      .description('A typed step handler and its vitest test.')
      .argument('<name>', 'handler name (an identifier, e.g. charge_card)')
      .addOption(new Option('-t, --type <type>', 'handler kind').choices(HANDLER_TYPES).default('standard'))
      .option('--template <ref>', 'test it against this workspace template (it must have a step with this handler)')
      .option('--methods <list>', 'a class with these step methods, e.g. validate,refund (tasker-core handler.method)'),
  ).action(async (name: string, options: Common & { type: HandlerType; template?: string; methods?: string }) => {
    checkName(name, 'Handler');
    if (options.methods !== undefined) {
      const methods = checkMethods(options.methods);
      if (options.type !== 'standard') throw new StepwiseError('USAGE', `--methods makes a class of standard step methods; generate a ${options.type} handler on its own, without --methods.`);
      // The generated test defines its own workflow with one step per method; a workspace template
      // would have to name each method already, which is what this command is asked to start.
      if (options.template) throw new StepwiseError('USAGE', '--methods writes a test with its own workflow (one step per method); leave out --template, then name the methods in your template: handler: { callable: NAME, method: METHOD }.');
      return write(ctx, methodHandlerFiles(name, methods), options, `handler class ${name} (${methods.join(', ')})`);
    }
    if (options.template) {
      // Checked now, so the generated test cannot start out broken. The workspace may still have
      // problems here (typically: the template names this handler, which does not exist yet).
      const ws = await loadWorkspace(resolve(options.workspace ?? process.cwd()));
      const template = createTemplateRegistry(ws.templates, { root: ws.root }).resolve(options.template);
      if (template.kind !== 'workflow') throw new StepwiseError('USAGE', `${options.template} is a flow; --template takes a workflow (flow handlers: stepwise generate flow).`);
      const existing = ws.handlers.get(name);
      if (existing) throw new StepwiseError('USAGE', `A handler named '${name}' already exists in ${relative(ws.root, existing.file)}. Choose another name.`);
      if (!template.steps.some((s) => s.handler?.callable === name)) {
        throw new StepwiseError(
          'USAGE',
          `Workflow ${options.template} has no step with handler '${name}'. Add one first, e.g.\n  - name: ${name}\n    handler: ${name}${options.type === 'decision' || options.type === 'batchable' ? `\n    type: ${options.type}` : ''}`,
        );
      }
    }
    await write(ctx, handlerFiles(name, options.type, options.template), options, `${options.type} handler ${name}`);
  });

  common(generate.command('workflow').description('A workflow template skeleton with its handlers and test.').argument('<name>', 'template name')).action(
    async (name: string, options: Common) => write(ctx, workflowFiles(checkName(name, 'Workflow'), options.namespace), options, `workflow ${name}`),
  );

  common(generate.command('flow').description('A flow template skeleton with its handlers and test.').argument('<name>', 'template name')).action(
    async (name: string, options: Common) => write(ctx, flowFiles(checkName(name, 'Flow'), options.namespace), options, `flow ${name}`),
  );
}
