/**
 * The workbench on a cluster: a private PostgreSQL, two `stepwise runner` processes and
 * `stepwise serve --db postgres://…` (which runs no engine there). The cluster view shows both
 * runners alive with the steps each runs; the task view shows a task's steps whichever runner ran
 * them; a retry made in the workbench is executed by a runner; the view filters by engine,
 * status and task id. Screenshots go to
 * $STEPWISE_E2E_SHOTS when set (1400×900).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client';
import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import type { AppRouter } from '../../core/host/router.js';
import { createDatabase, startPostgres, type PostgresServer } from '../fixtures/postgres/server.js';
import { node, waitForGraph } from './debuggerHelpers.js';
import { startRunner, type RunnerHandle } from './runnerProcess.js';
import { startServe, tempWorkspace, type ServeHandle } from './serveProcess.js';

test.describe.configure({ mode: 'serial' });

const REF = 'cluster/spread@1.0.0';
/** Six slow independent steps (more than a runner's 4 slots: one task fills a runner) and a gate that fails until a file exists. */
const TEMPLATE = `name: spread
namespace: cluster
version: 1.0.0
description: Slow independent steps, then a gate that opens when a file exists.
input_schema: { type: object, required: [flag], properties: { flag: { type: string } } }
steps:
${[1, 2, 3, 4, 5, 6].map((i) => `  - { name: part_${i}, handler: slow_part }`).join('\n')}
  - name: gate
    handler: gate
    depends_on: [${[1, 2, 3, 4, 5, 6].map((i) => `part_${i}`).join(', ')}]
    retry: { retryable: false, max_attempts: 1 }
`;
const HANDLERS = `import { existsSync } from 'node:fs';
export async function slow_part(ctx: { input: { ms?: number } }) {
  await new Promise((r) => setTimeout(r, ctx.input.ms ?? 2500));
  return { pid: process.pid };
}
export function gate(ctx: { input: { flag: string } }) {
  if (!existsSync(ctx.input.flag)) throw new Error('The gate is closed: ' + ctx.input.flag + ' does not exist yet.');
  return { pid: process.pid };
}
`;

let server: PostgresServer;
let ws: ReturnType<typeof tempWorkspace>;
let serve: ServeHandle;
let runners: RunnerHandle[] = [];
let wsClient: ReturnType<typeof createWSClient>;
let api: TRPCClient<AppRouter>;
let flag: string;
const taskIds: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startPostgres({ durability: 'off' });
  const url = await createDatabase(server.url, 'stepwise_e2e_cluster');
  ws = tempWorkspace('stepwise-e2e-cluster-');
  mkdirSync(path.join(ws.dir, 'templates/cluster'), { recursive: true });
  writeFileSync(path.join(ws.dir, 'templates/cluster/spread.yaml'), TEMPLATE);
  writeFileSync(path.join(ws.dir, 'handlers/cluster.ts'), HANDLERS);
  flag = path.join(ws.dir, 'gate-open');
  serve = await startServe({ workspace: ws.dir, db: url, args: ['--no-watch'] });
  runners = await Promise.all([0, 1].map(() => startRunner({ workspace: ws.dir, db: url, args: ['--poll-ms', '250'] })));
  wsClient = createWSClient({ url: `ws://127.0.0.1:${serve.info.port}/trpc?token=${serve.info.token}`, WebSocket: WebSocket as never });
  api = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
});

test.afterAll(async () => {
  wsClient?.close();
  await Promise.all(runners.map((r) => r.stop()));
  await serve?.stop();
  await server?.stop();
  ws?.cleanup();
});

