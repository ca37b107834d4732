/**
 * Export of the template or task on screen: DOT and Mermaid exactly as `stepwise graph` writes
 * them (same graph, same options, same trailing newline), SVG through the wasm GraphViz in a
 * worker thread of the host (core/export/svgOffThread.ts). PNG is drawn by the page from the SVG.
 */
import { z } from 'zod';
import { NotFoundError } from '../../model/errors.js';
import { templateRef } from '../../model/template.js';
import { templateGraph, type TemplateGraph } from '../../export/graphModel.js';
import { runtimeGraph } from '../../export/runtimeGraph.js';
import { toDot } from '../../export/dot.js';
import { toMermaid } from '../../export/mermaid.js';
import { exportFileName } from '../../export/fileName.js';
import type { HostServices } from '../services.js';
import { templateByRef as findTemplate } from './findTemplate.js';
import { procedure, router } from '../trpc.js';

const name = z.string().min(1).max(500);

export const EXPORT_FORMATS = ['dot', 'svg', 'mermaid', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

async function graphOf(services: HostServices, source: { ref?: string | undefined; taskId?: string | undefined }): Promise<TemplateGraph> {
  const ws = services.workspace();
  if (source.taskId === undefined) return templateGraph(findTemplate(ws, source.ref!));
  const task = await services.storage.getTask(source.taskId);
  if (!task) throw new NotFoundError('Task', source.taskId);
  const template = ws.templates.find((t) => templateRef(t) === task.templateRef);
  if (!template) throw new NotFoundError('Template', task.templateRef, 'The task was started from a template this workspace no longer has.');
  if (template.kind === 'workflow') return runtimeGraph(template, await services.storage.getSteps(task.id));
  return runtimeGraph(template, task, await services.storage.listTransitions(task.id));
}

/** What the CLI prints: its output always ends with one newline. */
const asPrinted = (text: string) => (text.endsWith('\n') ? text : text + '\n');

/** The refusals of a workbench SVG export say what to do from the workbench and from a terminal. */
const SVG_HINTS = {
  dot: 'Export DOT instead and draw it with GraphViz yourself (dot -Tsvg)',
  raise: 'draw it from a terminal with `stepwise graph … --format svg --max-nodes N`',
};

export async function exportText(graph: TemplateGraph, format: ExportFormat, direction: 'TB' | 'LR', signal?: AbortSignal): Promise<string> {
  switch (format) {
    case 'dot':
      return asPrinted(toDot(graph, { rankdir: direction }));
    case 'mermaid':
      return asPrinted(toMermaid(graph, { direction }));
    case 'json':
      return asPrinted(JSON.stringify(graph, null, 2) + '\n');
    case 'svg': {
      // GraphViz runs in a worker thread with a node limit and a time budget: the host's event
      // loop (health checks, every client, the engine) never waits for it. A client that goes
      // away (its signal aborts) stops it.
      const { renderSvg } = await import('../../export/svgOffThread.js');
      return asPrinted(await renderSvg(graph, { rankdir: direction, hints: SVG_HINTS, ...(signal ? { signal } : {}) }));
    }
  }
}

export const exportRouter = router({
  graph: procedure
    .input(
      z
        .object({ ref: name.optional(), taskId: name.optional(), format: z.enum(EXPORT_FORMATS), direction: z.enum(['TB', 'LR']).default('TB') })
        .refine((v) => (v.ref === undefined) !== (v.taskId === undefined), 'Give exactly one of ref (a template) or taskId (a task).'),
    )
    .query(async ({ ctx, input, signal }) => {
      const graph = await graphOf(ctx.services, input);
      return { format: input.format, text: await exportText(graph, input.format, input.direction, signal), filename: exportFileName(graph, input.format) };
    }),
});
