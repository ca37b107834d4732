/** The files `stepwise init` writes: a workspace that validates and passes its own tests at once. */
import type { FileSet } from './files.js';

export interface WorkspaceOptions {
  name: string;
  /** npm spec of the stepwise-workflows package: `^VERSION`, or `file:` an absolute tarball or folder. */
  stepwiseSpec: string;
  versions: { vitest: string; typescript: string; typesNode: string };
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

export function workspaceFiles(o: WorkspaceOptions): FileSet {
  return {
    'package.json': json({
      name: o.name,
      private: true,
      type: 'module',
      scripts: { test: 'vitest run', validate: 'stepwise validate', typecheck: 'tsc --noEmit', runner: 'stepwise runner' },
      dependencies: { 'stepwise-workflows': o.stepwiseSpec },
      devDependencies: { '@types/node': o.versions.typesNode, typescript: o.versions.typescript, vitest: o.versions.vitest },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        isolatedModules: true,
        skipLibCheck: true,
        resolveJsonModule: true,
        noEmit: true,
      },
      include: ['**/*.ts'],
      exclude: ['node_modules', '.stepwise'],
    }),
    'stepwise.config.json': json({ database: '.stepwise/stepwise.db', executor: 'inline' }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'handlers/**/*.test.ts'],
    // Registers toBeIn, toBeWaitingUntil, toBeCompleted, toBeFailed, toSucceedWith, toFailWith, toHaveStep, toHaveCompletedInOrder.
    setupFiles: ['stepwise-workflows/testing/setup'],
  },
});
`,
    '.gitignore': 'node_modules/\n.stepwise/\n',
    'README.md': `# ${o.name}

A [Stepwise](https://www.npmjs.com/package/stepwise-workflows) workspace.

- \`templates/\` workflows (DAGs of steps), \`flows/\` flows (state machines), \`handlers/\` the code they call.
- \`npx stepwise validate\` checks every template; \`npm test\` runs the tests in \`test/\`.
- \`npx stepwise run hello_world --input '{"name":"Ada"}'\` runs the example workflow.
- \`npx stepwise run approval --input '{"amount":5000}'\` starts the example flow (it waits for \`approve\`);
  \`npx stepwise interact TASK_ID approve\` approves it.
- \`npx stepwise generate handler NAME --type standard|api|decision|batchable\`, \`generate workflow NAME\`,
  \`generate flow NAME\` add more.
`,
    'templates/hello_world.yaml': `# An example workflow: two steps, the second uses the first one's results.
name: hello_world
namespace: examples
version: 1.0.0
description: Greets someone, then shouts the greeting.
input_schema:
  type: object
  required: [name]
  properties:
    name: { type: string }
steps:
  - name: greet
    handler: greet
  - name: shout
    handler: shout
    depends_on: [greet]
`,
    'handlers/hello_world.ts': `import type { StepContext } from 'stepwise-workflows';

export interface HelloInput {
  name: string;
}

/** Step \`greet\`: its return value becomes the step's results. */
export function greet(ctx: StepContext<HelloInput>): { greeting: string } {
  ctx.log.info('greeting', { name: ctx.input.name });
  return { greeting: \`Hello, \${ctx.input.name}!\` };
}

/** Step \`shout\`: reads the results of the step it depends on. */
export function shout(ctx: StepContext<HelloInput>): { shouted: string } {
  const { greeting } = ctx.results.greet as { greeting: string };
  return { shouted: greeting.toUpperCase() };
}
`,
    'flows/approval.yaml': `# An example flow: small amounts are approved at once, large ones wait for \`approve\`.
kind: flow
name: approval
namespace: examples
version: 1.0.0
attributes:
  type: object
  required: [amount]
  properties:
    amount: { type: number }
    approved_by: { type: string }
starts_with: is_large
delay: 1m
timeout: 7d
on_timeout: expired
states:
  is_large: { type: decision, condition: is_large, if_true: wait_for_approval, if_false: approved }
  wait_for_approval:
    type: wait
    conditions:
      - { condition: is_approved, go_to: approved }
  approved: { type: result }
  expired: { type: result }
interactions:
  approve:
    when: [wait_for_approval]
    handler: record_approval
    params: { type: object, properties: { by: { type: string, default: someone } } }
`,
    'handlers/approval.ts': `import type { FlowContext } from 'stepwise-workflows';

export type ApprovalData = { amount: number; approved_by?: string };

export function is_large(ctx: FlowContext<ApprovalData>): boolean {
  return ctx.data.amount >= 1000;
}

export function is_approved(ctx: FlowContext<ApprovalData>): boolean {
  return ctx.data.approved_by !== undefined;
}

/** Interaction \`approve\`: params are validated against its schema first. */
export function record_approval(ctx: FlowContext<ApprovalData>, params: { by: string }): void {
  ctx.data.approved_by = params.by;
}
`,
    'test/examples.test.ts': `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFlowTestEnv, loadTestWorkspace, runStep, runWorkflow, testState } from 'stepwise-workflows/testing';

const ws = await loadTestWorkspace(fileURLToPath(new URL('..', import.meta.url)));

describe('hello_world workflow', () => {
  it('runs end to end', async () => {
    const run = await runWorkflow(ws.workflow('hello_world'), { name: 'Ada' }, { handlers: ws.handlers });
    expect(run).toBeCompleted();
    expect(run).toHaveStep('shout', { state: 'complete', results: { shouted: 'HELLO, ADA!' } });
  });

  it('greets by name', async () => {
    const run = await runStep(ws.workflow('hello_world'), 'greet', { input: { name: 'Ada' }, handlers: ws.handlers });
    expect(run).toSucceedWith({ greeting: 'Hello, Ada!' });
  });

  it('shouts the greeting it depends on', async () => {
    const run = await runStep(ws.workflow('hello_world'), 'shout', {
      input: { name: 'Ada' },
      results: { greet: { greeting: 'Hello, Ada!' } },
      handlers: ws.handlers,
    });
    expect(run).toSucceedWith({ shouted: 'HELLO, ADA!' });
  });
});

describe('approval flow', () => {
  it('approves small amounts at once', async () => {
    expect(await testState(ws.flow('approval'), 'is_large', { amount: 10 }, { handlers: ws.handlers })).toBeCompleted();
  });

  it('waits for large amounts until someone approves', async () => {
    const { driver } = createFlowTestEnv([ws.flow('approval')], { handlers: ws.handlers });
    const task = await driver.start(ws.flow('approval'), { amount: 5000 });
    expect(task).toBeWaitingUntil('wait_for_approval');
    const done = await driver.fireInteraction(task.id, 'approve', { by: 'Grace' });
    expect(done).toBeIn('approved');
    expect(done.data.approved_by).toBe('Grace');
  });
});
`,
  };
}
