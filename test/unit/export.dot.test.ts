import { describe, expect, it } from 'vitest';
import { dotString, toDot } from '../../core/export/dot.js';
import { templateGraph, type TemplateGraph } from '../../core/export/graphModel.js';
import { runtimeGraph } from '../../core/export/runtimeGraph.js';
import { DOT_SHAPES, STATE_STYLES } from '../../core/export/style.js';
import { checkDot, graphviz, toSvg } from '../../core/export/svg.js';
import * as fx from '../fixtures/export/templates.js';
import { move, stepRecord, worker } from '../fixtures/export/records.js';
import type { Template } from '../../core/model/template.js';

interface Parsed {
  nodes: Array<{ name: string; shape?: string; fillcolor?: string; label?: string }>;
  edges: Array<{ tail: number; head: number; label?: string }>;
}

/** GraphViz's own reading of our DOT (fails the test if GraphViz rejects it). */
async function parse(dot: string): Promise<Parsed> {
  const check = await checkDot(dot);
  expect(check.errors).toEqual([]);
  expect(check.ok).toBe(true);
  const json = (await graphviz()).renderJSON(dot) as { objects?: Parsed['nodes']; edges?: Parsed['edges'] };
  return { nodes: json.objects ?? [], edges: json.edges ?? [] };
}

const templates: Template[] = [
  fx.linear,
  fx.diamond,
  fx.tree,
  fx.orderFulfillment,
  fx.batch,
  fx.waitAndSubtask,
  fx.onboarding,
  fx.routing,
  fx.hostileWorkflow,
  fx.hostileFlow,
];

describe('toDot is valid GraphViz for every template shape', () => {
  it.each(templates.map((t) => [t.name, t] as const))('%s', async (_name, template) => {
    const graph = templateGraph(template);
    const parsed = await parse(toDot(graph));
    const startPoint = graph.nodes.some((n) => n.start) ? 1 : 0;
    // A quoting bug merges or splits nodes: GraphViz must see exactly our nodes and edges.
    expect(parsed.nodes).toHaveLength(graph.nodes.length + startPoint);
    expect(parsed.edges).toHaveLength(graph.edges.length + startPoint);
    const shapes = parsed.nodes.slice(startPoint).map((n) => n.shape);
    expect(shapes).toEqual(graph.nodes.map((n) => DOT_SHAPES[n.type].shape));
  });
});

describe('toDot', () => {
  it('is byte-for-byte stable', () => {
    for (const t of templates) expect(toDot(templateGraph(t))).toBe(toDot(templateGraph(t)));
  });

  it('uses one shape per type', () => {
    const dot = toDot(templateGraph(fx.batch)) + toDot(templateGraph(fx.onboarding)) + toDot(templateGraph(fx.waitAndSubtask));
    for (const shape of ['box3d', 'component', 'invtrapezium', 'diamond', 'doublecircle', 'hexagon', 'cds', 'tab']) {
      expect(dot).toContain(`shape="${shape}"`);
    }
    expect(dot).toContain('"send_welcome" [label="send_welcome", shape="box", style="rounded,filled"');
  });

  it('labels conditional edges, numbering ordered branches', () => {
    expect(toDot(templateGraph(fx.onboarding))).toContain('"check_email" -> "ask_for_email" [label="not has_email"];');
    const routing = toDot(templateGraph(fx.routing));
    expect(routing).toContain('"route" -> "vip" [label="1. is_vip"];');
    expect(routing).toContain('"route" -> "normal" [label="3. otherwise"];');
  });

  it('sorts attributes by name', () => {
    for (const line of toDot(templateGraph(fx.hostileFlow)).split('\n')) {
      const keys = [...line.matchAll(/(?:\[|, )([a-z]+)=/g)].map((m) => m[1]!);
      expect(keys).toEqual([...keys].sort());
    }
  });

  it('escapes quotes, backslashes and line breaks', () => {
    expect(dotString('say "hi"')).toBe('"say \\"hi\\""');
    expect(dotString('a\\')).toBe('"a\\\\"');
    expect(dotString('a\nb\r\nc')).toBe('"a\\nb\\nc"');
    expect(dotString('')).toBe('""');
  });

  it('draws hostile names as written', async () => {
    const svg = await toSvg(templateGraph(fx.hostileWorkflow));
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]!));
    for (const name of ['say "hi"', 'back\\slash', 'trailing\\', 'ünïcödé → 日本語 ✓', '<html> & #35; |pipe|', 'node', 'graph', 'edge', '-> --> -.->']) {
      expect(texts).toContain(name);
    }
    // A newline in a name becomes a line break, not a literal "\n".
    expect(texts).toContain('multi');
    expect(texts).toContain('line');
  });
});

function decode(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('runtime colours', () => {
  const steps = [
    stepRecord('list_files', 'complete'),
    stepRecord('split', 'complete', ['list_files'], { type: 'batchable' }),
    worker('import_batch', 0, 'complete', 'split'),
    worker('import_batch', 1, 'error', 'split'),
    worker('import_batch', 2, 'running', 'split'),
    stepRecord('summarise', 'pending', ['import_batch']),
  ];
  const graph = runtimeGraph(fx.batch, steps);

  it('fills each node by state and writes the state in the label', async () => {
    const parsed = await parse(toDot(graph));
    const byName = Object.fromEntries(parsed.nodes.map((n) => [n.name, n]));
    expect(byName['import_batch#1']!.fillcolor).toBe(STATE_STYLES.error.fill);
    expect(byName['import_batch#2']!.fillcolor).toBe(STATE_STYLES.running.fill);
    expect(byName.summarise!.fillcolor).toBe(STATE_STYLES.pending.fill);
    expect(toDot(graph)).toContain('label="import_batch#1\\n✗ error"');
  });

  it('marks dynamic workers dashed', () => {
    expect(toDot(graph)).toMatch(/"import_batch#0" \[[^\]]*style="filled,dashed"/);
  });

  it('takes per-node states from options over the graph', () => {
    const dot = toDot(templateGraph(fx.linear), { states: { b: 'waiting_for_retry' } });
    expect(dot).toContain(`"b" [color="${STATE_STYLES.waiting_for_retry.stroke}", fillcolor="${STATE_STYLES.waiting_for_retry.fill}", label="b\\n↻ waiting for retry"`);
    expect(dot).toContain('"a" [label="a", shape="box", style="filled"');
  });

  it('highlights the current flow state and the edges taken', async () => {
    const g: TemplateGraph = runtimeGraph(fx.onboarding, { id: 'flow-1', status: 'waiting', currentState: 'ask_for_email' }, [
      move(null, 'check_email', 1),
      move('check_email', 'ask_for_email', 2),
    ]);
    const dot = toDot(g);
    await parse(dot);
    expect(dot).toMatch(/"ask_for_email" \[[^\]]*label="ask_for_email\\n‖ waiting\\n\(current\)", penwidth="3"[^\]]*style="filled,bold"/);
    expect(dot).toContain('"check_email" -> "ask_for_email" [label="not has_email", penwidth="2"];');
    expect(dot).toContain('label="test/user_onboarding@1.0.0 — task flow-1"');
    expect(toDot(g, { current: 'done' })).toContain('label="done\\n(current)"');
  });
});
