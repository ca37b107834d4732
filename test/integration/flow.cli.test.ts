/** The flow CLI: `stepwise interact` accepts an interaction in the right state and refuses it elsewhere. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { createEngine } from '../../core/engine/engine.js';
import { openStorage } from '../../core/storage/index.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { loadWorkspace } from '../../core/template/workspace.js';

function captureIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), isTTY: false };
}

let dir: string;
const db = () => join(dir, '.stepwise', 'stepwise.db');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-flow-cli-'));
  mkdirSync(join(dir, 'flows'));
  mkdirSync(join(dir, 'handlers'));
  copyFileSync(fileURLToPath(new URL('../fixtures/flows/registration.yaml', import.meta.url)), join(dir, 'flows', 'registration.yaml'));
  writeFileSync(
    join(dir, 'handlers', 'registration.ts'),
    `export const email_given = (ctx: { data: { email?: string } }) => Boolean(ctx.data.email);
export function send_welcome(ctx: { data: Record<string, unknown> }) { ctx.data.welcomed = true; }
export function store_email(ctx: { data: Record<string, unknown> }, params: { email: string }) { ctx.data.email = params.email; }
`,
  );
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a registration flow in the workspace database; with background it stays in has_email. */
async function startFlow(background: boolean): Promise<string> {
  const workspace = await loadWorkspace(dir);
  expect(workspace.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const storage = await openStorage({ kind: 'sqlite', file: db() });
  const engine = createEngine({ storage, templates: createTemplateRegistry(workspace.templates), handlers: createHandlerRegistry(workspace.handlers), executor: 'inline' });
  const template = engine.context.templates.resolve('accounts/registration');
  if (template.kind !== 'flow') throw new Error('registration should be a flow');
  const task = background
    ? await engine.flows.create(template, { user_id: 42 }, { background: true })
    : await engine.flows.start(template, { user_id: 42 });
  await engine.close();
  await storage.close();
  return task.id;
}

describe('stepwise interact', () => {
  it('fires an accepted interaction, completes the flow and prints { task, transitions }', async () => {
    const id = await startFlow(false);
    const io = captureIO();
    const code = await main(['interact', id, 'provide_email', '--params', '{"email":"a@example.com"}', '--workspace', dir, '--json'], io);
    expect(io.stderr.join('')).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(io.stdout.join(''));
    expect(out.task).toMatchObject({ id, status: 'complete', current_state: 'done', data: { user_id: 42, email: 'a@example.com', welcomed: true }, wake_at: null });
    expect(out.task.timeout_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(out.transitions.map((t: { reason: string }) => t.reason)).toContain('interaction.fired');
  });

  it('refuses the interaction in another state with exit 1 and changes nothing', async () => {
    const id = await startFlow(true);
    const io = captureIO();
    const code = await main(['interact', id, 'provide_email', '--params', '{"email":"a@example.com"}', '--workspace', dir], io);
    expect(code).toBe(1);
    expect(io.stderr.join('')).toContain('INVALID_STATE: provide_email cannot be called in has_email. It is accepted in: wait_for_email.');
    const storage = await openStorage({ kind: 'sqlite', file: db() });
    expect(await storage.getTask(id)).toMatchObject({ status: 'waiting', currentState: 'has_email', version: 1 });
    await storage.close();
  });

  it('prints the flow for people, and refuses bad JSON params', async () => {
    const id = await startFlow(false);
    const io = captureIO();
    expect(await main(['interact', id, 'provide_email', '--params', '{"email":"b@example.com"}', '--workspace', dir], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain('provide_email accepted.');
    expect(text).toMatch(/status\s+complete\b/);
    expect(text).toMatch(/state\s+done/);
    const bad = captureIO();
    expect(await main(['interact', id, 'provide_email', '--params', '{nope', '--workspace', dir], bad)).toBe(1);
    expect(bad.stderr.join('')).toContain('--params is not valid JSON');
  });

  it('with --no-run records the interaction and leaves the flow due now for a runner', async () => {
    const id = await startFlow(false);
    const io = captureIO();
    expect(await main(['interact', id, 'provide_email', '--params', '{"email":"c@example.com"}', '--no-run', '--workspace', dir, '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout.join(''));
    expect(out.task).toMatchObject({ status: 'waiting', current_state: 'wait_for_email', data: { email: 'c@example.com' } });
    expect(Date.parse(out.task.wake_at)).toBeLessThanOrEqual(Date.now());
  });
});

describe('stepwise start --later (the operations gem\'s `later`)', () => {
  it('creates the flow waiting in its start state, due now; a wake runs its first state', async () => {
    const io = captureIO();
    expect(await main(['start', 'accounts/registration', '--later', '--input', '{"user_id":42}', '--workspace', dir, '--json'], io)).toBe(0);
    const { task } = JSON.parse(io.stdout.join(''));
    expect(task.status).toBe('waiting');
    const storage = await openStorage({ kind: 'sqlite', file: db() });
    const stored = (await storage.getTask(task.id))!;
    expect(stored).toMatchObject({ status: 'waiting', currentState: 'has_email', data: { user_id: 42 } });
    expect(stored.wakeAt).toBeLessThanOrEqual(Date.now());
    expect(await storage.listAttempts(task.id)).toEqual([]);
    await storage.close();

    const woken = captureIO();
    // Exit 3: the flow ran its first state and now waits for the email.
    expect(await main(['wake', task.id, '--workspace', dir, '--json'], woken)).toBe(3);
    expect(JSON.parse(woken.stdout.join('')).task).toMatchObject({ status: 'waiting', current_state: 'wait_for_email' });
  });

  it('without --later the flow is not created waiting', async () => {
    const io = captureIO();
    expect(await main(['start', 'accounts/registration', '--input', '{"user_id":42}', '--workspace', dir, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.join('')).task.status).not.toBe('waiting');
  });
});

describe('stepwise tasks --participant', () => {
  it('lists the flows concerning a record', async () => {
    const id = await startFlow(false);
    const io = captureIO();
    expect(await main(['tasks', '--participant', 'user_id:42', '--workspace', dir, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.join('')).tasks.map((t: { id: string }) => t.id)).toEqual([id]);
    const none = captureIO();
    expect(await main(['tasks', '--participant', 'user_id:7', '--workspace', dir, '--json'], none)).toBe(0);
    expect(JSON.parse(none.stdout.join('')).tasks).toEqual([]);
  });
});

describe('the example onboarding flow (resources/examples)', () => {
  it('run ends waiting (exit 3), interact completes it (exit 0)', async () => {
    const examples = fileURLToPath(new URL('../../resources/examples', import.meta.url));
    const dbFile = join(dir, 'examples.db');
    const run = captureIO();
    expect(await main(['run', 'user_onboarding', '--workspace', examples, '--db', dbFile, '--input', '{"user_id":42}', '--json'], run)).toBe(3);
    const started = JSON.parse(run.stdout.join(''));
    expect(started.task).toMatchObject({ status: 'waiting', current_state: 'ask_for_email', participants: ['user_id:42'] });
    expect(started.task.wake_at).not.toBeNull();
    expect(started.task.timeout_at).not.toBeNull();

    const refused = captureIO();
    expect(await main(['interact', started.task.id, 'provide_email', '--params', '{"email":"not-an-email"}', '--workspace', examples, '--db', dbFile], refused)).toBe(1);
    expect(refused.stderr.join('')).toContain('INPUT_INVALID');

    const done = captureIO();
    expect(await main(['interact', started.task.id, 'provide_email', '--params', '{"email":"ada@example.com"}', '--workspace', examples, '--db', dbFile, '--json'], done)).toBe(0);
    expect(JSON.parse(done.stdout.join('')).task).toMatchObject({ status: 'complete', current_state: 'done', data: { email: 'ada@example.com' } });
  });
});
