/**
 * The workbench protocol end to end over a real host (engine loop, file watcher) with the typed
 * tRPC client: queries, startTask validation, live events that resume after a reconnect without
 * gaps or duplicates, events from another process, workspace reloads and the cluster view. On the
 * workspace's SQLite file, and in the `postgres` vitest project on a PostgreSQL database of its
 * own (`stepwise serve --db postgres://… --engine`).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTRPCClient, createWSClient, wsLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StepwiseEvent } from '../../core/model/events.js';
import { startHost, type Host } from '../../core/host/host.js';
import type { AppRouter } from '../../core/host/router.js';
import { createEngine } from '../../core/engine/engine.js';
import { redactUrl } from '../../core/storage/postgres/pool.js';
import { openStorage, storageConfigOf } from '../../core/storage/index.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { loadWorkspace } from '../../core/template/workspace.js';
import { FIXTURE_WORKSPACE, until } from './host.fixtures.js';
import { silentLogger } from '../../core/model/logger.js';
import { testDatabase } from '../fixtures/storage/testStorage.js';

let dir: string;
let host: Host;
/** The database the host opened: the workspace's SQLite file, or a PostgreSQL URL (the `postgres` project). */
let db: string;
let database: Awaited<ReturnType<typeof testDatabase>> | null = null;
const onPostgres = () => storageConfigOf(db).kind === 'postgres';
const clients: Array<{ close: () => void }> = [];

function client(): TRPCClient<AppRouter> {
  const ws = createWSClient({ url: `ws://127.0.0.1:${host.info.port}/trpc?token=${host.info.token}`, WebSocket: WebSocket as never });
  clients.push(ws);
  return createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
}


beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stepwise-host-'));
  cpSync(FIXTURE_WORKSPACE, dir, { recursive: true });
  database = await testDatabase(path.join(dir, '.stepwise', 'stepwise.db'));
  // On SQLite the host's default (the workspace's file); on PostgreSQL a host runs no engine unless asked.
  const pg = storageConfigOf(database.db).kind === 'postgres';
  host = await startHost({ workspace: dir, logger: silentLogger(), ...(pg ? { db: database.db, runEngine: true } : {}) });
  db = database.db;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await host?.close();
  await database?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('startHost', () => {
  it('listens on loopback with a fresh token and keeps its database in the workspace (SQLite) or at the URL given', () => {
    expect(host.info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.info.token.length).toBeGreaterThanOrEqual(32);
    expect(host.info.openUrl).toBe(`${host.info.url}/?token=${host.info.token}`);
    const file = path.join(dir, '.stepwise', 'stepwise.db');
    if (onPostgres()) {
      expect(host.info.database).toBe(redactUrl(db));
      expect(existsSync(file)).toBe(false);
    } else {
      expect(host.info.database).toBe(file);
      expect(existsSync(file)).toBe(true);
    }
  });
});

describe('layouts', () => {
  it('lays a graph out once and serves it from the cache next to the database to every client', async () => {
    const request = {
      direction: 'RIGHT' as const,
      nodes: [['a', 180, 56, 0], ['b', 180, 56, 1], ['c', 180, 56, 0]] as Array<[string, number, number, 0 | 1]>,
      edges: [['a->b', 0, 1, null], ['b->c', 1, 2, 'yes']] as Array<[string, number, number, string | null]>,
    };
    const first = await client().layout.query(request);
    expect(first.source).toBe('computed');
    expect(first.result.engine).toBe('elk');
    expect(Object.keys(first.result.positions).sort()).toEqual(['a', 'b', 'c']);
    expect(existsSync(path.join(dir, '.stepwise', 'layouts', `${first.key}.json`))).toBe(true);
    const again = await client().layout.query(request);
    expect(again.source).toBe('memory');
    expect(again.result).toEqual(first.result);
  });

  it('refuses an edge to a node the request does not have, and a request over the size limit', async () => {
    const api = client();
    const bad = { direction: 'DOWN' as const, nodes: [['a', 180, 56, 0]] as Array<[string, number, number, 0 | 1]>, edges: [['a->x', 0, 5, null]] as Array<[string, number, number, string | null]> };
    await expect(api.layout.query(bad)).rejects.toMatchObject({ data: { stepwise: { code: 'INPUT_INVALID' } } });
    const huge = { direction: 'DOWN' as const, nodes: Array.from({ length: 20_001 }, (_, i) => [`n${i}`, 10, 10, 0]) as Array<[string, number, number, 0 | 1]>, edges: [] };
    await expect(api.layout.query(huge)).rejects.toMatchObject({ data: { stepwise: { code: 'INPUT_INVALID' } } });
  });
});

