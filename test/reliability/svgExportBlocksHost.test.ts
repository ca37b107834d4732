/**
 * Attack (issue 12): SVG export blocked the host. `export.graph` with format svg ran GraphViz
 * (wasm) synchronously on the host's main thread without limits: an 800-step template made the
 * host unresponsive for more than 90 s (health checks, every client and the engine loop stalled)
 * and `stepwise graph --format svg` ran for more than 5 minutes. Now (core/export/svgOffThread.ts)
 * a graph over the node limit is refused at once with a message naming the limit and the way
 * around it, and GraphViz runs in a worker thread with a time budget, stopped when the client
 * goes away: the host keeps answering meanwhile.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, createWSClient, wsLink, type TRPCClient, type TRPCClientError } from '@trpc/client';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli.js';
import { startHost, type Host } from '../../core/host/host.js';
import type { AppRouter } from '../../core/host/protocol.js';
import { silentLogger } from '../../core/model/logger.js';
import { templateGraph } from '../../core/export/graphModel.js';
import { DEFAULT_SVG_LIMITS, dotToSvgOffThread, renderSvg } from '../../core/export/svgOffThread.js';
import { toDot } from '../../core/export/dot.js';
import { step, workflow } from '../fixtures/engine/harness.js';
import { scaled } from './scale.js';

/** A layered DAG: each step after the previous one and the one four back (GraphViz works for it). */
function dagYaml(name: string, n: number): string {
  const lines = [`name: ${name}`, 'namespace: big', 'version: 1.0.0', 'steps:'];
  for (let i = 0; i < n; i++) {
    const deps = i === 0 ? [] : [`s${i - 1}`, ...(i > 3 ? [`s${i - 4}`] : [])];
    lines.push(`  - { name: s${i}, handler: s${deps.length ? `, depends_on: [${deps.join(', ')}]` : ''} }`);
  }
  return lines.join('\n') + '\n';
}

function dagGraph(n: number) {
  const steps = Array.from({ length: n }, (_, i) => step(`s${i}`, i === 0 ? {} : { dependsOn: [`s${i - 1}`, ...(i > 3 ? [`s${i - 4}`] : [])] }));
  return templateGraph(workflow('dag', steps));
}

const code = (err: unknown) => ((err as TRPCClientError<AppRouter>).data as { stepwise?: { code?: string } } | undefined)?.stepwise?.code;

const dir = mkdtempSync(join(tmpdir(), 'stepwise-svg-'));
const ws = join(dir, 'ws');
// Under the node limit but slow enough to watch the host while GraphViz works (seconds).
const MID = scaled(480, 400);
let host: Host;
let api: TRPCClient<AppRouter>;
let closeClient = () => undefined as void;

beforeAll(async () => {
  mkdirSync(join(ws, 'templates'), { recursive: true });
  mkdirSync(join(ws, 'handlers'));
  writeFileSync(join(ws, 'handlers', 's.ts'), 'export const s = () => ({ ok: true });\n');
  writeFileSync(join(ws, 'templates', 'huge.yaml'), dagYaml('huge', 800));
  writeFileSync(join(ws, 'templates', 'mid.yaml'), dagYaml('mid', MID));
  host = await startHost({ workspace: ws, db: join(dir, 'db.sqlite'), logger: silentLogger() });
  const client = createWSClient({ url: `ws://127.0.0.1:${host.info.port}/trpc?token=${host.info.token}`, WebSocket: WebSocket as never });
  closeClient = () => client.close();
  api = createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
}, 120_000);

afterAll(async () => {
  closeClient();
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function health(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${host.info.port}/api/health`, { headers: { Authorization: `Bearer ${host.info.token}` } });
  expect(res.status).toBe(200);
  await res.text();
  return performance.now() - started;
}

describe('SVG export on the host', () => {
  it('refuses an 800-step template at once, naming the limit and the way around it', async () => {
    const started = performance.now();
    const err = await api.export.graph.query({ ref: 'big/huge@1.0.0', format: 'svg' }).catch((e: unknown) => e);
    expect(code(err)).toBe('GRAPH_TOO_LARGE');
    expect((err as Error).message).toMatch(/has 800 nodes, more than the \d+ an SVG export draws.*dot -Tsvg.*--max-nodes/);
    // Refused before GraphViz runs: far less than one GraphViz run of the graph (tens of seconds).
    expect(performance.now() - started).toBeLessThan(5_000);
    // DOT of the same graph is still exported.
    expect((await api.export.graph.query({ ref: 'big/huge@1.0.0', format: 'dot' })).text).toContain('digraph');
  });

  it('answers health checks while GraphViz draws a large graph', async () => {
    let done = false;
    const exported = api.export.graph.query({ ref: 'big/mid@1.0.0', format: 'svg' }).finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      latencies.push(await health());
      await new Promise((r) => setTimeout(r, 20));
    }
    const svg = await exported;
    expect(svg.text).toContain('<svg');
    // Before, the host answered nothing until GraphViz was done; now it answers throughout.
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(latencies.slice(1).filter((ms) => ms < 1000).length).toBeGreaterThanOrEqual(latencies.length - 2);
  });
});

describe('SVG rendering off the thread', () => {
  it('stops GraphViz past its time budget and when cancelled', async () => {
    const dot = toDot(dagGraph(MID));
    const t0 = performance.now();
    await expect(dotToSvgOffThread(dot, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/within 0\.2 s.*dot -Tsvg/) });
    const controller = new AbortController();
    const cancelled = dotToSvgOffThread(dot, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    // Both stopped well before GraphViz would have finished drawing the graph.
    expect(performance.now() - t0).toBeLessThan(DEFAULT_SVG_LIMITS.timeoutMs);
  });

  it('still draws small graphs and refuses bad DOT with GraphViz’s message', async () => {
    expect(await renderSvg(dagGraph(5))).toContain('<svg');
    await expect(dotToSvgOffThread('digraph { a -> }')).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/GraphViz could not render/) });
  });
});

describe('stepwise graph --format svg', () => {

  it('gives up on an 800-step template with one line naming --max-nodes, and draws it when asked to', async () => {
    const refused = await cli('graph', 'big/huge', '--workspace', ws, '--format', 'svg');
    expect(refused.code).toBe(1);
    expect(refused.err.split('\n')).toHaveLength(1);
    expect(refused.err).toMatch(/^error: GRAPH_TOO_LARGE: .*800 nodes.*--format dot.*--max-nodes/);
    const small = await cli('graph', 'big/mid', '--workspace', ws, '--format', 'svg', '--timeout', '0.2');
    expect(small.code).toBe(1);
    expect(small.err).toMatch(/^error: TIMEOUT: GraphViz did not finish drawing the SVG within 0\.2 s/);
  });
});
