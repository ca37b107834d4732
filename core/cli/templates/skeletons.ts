/**
 * `stepwise generate workflow NAME` / `generate flow NAME`: a YAML template skeleton with the
 * handlers it names (so it validates at once) and a test of them.
 */
import type { FileSet } from './files.js';

export function workflowFiles(name: string, namespace: string): FileSet {
  return {
    [`templates/${name}.yaml`]: `# Workflow ${name}: a DAG of steps. Each step runs its handler once its dependencies are done.
name: ${name}
namespace: ${namespace}
version: 1.0.0
description: TODO describe what ${name} does.
input_schema:
  type: object
  required: [id]
  properties:
    id: { type: integer }
steps:
  - name: ${name}_fetch
    handler: ${name}_fetch
  - name: ${name}_process
    handler: ${name}_process
    depends_on: [${name}_fetch]
    retry: { retryable: true, max_attempts: 3, backoff: exponential, backoff_base_ms: 1000 }
`,
    [`handlers/${name}.ts`]: `import type { StepContext } from 'stepwise-workflows';

export interface ${pascal(name)}Input {
  id: number;
}

export async function ${name}_fetch(ctx: StepContext<${pascal(name)}Input>): Promise<{ id: number; fetched: boolean }> {
  return { id: ctx.input.id, fetched: true };
}

export async function ${name}_process(ctx: StepContext<${pascal(name)}Input>): Promise<{ processed: number }> {
  const fetched = ctx.results.${name}_fetch as { id: number };
  return { processed: fetched.id };
}
`,
    [`handlers/${name}.test.ts`]: `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTestWorkspace, runStep } from 'stepwise-workflows/testing';

const ws = await loadTestWorkspace(fileURLToPath(new URL('..', import.meta.url)));
const template = ws.workflow('${namespace}/${name}');

describe('${name}', () => {
  it('fetches', async () => {
    expect(await runStep(template, '${name}_fetch', { input: { id: 7 }, handlers: ws.handlers })).toSucceedWith({ id: 7, fetched: true });
  });

  it('processes what was fetched', async () => {
    const run = await runStep(template, '${name}_process', { input: { id: 7 }, results: { ${name}_fetch: { id: 7 } }, handlers: ws.handlers });
    expect(run).toSucceedWith({ processed: 7 });
  });

  it('refuses an input without id', async () => {
    await expect(runStep(template, '${name}_fetch', { input: {}, handlers: ws.handlers })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
`,
  };
}

export function flowFiles(name: string, namespace: string): FileSet {
  return {
    [`flows/${name}.yaml`]: `# Flow ${name}: a state machine. Decisions branch, waits sleep until a condition holds
# (an interaction can make it hold), actions do work, results end the flow.
kind: flow
name: ${name}
namespace: ${namespace}
version: 1.0.0
attributes:
  type: object
  properties:
    ready: { type: boolean, default: false }
    done_at: { type: string }
starts_with: is_ready
delay: 1m
timeout: 1d
on_timeout: expired
states:
  is_ready: { type: decision, condition: ${name}_is_ready, if_true: do_work, if_false: wait_until_ready }
  wait_until_ready:
    type: wait
    conditions:
      - { condition: ${name}_is_ready, go_to: do_work }
  do_work: { type: action, handler: ${name}_do_work, go_to: done }
  done: { type: result }
  expired: { type: result }
interactions:
  mark_ready: { when: [wait_until_ready], handler: ${name}_mark_ready }
`,
    [`handlers/${name}.ts`]: `import type { FlowContext } from 'stepwise-workflows';

export type ${pascal(name)}Data = { ready: boolean; done_at?: string };

export function ${name}_is_ready(ctx: FlowContext<${pascal(name)}Data>): boolean {
  return ctx.data.ready;
}

export async function ${name}_do_work(ctx: FlowContext<${pascal(name)}Data>): Promise<void> {
  ctx.log.info('working');
  ctx.data.done_at = new Date().toISOString();
}

export function ${name}_mark_ready(ctx: FlowContext<${pascal(name)}Data>): void {
  ctx.data.ready = true;
}
`,
    [`handlers/${name}.test.ts`]: `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFlowTestEnv, loadTestWorkspace, testState } from 'stepwise-workflows/testing';

const ws = await loadTestWorkspace(fileURLToPath(new URL('..', import.meta.url)));
const flow = ws.flow('${namespace}/${name}');

describe('${name}', () => {
  it('goes straight to work when ready', async () => {
    expect(await testState(flow, 'is_ready', { ready: true }, { handlers: ws.handlers })).toBeIn('do_work');
  });

  it('waits until marked ready, then completes', async () => {
    const { driver } = createFlowTestEnv([flow], { handlers: ws.handlers });
    const task = await driver.start(flow, {});
    expect(task).toBeWaitingUntil('wait_until_ready');
    expect(await driver.fireInteraction(task.id, 'mark_ready')).toBeCompleted();
  });

  it('expires when nobody marks it ready in time', async () => {
    const { driver, clock, storage } = createFlowTestEnv([flow], { handlers: ws.handlers });
    const task = await driver.start(flow, {});
    clock.advance(25 * 60 * 60 * 1000);
    await driver.runDue();
    expect(await storage.getTask(task.id)).toBeIn('expired');
  });
});
`,
  };
}

function pascal(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase());
}
