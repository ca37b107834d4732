/** Every template of the bundled example workspace exports to DOT GraphViz accepts, stably. */
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../core/template/workspace.js';
import { templateGraph } from '../../core/export/graphModel.js';
import { toDot } from '../../core/export/dot.js';
import { toMermaid } from '../../core/export/mermaid.js';
import { checkDot } from '../../core/export/svg.js';
import { templateRef } from '../../core/model/template.js';

const workspace = await loadWorkspace('resources/examples');

describe('example workspace exports', () => {
  it('has templates to draw', () => {
    expect(workspace.templates.length).toBeGreaterThan(0);
  });
  it.each(workspace.templates.map((t) => [templateRef(t), t] as const))('%s', async (_ref, template) => {
    const graph = templateGraph(template);
    const dot = toDot(graph);
    const check = await checkDot(dot);
    expect(check.errors).toEqual([]);
    expect(check.ok).toBe(true);
    expect(toDot(templateGraph(template))).toBe(dot);
    expect(toMermaid(templateGraph(template))).toBe(toMermaid(graph));
    // Every declared step/state is drawn, and every edge ends at a drawn node.
    const ids = new Set(graph.nodes.map((n) => n.id));
    const declared = template.kind === 'workflow' ? template.steps.map((s) => s.name) : template.states.map((s) => s.name);
    for (const name of declared) expect(ids.has(name)).toBe(true);
    for (const e of graph.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
  });
});