async function open(page: Page, hash: string): Promise<void> {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`${serve.info.url}/?token=${encodeURIComponent(serve.info.token)}${hash}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'open');
}

async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.STEPWISE_E2E_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name) });
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('the cluster view shows both runners alive, live, with the steps each runs', async ({ page }) => {
  await open(page, '#/cluster');
  const engines = page.getByTestId('cluster-engine');
  await expect(engines).toHaveCount(2);
  for (const r of runners) await expect(page.locator(`[data-testid="cluster-engine"][data-owner="${r.owner}"]`)).toHaveAttribute('data-status', 'alive');
  await expect(page.getByTestId('cluster-self')).toContainText('runs no engine');
  await expect(page.getByTestId('cluster-summary')).toContainText('2 engines alive · postgres');

  // Two tasks, each filling one runner's slots: both runners show running steps, live (no reload).
  for (let i = 0; i < 2; i++) taskIds.push((await api.startTask.mutate({ ref: REF, input: { flag } })).id);
  for (const r of runners) {
    await expect(page.locator(`[data-testid="cluster-engine"][data-owner="${r.owner}"] [data-testid="cluster-hold"]`).first()).toBeVisible({ timeout: 30_000 });
  }
  await shot(page, 'cluster-view-two-runners.png');
  expect(await seriousViolations(page)).toEqual([]);

  // Each task's parts ran on one runner, and the two tasks on different runners.
  for (const id of taskIds) await expect.poll(async () => (await api.task.query({ id })).task.status, { timeout: 60_000 }).toBe('error');
  const pidsOf = async (id: string) => new Set((await api.task.query({ id })).steps.filter((s) => s.name.startsWith('part_')).map((s) => (s.results as { pid: number }).pid));
  const used = new Set([...(await pidsOf(taskIds[0]!)), ...(await pidsOf(taskIds[1]!))]);
  expect([...used].sort()).toEqual(runners.map((r) => r.pid).sort());
  // Idle again: nothing held once the tasks stopped.
  await expect(page.getByTestId('cluster-hold')).toHaveCount(0, { timeout: 20_000 });
});

test('a task run by the runners shows its steps, and a retry from the workbench runs on a runner', async ({ page }) => {
  const id = taskIds[0]!;
  await open(page, `#/task/${encodeURIComponent(id)}`);
  await waitForGraph(page);
  for (let i = 1; i <= 6; i++) await expect(node(page, `part_${i}`)).toHaveAttribute('data-state', 'complete');
  await expect(node(page, 'gate')).toHaveAttribute('data-state', 'error');
  await node(page, 'gate').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-error')).toContainText('The gate is closed');
  await shot(page, 'cluster-task-failed-gate.png');

  writeFileSync(flag, 'open');
  await inspector.getByRole('button', { name: 'Retry step' }).click();
  const dialog = page.getByTestId('op-dialog');
  await expect(dialog.getByTestId('op-preview')).toHaveAttribute('data-loaded', 'true');
  await dialog.getByLabel('Reason (kept in the history)').fill('gate opened');
  await dialog.getByRole('button', { name: 'Confirm retry step' }).click();
  // The workbench runs no engine: a runner picks the retry up, and the page follows it live.
  await expect(node(page, 'gate')).toHaveAttribute('data-state', 'complete', { timeout: 30_000 });
  const detail = await api.task.query({ id });
  expect(detail.task.status).toBe('complete');
  const gate = detail.steps.find((s) => s.name === 'gate')!;
  expect(runners.map((r) => r.pid)).toContain((gate.results as { pid: number }).pid);
  expect(gate.attempts).toBe(2);
  await shot(page, 'cluster-task-retried.png');
});

test('the cluster view filters by engine, by status and by task id', async ({ page }) => {
  test.setTimeout(120_000);
  // Slow parts this time (20 s): both runners hold steps for the whole test.
  const held: string[] = [];
  for (let i = 0; i < 2; i++) held.push((await api.startTask.mutate({ ref: REF, input: { flag, ms: 20_000 } })).id);
  await open(page, '#/cluster');
  const engines = page.getByTestId('cluster-engine');
  const card = (owner: string) => page.locator(`[data-testid="cluster-engine"][data-owner="${owner}"]`);
  for (const r of runners) await expect(card(r.owner).getByTestId('cluster-hold').first()).toBeVisible({ timeout: 30_000 });
  const [a, b] = runners as [RunnerHandle, RunnerHandle];

  await page.getByTestId('cluster-filter-engine').selectOption(a.owner);
  await expect(engines).toHaveCount(1);
  await expect(card(a.owner)).toBeVisible();
  await expect(page.getByTestId('cluster-summary')).toContainText('2 engines alive');
  await page.getByTestId('cluster-filter-status').selectOption('gone');
  await expect(engines).toHaveCount(0);
  await expect(page.getByTestId('cluster-no-match')).toHaveText('No engine matches the filter.');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(engines).toHaveCount(2);

  // Part of a task id, as the view shows it (any case): only the engine running that task, only its rows.
  const id = held[0]!;
  await page.getByTestId('cluster-filter-task').fill(id.slice(-8).toUpperCase());
  await expect(engines).toHaveCount(1);
  await expect.poll(async () => [...new Set(await page.getByTestId('cluster-hold').getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('title'))))]).toEqual([`Open task ${id}`]);
  const runnerOf = (await engines.getAttribute('data-owner'))!;
  expect([a.owner, b.owner]).toContain(runnerOf);
  await shot(page, 'cluster-view-filtered.png');
  expect(await seriousViolations(page)).toEqual([]);
  // The other engine with this search: nothing.
  await page.getByTestId('cluster-filter-engine').selectOption(runnerOf === a.owner ? b.owner : a.owner);
  await expect(engines).toHaveCount(0);
  await expect(page.getByTestId('cluster-no-match')).toContainText(`No engine holds a task whose id contains “${id.slice(-8).toUpperCase()}” among the engines chosen.`);
  // Let the runners go: the slow tasks are cancelled (their running parts are aborted).
  for (const t of held) {
    // A runner may commit between the read and the cancel (STALE): read again and retry.
    await expect(async () => {
      const { task } = await api.task.query({ id: t });
      await api.ops.perform.mutate({ request: { op: 'cancelTask', taskId: t }, expectedVersion: task.version, reason: 'end of the filter test' });
    }).toPass({ timeout: 20_000 });
  }
});