describe('queries and startTask', () => {
  it('lists templates and draws their graphs', async () => {
    const api = client();
    const templates = await api.templates.query();
    expect(templates.map((t) => [t.ref, t.valid, t.nodeCount])).toEqual([['testing/pipeline@1.0.0', true, 4]]);
    const { graph } = await api.templateGraph.query({ ref: 'testing/pipeline@1.0.0' });
    expect(graph.nodes.map((n) => n.id)).toEqual(['fetch', 'parse', 'audit', 'publish']);
    expect(graph.edges).toHaveLength(4);
  });

  it('refuses an input that fails the template schema, and stores nothing', async () => {
    const api = client();
    const before = await api.tasks.query({});
    const error = await api.startTask.mutate({ ref: 'testing/pipeline@1.0.0', input: { source: 42 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<AppRouter>).data as { code: string; stepwise: { code: string } };
    expect(data.code).toBe('BAD_REQUEST');
    expect(data.stepwise.code).toBe('INPUT_INVALID');
    expect((await api.tasks.query({})).total).toBe(before.total);
  });

  it('runs a started task to the end and reports steps, attempts and transitions', async () => {
    const api = client();
    const task = await api.startTask.mutate({ ref: 'testing/pipeline@1.0.0', input: { source: 'abc' } });
    const detail = await until(() => api.task.query({ id: task.id }), (d) => d.task.status === 'complete', 'the task to complete');
    expect(detail.steps.map((s) => s.state)).toEqual(['complete', 'complete', 'complete', 'complete']);
    const step = await api.stepDetail.query({ taskId: task.id, stepName: 'fetch' });
    expect(step.attempts).toHaveLength(1);
    expect(step.attempts[0]!.outcome).toBe('success');
    expect(step.transitions.map((t) => t.to)).toContain('complete');
    const runtime = await api.runtimeGraph.query({ taskId: task.id });
    expect(runtime.graph.nodes.every((n) => n.state === 'complete')).toBe(true);
    const page = await api.tasks.query({ templateRef: 'testing/pipeline@1.0.0', status: ['complete'] });
    expect(page.tasks.map((t) => t.id)).toContain(task.id);
  });

  it('shows a failing step as error', async () => {
    const api = client();
    const task = await api.startTask.mutate({ ref: 'testing/pipeline@1.0.0', input: { source: 'x', fail_audit: true } });
    const detail = await until(() => api.task.query({ id: task.id }), (d) => d.task.status === 'error', 'the task to fail');
    const audit = detail.steps.find((s) => s.name === 'audit')!;
    expect(audit.state).toBe('error');
    expect(audit.error?.message).toContain('audit refused the batch');
  });
});

describe('onEvents', () => {
  function collect(api: TRPCClient<AppRouter>, input: { fromSeq?: number; lastEventId?: string }, into: StepwiseEvent[]) {
    return api.onEvents.subscribe(input, { onData: (e) => void into.push(e.data as StepwiseEvent) });
  }

  it('resumes after a reconnect from the last event seen, without gaps or duplicates', async () => {
    const api = client();
    const from = (await api.eventCursor.query()).seq;
    const first: StepwiseEvent[] = [];
    const sub = collect(api, { fromSeq: from }, first);
    const a = await api.startTask.mutate({ ref: 'testing/pipeline@1.0.0', input: { source: 'one' } });
    await until(async () => first.length, (n) => n >= 3, 'some events');
    sub.unsubscribe();
    const lastSeen = first[first.length - 1]!.seq;
    // Work goes on while nobody listens.
    const b = await api.startTask.mutate({ ref: 'testing/pipeline@1.0.0', input: { source: 'two' } });
    await until(() => api.task.query({ id: b.id }), (d) => d.task.status === 'complete', 'task b');
    await until(() => api.task.query({ id: a.id }), (d) => d.task.status === 'complete', 'task a');

    const second: StepwiseEvent[] = [];
    const again = collect(client(), { lastEventId: String(lastSeen) }, second);
    const end = (await api.eventCursor.query()).seq;
    await until(async () => second[second.length - 1]?.seq ?? 0, (s) => s >= end, 'the resumed stream to catch up');
    again.unsubscribe();

    const seqs = [...first, ...second].map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    // Every stored event once, in order. PostgreSQL's seqs may have gaps (a refused commit's), SQLite's none.
    const stored = await host.services.storage.readEvents(from, 10_000);
    expect(stored.map((e) => e.seq)).toEqual(seqs);
    expect(seqs[seqs.length - 1]).toBe(end);
    if (!onPostgres()) expect(seqs).toEqual(Array.from({ length: end - from }, (_, i) => from + 1 + i));
  });

  it('delivers events another process commits to the same database', async () => {
    const api = client();
    const from = (await api.eventCursor.query()).seq;
    const seen: StepwiseEvent[] = [];
    const sub = collect(api, { fromSeq: from }, seen);
    const ws = await loadWorkspace(dir);
    const storage = await openStorage(storageConfigOf(db));
    const other = createEngine({ storage, templates: createTemplateRegistry(ws.templates), handlers: createHandlerRegistry(ws.handlers), executor: 'inline' });
    const task = await other.start('testing/pipeline', { source: 'elsewhere' });
    await other.runUntilIdle({ taskId: task.id });
    await other.close();
    await storage.close();
    await until(async () => seen.filter((e) => e.taskId === task.id && e.type === 'task.status_changed').map((e) => e.payload), (p) => p.some((x) => (x as { to: string }).to === 'complete'), 'events of the other process');
    sub.unsubscribe();
  });
});

describe('workspace reloads', () => {
  it('announces a change and serves the new template, and problems of a broken one', async () => {
    const api = client();
    const changes: Array<{ files: string[]; templateCount: number }> = [];
    // The host acknowledges a subscription ('started') only once its listener is registered; a
    // file written before that could be missed, a fixed sleep only makes it unlikely.
    let started!: () => void;
    const active = new Promise<void>((resolve) => (started = resolve));
    const sub = api.onWorkspaceChanged.subscribe(undefined, { onStarted: () => started(), onData: (c) => void changes.push(c) });
    await active;
    writeFileSync(
      path.join(dir, 'templates', 'extra.yaml'),
      'name: extra\nnamespace: testing\nversion: 1.0.0\nsteps:\n  - { name: only, handler: fetch }\n',
    );
    await until(async () => changes.length, (n) => n >= 1, 'a workspace change', 20_000);
    expect(changes[0]!.files).toContain(path.join('templates', 'extra.yaml'));
    expect((await api.templates.query()).map((t) => t.ref)).toContain('testing/extra@1.0.0');

    writeFileSync(path.join(dir, 'templates', 'extra.yaml'), 'name: extra\nnamespace: testing\nversion: 1.0.0\nsteps:\n  - { name: only, handler: fetch, depends_on: [ghost] }\n');
    const broken = await until(
      () => api.templates.query(),
      (ts) => ts.some((t) => t.ref === 'testing/extra@1.0.0' && !t.valid),
      'the broken template to be reported',
      20_000,
    );
    const extra = broken.find((t) => t.ref === 'testing/extra@1.0.0')!;
    expect(extra.problems[0]!.text).toMatch(/extra\.yaml:\d+:\d+: UNKNOWN_DEPENDENCY/);
    expect(broken.find((t) => t.ref === 'testing/pipeline@1.0.0')!.valid).toBe(true);
    sub.unsubscribe();
  });
});

describe('cluster', () => {
  it("shows the host's own engine alive and marked as its own, and another engine that stopped beating as gone", async () => {
    const api = client();
    const own = await until(() => api.cluster.view.query(), (v) => v.engines.length > 0, "the host engine's heartbeat");
    expect(own.storage).toBe(onPostgres() ? 'postgres' : 'sqlite');
    expect(own.self).not.toBeNull();
    expect(own.engines).toMatchObject([{ heartbeat: { owner: own.self, kind: 'host', pid: process.pid }, status: 'alive' }]);
    const other = await openStorage(storageConfigOf(db));
    try {
      await other.beat({ owner: 'elsewhere:1', pid: 1, at: Date.now() - 60_000, kind: 'runner', host: 'elsewhere', startedAt: Date.now() - 120_000, version: '0.0.1', everyMs: 5000 });
      const v = await api.cluster.view.query();
      expect(v.engines.map((e) => [e.heartbeat.owner, e.status])).toEqual([
        [own.self, 'alive'],
        ['elsewhere:1', 'gone'],
      ]);
      expect(v.engines[1]!.silentMs).toBeGreaterThanOrEqual(60_000);
      // Filtered on the server: by status, by engine.
      expect((await api.cluster.view.query({ status: 'gone' })).engines.map((e) => e.heartbeat.owner)).toEqual(['elsewhere:1']);
      const mine = await api.cluster.view.query({ owner: own.self! });
      expect(mine.engines.map((e) => e.heartbeat.owner)).toEqual([own.self]);
      expect(mine.totals).toEqual({ alive: 1, gone: 1 });
      expect(mine.owners).toEqual([own.self, 'elsewhere:1'].sort());
      expect((await api.cluster.view.query({ task: 'no-such-task' })).engines).toEqual([]);
      await expect(api.cluster.view.query({ status: 'sleeping' } as never)).rejects.toThrow();
    } finally {
      await other.removeHeartbeat('elsewhere:1');
      await other.close();
    }
  });
});
